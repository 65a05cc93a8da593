package io.github.fcpts4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.testing.ChildJvm;
import io.github.fcpts4j.testing.InterruptedWrite;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signal in the middle of an atomic write (SIGTERM here, which runs the same shutdown hooks as Ctrl-C's
 * SIGINT; see {@link ChildJvm#terminate}): the process stops, its hidden temporary file is gone and the target
 * is as it was before (absent, or its old bytes).
 */
class AtomicFilesInterruptTest {
    @TempDir
    Path dir;

    private List<String> interruptWhileWriting(Path target) throws Exception {
        Process p = ChildJvm.start(null, InterruptedWrite.class, target.toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("writing", out.readLine(), "the child reached the middle of its write");
            List<String> during = listing();
            assertTrue(during.stream().anyMatch(n -> n.startsWith("." + target.getFileName()) && n.endsWith(".tmp")),
                    "the temporary file exists while writing: " + during);
            ChildJvm.terminate(p);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child stops on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        return listing();
    }

    private List<String> listing() throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aNewTargetLeavesNothingBehind() throws Exception {
        assertEquals(List.of(), interruptWhileWriting(dir.resolve("model.onnx")), "no temp file, no target");
    }

    @Test
    void anExistingTargetKeepsItsBytes() throws Exception {
        Path target = dir.resolve("report.json");
        Files.writeString(target, "old");
        assertEquals(List.of("report.json"), interruptWhileWriting(target), "no temp file left");
        assertEquals("old", Files.readString(target));
        assertFalse(Files.readString(target).contains("partial"));
    }
}
