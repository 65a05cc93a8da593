package io.github.fcpts4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs against the packaged artifacts, not target/classes: the core jar (in the CLI's target/lib) must carry
 * both native libraries and their JNI glue, and a fresh JVM started with {@code java -jar fcpts4j.jar} must
 * extract and load both from it.
 */
class PackagedJarIT {
    private static final String CPU_DIR = "io/github/fcpts4j/backend/cpu/linux-x86_64/";
    private static final String CUDA_DIR = "io/github/fcpts4j/backend/cuda/linux-x86_64/";

    private static Path jar() {
        String path = System.getProperty("fcpts.packagedJar");
        assertTrue(path != null && Files.isRegularFile(Path.of(path)), "packaged jar not found: " + path);
        return Path.of(path);
    }

    /** The fcpts4j-core jar the CLI's manifest class path names. */
    private static Path coreJar() {
        Path core = jar().resolveSibling("lib").resolve("fcpts4j-core-" + System.getProperty("fcpts.version") + ".jar");
        assertTrue(Files.isRegularFile(core), "core jar not found beside the CLI: " + core);
        return core;
    }

    /** Whether CMake compiled real CUDA kernels (it records the CUDA compiler it found). */
    private static boolean cudaKernelsCompiled() throws IOException {
        Path files = Path.of(System.getProperty("fcpts.nativeBuildDir"), "CMakeFiles");
        try (Stream<Path> s = Files.walk(files, 2)) {
            return s.anyMatch(p -> p.getFileName().toString().equals("CMakeCUDACompiler.cmake"));
        }
    }

    @Test
    void jarCarriesBothNativeLibrariesAndTheirGlue() throws IOException {
        try (JarFile jar = new JarFile(coreJar().toFile())) {
            for (String entry : List.of(CPU_DIR + "libfcpts_cpu.so", CPU_DIR + "libjniCpuNatives.so",
                    CUDA_DIR + "libfcpts_cuda.so", CUDA_DIR + "libjniCudaNatives.so")) {
                assertTrue(jar.getEntry(entry) != null, "missing from the jar: " + entry);
            }
        }
    }

    @Test
    void freshJvmLoadsBothLibrariesFromTheJar(@TempDir Path cache) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-jar",
                jar().toString(), "backends", "--json").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "fcpts backends did not finish");
        assertEquals(0, p.exitValue(), "stdout: " + out + "\nstderr: " + err);

        JsonArray backends = JsonParser.parseString(out).getAsJsonObject().getAsJsonArray("backends");
        JsonObject cpu = backends.get(0).getAsJsonObject();
        JsonObject cuda = backends.get(1).getAsJsonObject();
        String version = System.getProperty("fcpts.version");
        assertTrue(cpu.get("available").getAsBoolean(), cpu.toString());
        assertTrue(cpu.get("library").getAsString().startsWith("libfcpts_cpu " + version), cpu.toString());
        String cudaLibrary = cuda.get("library").getAsString();
        assertTrue(cudaLibrary.startsWith("libfcpts_cuda " + version), cuda.toString());
        if (cudaKernelsCompiled()) {
            assertTrue(cudaLibrary.contains("nvcc") && cudaLibrary.contains("sm_80,sm_90,compute_90"), cudaLibrary);
        } else {
            assertTrue(cudaLibrary.contains("CPU-only build"), cudaLibrary);
        }

        try (Stream<Path> s = Files.walk(cache)) {
            List<String> extracted = s.map(Path::toString).filter(f -> f.endsWith(".so")).toList();
            String core = coreJar().getFileName().toString();
            assertTrue(extracted.stream().anyMatch(f -> f.contains(core) && f.endsWith("/libfcpts_cpu.so")),
                    "libfcpts_cpu not extracted from " + core + ": " + extracted);
            assertTrue(extracted.stream().anyMatch(f -> f.contains(core) && f.endsWith("/libfcpts_cuda.so")),
                    "libfcpts_cuda not extracted from " + core + ": " + extracted);
        }
    }
}
