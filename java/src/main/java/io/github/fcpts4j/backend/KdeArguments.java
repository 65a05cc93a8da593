package io.github.fcpts4j.backend;

/**
 * Argument checks shared by every backend's {@link KdeKernel}, so that a bad
 * threshold, bandwidth or tensor size is reported the same way (naming the
 * layer and the parameter) before any native code runs.
 */
public final class KdeArguments {
    private KdeArguments() {
    }

    /** Checks thresholds and bandwidths and returns the inverse bandwidths 1 / h_l as floats. */
    public static float[] inverseBandwidths(SegmentLayout layout, float[] thresholds, float[] bandwidths) {
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
    public static void requireLayoutSize(SegmentLayout layout, Tensor tensor, String parameter) {
        if (tensor == null) {
            throw new IllegalArgumentException(parameter + " is null");
        }
        if (tensor.size() != layout.total()) {
            throw new IllegalArgumentException(parameter + ": expected " + layout.total() + " floats (all "
                    + layout.count() + " layers), got " + tensor.size());
        }
    }
}
