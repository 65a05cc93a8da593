package io.github.fcpts4j.backend;

/**
 * A backend's plan for the fused KDE-CDF pass of FCPTS.md section 5, built once
 * per {@link SegmentLayout} and reused every optimization step; it owns its
 * workspace (closing it frees that, not the tensors passed in).
 *
 * <p>With t_l = thresholds[l], h_l = bandwidths[l] and z = (t_l - |w|) / h_l,
 * {@link #fused} writes {@code maskedGradients = gradients * 1[|w| > t_l]} and
 * returns the per-layer sums described in {@link KdeSums}. Both calls throw
 * {@code FcptsException(NON_FINITE_INPUT)} naming the first layer whose weights
 * or gradients hold NaN or infinity.
 */
public interface KdeKernel extends AutoCloseable {

    SegmentLayout layout();

    /**
     * One fused pass. {@code weights}, {@code gradients} and {@code maskedGradients}
     * hold {@code layout().total()} floats each; {@code maskedGradients} may be the
     * same tensor as {@code gradients}.
     *
     * @param thresholds one finite t_l >= 0 per layer
     * @param bandwidths one finite h_l > 0 per layer
     */
    KdeSums fused(Tensor weights, Tensor gradients, Tensor maskedGradients, float[] thresholds, float[] bandwidths);

    /** Forward only (no gradient): smooth and hard sparsity, density and the bandwidth sums. */
    KdeSums forward(Tensor weights, float[] thresholds, float[] bandwidths);

    @Override
    void close();
}
