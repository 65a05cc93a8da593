package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.prune.FcptsConfig.DensityEstimate;
import io.github.fcpts4j.prune.FcptsConfig.ThresholdScale;
import io.github.fcpts4j.sparsity.MagnitudeAllocation;


/**
 * The threshold part of an {@link FcptsConfig}: where the per-layer thresholds t_l = exp(theta_l) start,
 * and how their gradient is formed and applied ({@link ThresholdStep}, FCPTS.md sections 2 and 3).
 *
 * @param init            the allocation at S* the thresholds start at (ERK: published and default)
 * @param lr              Adam learning rate of the log-thresholds theta_l
 * @param scale           Adam's second moment per layer, or one shared by all layers
 * @param density         derivative of the layer sparsity: Gaussian KDE or a hard-count difference
 * @param straightThrough threshold gradient from reconstruction (project choice, on)
 * @param projectEachStep restore S = S* after every threshold update (project option, off)
 * @param ramp            share of the threshold-learning steps over which the target rises from 0 to S* on a
 *                        cubic schedule, S*(k) = S* (1 - (1 - k / K)^3), the thresholds following it by a common
 *                        shift each step (the gradual-pruning schedule of Zhu and Gupta); 0: the target is S*
 *                        from the first step and the thresholds start at it
 */
public record ThresholdSettings(MagnitudeAllocation init, float lr, ThresholdScale scale, DensityEstimate density,
                                boolean straightThrough, boolean projectEachStep, double ramp) {
    public ThresholdSettings {
        if (!(lr >= 0) || Float.isInfinite(lr)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the threshold learning rate must be finite and "
                    + ">= 0, got " + lr);
        }
        if (!(ramp >= 0 && ramp <= 1)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the sparsity ramp must be a share in [0, 1], got "
                    + ramp);
        }
        FcptsException.requireNonNull(init, "init");
        FcptsException.requireNonNull(scale, "scale");
        FcptsException.requireNonNull(density, "density");
    }
}
