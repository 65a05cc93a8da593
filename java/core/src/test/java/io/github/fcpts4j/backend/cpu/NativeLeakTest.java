package io.github.fcpts4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.prune.Pruner;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.TestNets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native memory stays flat under repetition and after failures. Three counters: the native plans libfcpts_cpu
 * holds ({@code fcpts_cpu_live_plans}, exact), the off-heap bytes JavaCPP allocated for tensors and host buffers
 * ({@link Pointer#totalBytes()}, exact) and the process's resident set ({@link Pointer#physicalBytes()}), which
 * also sees oneDNN's and the C++ allocator's memory. The resident set may move by allocator noise and oneDNN's
 * primitive cache, so it gets a written margin, {@link #RSS_MARGIN}: a leak of one 4 KiB page per call over the
 * 9,000 calls measured would be 36 MiB, above it; a leaked tensor or plan per call far more.
 */
class NativeLeakTest extends CpuTest {
    private static final long RSS_MARGIN = 24L << 20;

    @TempDir
    Path dir;

    private record Counters(long plans, long javacppBytes, long rss) {
        static Counters now() {
            return new Counters(CpuKernels.livePlans(), Pointer.totalBytes(), Pointer.physicalBytes());
        }

        void assertFlatSince(Counters before, String what) {
            assertEquals(before.plans, plans, what + ": native plans alive");
            assertEquals(before.javacppBytes, javacppBytes, what + ": JavaCPP off-heap bytes");
            long grown = rss - before.rss;
            assertTrue(grown < RSS_MARGIN, what + ": resident set grew by " + (grown >> 10) + " KiB (margin "
                    + (RSS_MARGIN >> 20) + " MiB)");
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void tenThousandFusedKdeCallsLeaveMemoryFlat() {
        SegmentLayout layout = SegmentLayout.of(List.of("a", "b", "c"), new long[] {4608, 36864, 640});
        int n = (int) layout.total();
        float[] t = {0.5f, 0.7f, 0.3f}, h = {20f, 25f, 30f};
        try (TensorScope s = new TensorScope(); KdeKernel kernel = cpu.kdeKernel(layout)) {
            Tensor w = s.upload(cpu, random(n, 1), n), g = s.upload(cpu, random(n, 2), n), gw = s.allocate(cpu, n);
            for (int i = 0; i < 1_000; i++) {
                kernel.fused(w, g, gw, t, h);
            }
            Counters warm = Counters.now();
            for (int i = 0; i < 9_000; i++) {
                kernel.fused(w, g, gw, t, h);
            }
            Counters.now().assertFlatSince(warm, "9,000 fused KDE calls");
        }
    }

    @Test
    void tenThousandConvPlansMadeRunAndClosedLeaveMemoryFlat() {
        WindowGeometry geo = new WindowGeometry(2, 16, 14, 14, 32, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        NetworkKernels k = cpu.network();
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.upload(cpu, random(2 * 16 * 14 * 14, 3), 2, 16, 14, 14);
            Tensor w = s.upload(cpu, random(32 * 16 * 9, 4), 32, 16, 3, 3);
            Tensor b = s.upload(cpu, random(32, 5), 32);
            Tensor y = s.allocate(cpu, 2, 32, 14, 14);
            Tensor dx = s.allocate(cpu, 2, 16, 14, 14), dw = s.allocate(cpu, 32, 16, 3, 3);
            Tensor db = s.allocate(cpu, 32);
            Counters start = null;
            for (int i = 0; i < 10_000; i++) {
                if (i == 1_000) {
                    start = Counters.now();
                }
                try (NetworkKernels.ConvPlan plan = k.conv(geo, true, false)) {
                    plan.forward(x, w, b, y);
                    if (i % 10 == 0) {
                        plan.backward(x, w, y, dx, dw, db);
                    }
                }
            }
            Counters.now().assertFlatSince(start, "9,000 conv plans made, run and closed");
        }
    }

    private Pruner.Builder allOpsPruner(int iterations) {
        Path model = dir.resolve("all_ops.onnx");
        if (!model.toFile().exists()) {
            OnnxExporter.write(TestNets.allOpsNet(3), model);
        }
        List<float[]> samples = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            samples.add(random(3 * 17 * 17, 10 + i));
        }
        return Pruner.builder().model(model).calibration(samples, 3, 17, 17).backend("cpu").iterations(iterations)
                .batch(4).calibrationSamples(8).targetSparsity(0.7);
    }

    /**
     * The fixed-mask polish phase allocates its masks once when it starts, so each phase is measured on its own:
     * from iteration 100 to the last threshold step, and from ten steps into the polish to the end.
     */
    @Test
    void aThousandFcptsIterationsLeaveMemoryFlat() {
        Counters before = Counters.now();
        Counters[] marks = new Counters[3];
        int[] polishStart = {-1};
        allOpsPruner(1_000).listener(s -> {
            if (s.iteration() == 100) {
                marks[0] = Counters.now();
            }
            if (s.polishing() && polishStart[0] < 0) {
                polishStart[0] = s.iteration();
            }
            if (!s.polishing()) {
                marks[1] = Counters.now();
            } else if (s.iteration() == polishStart[0] + 10) {
                marks[2] = Counters.now();
            }
            if (s.iteration() == s.iterations()) {
                marks[1].assertFlatSince(marks[0], "threshold steps 100 to " + (polishStart[0] - 1));
                Counters.now().assertFlatSince(marks[2], "polish steps " + (polishStart[0] + 10) + " to 1,000");
            }
            return true;
        }).build().run();
        assertTrue(polishStart[0] > 100 && polishStart[0] < 990, "both phases measured: polish from "
                + polishStart[0]);
        Counters after = Counters.now();
        assertEquals(before.plans(), after.plans(), "every plan of the run is closed");
        assertEquals(before.javacppBytes(), after.javacppBytes(), "every tensor of the run is freed");
    }

    @Test
    void aRunThatFailsHalfWayLeavesNoPlanAndNoTensorBehind() {
        allOpsPruner(4).build().run();
        Counters before = Counters.now();
        IllegalStateException fault = assertThrows(IllegalStateException.class, () -> allOpsPruner(200)
                .listener(s -> {
                    if (s.iteration() == 57) {
                        throw new IllegalStateException("injected fault at iteration 57");
                    }
                    return true;
                }).build().run());
        assertEquals("injected fault at iteration 57", fault.getMessage());
        Counters.now().assertFlatSince(before, "after the injected fault");
        FcptsException cancelled = assertThrows(FcptsException.class, () -> allOpsPruner(200)
                .listener(s -> s.iteration() < 31).build().run());
        assertEquals(ErrorCode.CANCELLED, cancelled.code());
        Counters.now().assertFlatSince(before, "after a cancelled run");
    }
}
