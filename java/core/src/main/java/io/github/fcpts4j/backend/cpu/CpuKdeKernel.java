package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.AbstractKdeKernel;
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
final class CpuKdeKernel extends AbstractKdeKernel {
    private final int threads;
    private final int segments;
    private final LongPointer offsets;
    private final FloatPointer thresholds;
    private final FloatPointer inverseBandwidths;
    private final DoublePointer stats;
    private final CpuNatives.Status status;

    CpuKdeKernel(SegmentLayout layout, int threads) {
        super(layout);
        this.threads = threads;
        this.segments = layout.count();
        this.offsets = new LongPointer(layout.offsets());
        this.thresholds = new FloatPointer(Math.max(1, segments));
        this.inverseBandwidths = new FloatPointer(Math.max(1, segments));
        this.stats = new DoublePointer(Math.max(1, (long) segments * KdeSums.STATS_PER_LAYER));
        this.status = new CpuNatives.Status();
    }

    @Override
    protected double[] runFused(Tensor weights, Tensor gradients, Tensor maskedGradients, float[] t, float[] invH) {
        load(t, invH);
        CpuKernels.kdeFused(host(weights), host(gradients), host(maskedGradients), offsets, segments, thresholds,
                inverseBandwidths, stats, threads, status);
        return readStats();
    }

    @Override
    protected double[] runForward(Tensor weights, float[] t, float[] invH) {
        load(t, invH);
        CpuKernels.kdeForward(host(weights), offsets, segments, thresholds, inverseBandwidths, stats, threads, status);
        return readStats();
    }

    private static FloatPointer host(Tensor tensor) {
        return tensor.storage(CpuStorage.class).pointer();
    }

    private void load(float[] t, float[] invH) {
        thresholds.put(t, 0, segments);
        inverseBandwidths.put(invH, 0, segments);
    }

    private double[] readStats() {
        double[] raw = new double[segments * KdeSums.STATS_PER_LAYER];
        stats.get(raw, 0, raw.length);
        return raw;
    }

    @Override
    protected void release() {
        offsets.close();
        thresholds.close();
        inverseBandwidths.close();
        stats.close();
        status.close();
    }
}
