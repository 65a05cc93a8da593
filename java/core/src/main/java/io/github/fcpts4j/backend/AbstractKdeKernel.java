package io.github.fcpts4j.backend;

/**
 * What every backend's {@link KdeKernel} does the same way: argument checks
 * (naming the layer and parameter), the closed state, turning bandwidths into
 * inverse bandwidths, and the non-finite check of the returned sums. A backend
 * supplies only the two native passes, which return the raw stats array of
 * kde_fused.h.
 */
public abstract class AbstractKdeKernel implements KdeKernel {
    private final SegmentLayout layout;
    private boolean closed;

    protected AbstractKdeKernel(SegmentLayout layout) {
        this.layout = layout;
    }

    /** Runs the fused pass; sizes and parameters are already checked. Returns count() * 7 stats. */
    protected abstract double[] runFused(Tensor weights, Tensor gradients, Tensor maskedGradients, float[] thresholds,
                                         float[] inverseBandwidths);

    /** Runs the forward-only pass; sizes and parameters are already checked. Returns count() * 7 stats. */
    protected abstract double[] runForward(Tensor weights, float[] thresholds, float[] inverseBandwidths);

    /** Frees the backend's workspace; called once. */
    protected abstract void release();

    @Override
    public final SegmentLayout layout() {
        return layout;
    }

    @Override
    public final KdeSums fused(Tensor weights, Tensor gradients, Tensor maskedGradients, float[] thresholds,
                               float[] bandwidths) {
        requireOpen();
        requireLayoutSize(layout, weights, "weights");
        requireLayoutSize(layout, gradients, "gradients");
        requireLayoutSize(layout, maskedGradients, "maskedGradients");
        float[] inverse = inverseBandwidths(layout, thresholds, bandwidths);
        return KdeSums.checked(layout, runFused(weights, gradients, maskedGradients, thresholds, inverse));
    }

    @Override
    public final KdeSums forward(Tensor weights, float[] thresholds, float[] bandwidths) {
        requireOpen();
        requireLayoutSize(layout, weights, "weights");
        float[] inverse = inverseBandwidths(layout, thresholds, bandwidths);
        return KdeSums.checked(layout, runForward(weights, thresholds, inverse));
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("KDE kernel for " + layout + " used after close()");
        }
    }

    /** Checks thresholds and bandwidths and returns the inverse bandwidths 1 / h_l as floats. */
    private static float[] inverseBandwidths(SegmentLayout layout, float[] thresholds, float[] bandwidths) {
        int n = layout.count();
        if (thresholds == null || thresholds.length != n) {
            throw new IllegalArgumentException("thresholds: expected one per layer (" + n + "), got "
                    + (thresholds == null ? "null" : thresholds.length));
        }
        if (bandwidths == null || bandwidths.length != n) {
            throw new IllegalArgumentException("bandwidths: expected one per layer (" + n + "), got "
                    + (bandwidths == null ? "null" : bandwidths.length));
        }
        float[] inverse = new float[n];
        for (int l = 0; l < n; l++) {
            if (!Float.isFinite(thresholds[l]) || thresholds[l] < 0) {
                throw new IllegalArgumentException("threshold of layer '" + layout.name(l)
                        + "' must be finite and >= 0, got " + thresholds[l]);
            }
            float inv = 1.0f / bandwidths[l];
            if (!(bandwidths[l] > 0) || !Float.isFinite(bandwidths[l]) || !Float.isFinite(inv)) {
                throw new IllegalArgumentException("bandwidth of layer '" + layout.name(l)
                        + "' must be finite, > 0 and have a finite inverse, got " + bandwidths[l]);
            }
            inverse[l] = inv;
        }
        return inverse;
    }

    /** Checks that {@code tensor} holds exactly one float per weight of {@code layout}. */
    private static void requireLayoutSize(SegmentLayout layout, Tensor tensor, String parameter) {
        if (tensor == null) {
            throw new IllegalArgumentException(parameter + " is null");
        }
        if (tensor.size() != layout.total()) {
            throw new IllegalArgumentException(parameter + ": expected " + layout.total() + " floats (all "
                    + layout.count() + " layers), got " + tensor.size());
        }
    }
}
