package io.github.fcpts4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.BackendProvider;
import io.github.fcpts4j.backend.Backends;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * org.bytedeco:cuda is an optional dependency of fcpts4j-core: without its jars on the classpath, the cuda
 * backend says so (and nothing else fails), and "auto" opens the cpu backend.
 */
class CudaPresetsOptionalTest {
    /** Lists every backend's availability and library, then opens "auto". */
    public static void main(String[] args) {
        for (BackendProvider p : Backends.providers()) {
            System.out.println(p.name() + "|" + p.availability().available() + "|" + p.availability().detail()
                    + "|" + p.nativeLibraryInfo());
        }
        try (Backend b = Backends.open("auto", BackendOptions.defaults())) {
            System.out.println("opened|" + b.name());
        }
    }

    @Test
    void withoutThePresetsCudaIsUnavailableAndCpuWorks() throws Exception {
        List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        String classpath = entries.stream().filter(e -> !e.contains("/org/bytedeco/cuda/"))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(entries.stream().anyMatch(e -> e.contains("/org/bytedeco/cuda/")),
                "the test classpath itself carries the presets (test scope): " + entries);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, CudaPresetsOptionalTest.class.getName()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        assertEquals(0, p.exitValue(), "stdout: " + out + "\nstderr: " + err);
        assertTrue(out.contains("cuda|false|" + CudaBackendProvider.PRESETS_MISSING + "|"
                + CudaBackendProvider.PRESETS_MISSING), out);
        assertTrue(out.contains("cpu|true|"), out);
        assertTrue(out.contains("opened|cpu"), out);
        assertTrue(!err.contains("Exception") && !err.contains("Error"), err);
    }
}
