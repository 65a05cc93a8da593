package io.github.fcpts4j.sparsity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.testing.KdeReference;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bridge formulas, checked against finite differences and direct statistics on the cpu backend. */
class KdeBridgeTest {
    private Backend cpu;
    private TensorScope scope;

    @BeforeEach
    void open() {
        cpu = Backends.openResolved("cpu", BackendOptions.defaults());
        scope = new TensorScope();
    }

    @AfterEach
    void close() {
        scope.close();
        cpu.close();
    }

    private KdeSums fused(SegmentLayout layout, float[] w, float[] g, float t, float h) {
        try (KdeKernel k = cpu.kdeKernel(layout)) {
            return k.fused(scope.upload(cpu, w, w.length), scope.upload(cpu, g, g.length), scope.allocate(cpu, w.length),
                    new float[] {t}, new float[] {h});
        }
    }

    private static float[] gaussian(int n, double scale, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble())
                    * scale);
        }
        return out;
    }

    /**
     * ds/dt must be the KDE density: compare with a central difference of the
     * smooth sparsity (step 1e-3 h; the difference's truncation error is
     * O(step^2 s''') ~ 1e-6 relative, the float kernel noise of sum Phi is
     * ~4e-7 N / (2 step N) = 2e-4 h^-1... so allow 2 % of the density).
     */
    @Test
    void densityIsTheDerivativeOfSmoothSparsity() {
        int n = 200_000;
        float[] w = gaussian(n, 0.05, 1);
        float[] g = new float[n];
        SegmentLayout layout = SegmentLayout.of(List.of("conv"), new long[] {n});
        float t = 0.04f, h = 0.004f, step = 0.0005f;
        double density = KdeBridge.density(fused(layout, w, g, t, h), 0, h);
        double up = KdeBridge.smoothSparsity(fused(layout, w, g, t + step, h), 0);
        double down = KdeBridge.smoothSparsity(fused(layout, w, g, t - step, h), 0);
        double difference = (up - down) / (2 * step);
        assertEquals(difference, density, 0.02 * density);
    }

    /** The straight-through gradient is d/dt of sum g w Phi((|w| - t)/h), evaluated in double. */
    @Test
    void straightThroughGradientIsTheDerivativeOfTheSoftMaskedLoss() {
        int n = 50_000;
        float[] w = gaussian(n, 0.05, 2);
        float[] g = gaussian(n, 1.0, 3);
        SegmentLayout layout = SegmentLayout.of(List.of("fc"), new long[] {n});
        float t = 0.03f, h = 0.005f;
        double analytic = KdeBridge.straightThroughThresholdGradient(fused(layout, w, g, t, h), 0, h);
        double step = 1e-6;
        double numeric = (softMaskedLoss(w, g, t + step, h) - softMaskedLoss(w, g, t - step, h)) / (2 * step);
        assertEquals(numeric, analytic, 1e-3 * Math.abs(numeric) + 1e-6);
    }

    private static double softMaskedLoss(float[] w, float[] g, double t, double h) {
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            sum += (double) g[i] * w[i] * KdeReference.phiCdf((Math.abs(w[i]) - t) / h);
        }
        return sum;
    }

    @Test
    void sparsitiesAndSilvermanBandwidthFromTheSums() {
        float[] w = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, 0.6f};
        SegmentLayout layout = SegmentLayout.of(List.of("l"), new long[] {6});
        KdeSums sums = fused(layout, w, new float[6], 0.35f, 1e-6f);
        assertEquals(0.5, KdeBridge.hardSparsity(sums, 0), 0.0);
        assertEquals(0.5, KdeBridge.smoothSparsity(sums, 0), 1e-6);
        double mean = 2.1 / 6, var = 0;
        for (float x : w) {
            var += (Math.abs(x) - mean) * (Math.abs(x) - mean);
        }
        double expected = 1.06 * Math.sqrt(var / 6) * Math.pow(6, -0.2);
        assertEquals(expected, KdeBridge.silvermanBandwidth(sums, 0), 1e-7 * expected);
    }

    @Test
    void bandwidthFloorsForConstantAndEmptyLayers() {
        float[] w = {0.3f, -0.3f, 0.3f, 0.3f};
        float[] zeros = new float[3];
        SegmentLayout layout = SegmentLayout.of(List.of("const", "zero", "empty"), new long[] {4, 3, 0});
        float[] all = new float[7];
        System.arraycopy(w, 0, all, 0, 4);
        System.arraycopy(zeros, 0, all, 4, 3);
        KdeSums sums;
        try (KdeKernel k = cpu.kdeKernel(layout)) {
            sums = k.forward(scope.upload(cpu, all, 7), new float[] {0.1f, 0.1f, 0.1f}, new float[] {1f, 1f, 1f});
        }
        assertEquals(1e-8 * 0.3, KdeBridge.silvermanBandwidth(sums, 0), 1e-15);
        assertEquals(KdeBridge.MIN_BANDWIDTH, KdeBridge.silvermanBandwidth(sums, 1), 0.0);
        assertEquals(KdeBridge.MIN_BANDWIDTH, KdeBridge.silvermanBandwidth(sums, 2), 0.0);
        assertEquals(0.0, KdeBridge.hardSparsity(sums, 2), 0.0);
        assertEquals(1.0, KdeBridge.hardSparsity(sums, 1), 0.0);
    }
}
