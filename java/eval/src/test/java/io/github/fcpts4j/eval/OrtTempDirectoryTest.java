package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.testing.ChildJvm;
import io.github.fcpts4j.testing.OrtSessionProcess;

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
 * A process that ran ONNX Runtime (as every eval, prune and bench does) leaves no {@code onnxruntime-java*}
 * folder in its temp folder; without {@link OrtTempDirectory} each run left an empty one.
 */
class OrtTempDirectoryTest {
    @Test
    void aProcessThatRanOnnxRuntimeLeavesNoTempFolder(@TempDir Path tmp) throws Exception {
        Process p = ChildJvm.start(tmp, OrtSessionProcess.class,
                Path.of("../../examples/models/resnet20_fashion_mnist.onnx").toAbsolutePath().toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("opened [image]", out.readLine(), "the child ran ONNX Runtime");
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child exits");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue());
        List<String> left;
        try (var s = Files.list(tmp)) {
            left = s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("onnxruntime-java")).toList();
        }
        assertEquals(List.of(), left, "ONNX Runtime's native-library folder is removed at exit");
    }
}
