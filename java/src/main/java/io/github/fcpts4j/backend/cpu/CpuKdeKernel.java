package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.KdeArguments;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * CPU plan of the fused KDE-CDF pass: the layout offsets, per-layer parameter
 * buffers, the stats buffer and the status record are allocated once and
 * reused by every call (native side: native/src/kde_fused_cpu.cpp).
 */
final class CpuKdeKernel implements KdeKernel {
    private final SegmentLayout layout;
    private final int threads;
    private final LongPointer offsets;
    private final FloatPointer thresholds;
    private final FloatPointer inverseBandwidths;
    private final DoublePointer stats;
    private final CpuNatives.Status status;
    private final double[] hostStats;
    private boolean closed;

    CpuKdeKernel(SegmentLayout layout, int threads) {
        this.layout = layout;
        this.threads = threads;
        int n = layout.count();
        this.offsets = new LongPointer(layout.offsets());
        this.thresholds = new FloatPointer(Math.max(1, n));
        this.inverseBandwidths = new FloatPointer(Math.max(1, n));
        this.hostStats = new double[n * KdeSums.STATS_PER_LAYER];
        this.stats = new DoublePointer(Math.max(1, hostStats.length));
        this.status = new CpuNatives.Status();
    }

    @Override
    public SegmentLayout layout() {
        return layout;
    }

    @Override
    public KdeSums fused(Tensor weights, Tensor gradients, Tensor maskedGradients, float[] t, float[] h) {
        requireOpen();
        KdeArguments.requireLayoutSize(layout, weights, "weights");
        KdeArguments.requireLayoutSize(layout, gradients, "gradients");
        KdeArguments.requireLayoutSize(layout, maskedGradients, "maskedGradients");
        loadParameters(t, h);
        CpuKernels.kdeFused(weights.storage(CpuStorage.class).pointer(), gradients.storage(CpuStorage.class).pointer(),
                maskedGradients.storage(CpuStorage.class).pointer(), offsets, layout.count(), thresholds,
                inverseBandwidths, stats, threads, status);
        return readStats();
    }

    @Override
    public KdeSums forward(Tensor weights, float[] t, float[] h) {
        requireOpen();
        KdeArguments.requireLayoutSize(layout, weights, "weights");
        loadParameters(t, h);
        CpuKernels.kdeForward(weights.storage(CpuStorage.class).pointer(), offsets, layout.count(), thresholds,
                inverseBandwidths, stats, threads, status);
        return readStats();
    }

    private void loadParameters(float[] t, float[] h) {
        float[] inverse = KdeArguments.inverseBandwidths(layout, t, h);
        thresholds.put(t, 0, t.length);
        inverseBandwidths.put(inverse, 0, inverse.length);
    }

    private KdeSums readStats() {
        stats.get(hostStats, 0, hostStats.length);
        return KdeSums.checked(layout, hostStats);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            offsets.close();
            thresholds.close();
            inverseBandwidths.close();
            stats.close();
            status.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cpu KDE kernel for " + layout + " used after close()");
        }
    }
}
