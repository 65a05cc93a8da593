package io.github.fcpts4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Runs fcpts_cuda_emulation_test (cuda-kernels/emulation/): every operator of
 * fcpts/ops_cuda.h, the fused KDE-CDF pass (kde_fused.cu) and the cuSPARSE
 * sparse convolution plan (sparse_conv_cuda.cu, on a host stand-in for
 * libcusparse) compiled as host C++ against a CPU emulation of the CUDA launch
 * model (threads per block, block barriers, warp shuffles) and compared with
 * their CPU twins of libfcpts_cpu. This runs the GPU kernels' indexing, bounds, reductions and
 * argument checks on every build, GPU or not; it does not replace a run on a
 * device (the @Tag("gpu") tests).
 */
class CudaKernelEmulationTest {
    private static final Path BUILD = Path.of("target/cmake-build");

    @Test
    void everyCudaOperatorMatchesItsCpuTwinUnderEmulation() throws Exception {
        Path exe = BUILD.resolve("fcpts_cuda_emulation_test");
        assumeTrue(Files.isExecutable(exe), "fcpts_cuda_emulation_test was not built (cmake "
                + "-DFCPTS_CUDA_EMULATION_TEST=OFF or no C++20 compiler): " + exe.toAbsolutePath());
        ProcessBuilder pb = new ProcessBuilder(exe.toAbsolutePath().toString()).redirectErrorStream(true);
        // oneDNN for libfcpts_cpu; the host stand-in for libcusparse.so.12 that the sparse plan dlopens
        pb.environment().put("LD_LIBRARY_PATH", BUILD.resolve("dnnl").toAbsolutePath() + ":"
                + BUILD.resolve("fake-cusparse").toAbsolutePath());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the emulation test did not finish");
        String tail = out.length() > 4000 ? out.substring(out.length() - 4000) : out;
        assertEquals(0, p.exitValue(), tail);
        Matcher m = Pattern.compile("(\\d+) checks, (\\d+) failures").matcher(out);
        assertTrue(m.find(), tail);
        assertEquals(0, Integer.parseInt(m.group(2)), tail);
        assertTrue(Integer.parseInt(m.group(1)) >= 2300, "every operator group ran: " + m.group());
    }
}
