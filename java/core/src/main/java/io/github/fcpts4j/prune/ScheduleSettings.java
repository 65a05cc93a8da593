package io.github.fcpts4j.prune;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ErrorCode;

/**
 * The schedule part of an {@link FcptsConfig}: how many steps run on which calibration batches, the SGD of
 * the weights (warm-up and cosine decay, FCPTS.md section 6) and the share of steps at the final mask.
 *
 * @param iterations         optimization steps ({@link SchedulePreset#DEFAULT}; published: about 1,600)
 * @param batch              calibration batch (published: 64)
 * @param calibrationSamples samples drawn from the calibration set (published: 1,024)
 * @param seed               calibration sampling and augmentation
 * @param weightLr           SGD learning rate of the weights, cosine-decayed after a warm-up
 * @param momentum           SGD momentum (0.9)
 * @param weightDecay        on the weights while the thresholds are learned (3e-4; none at a fixed mask)
 * @param polishFraction     share of the iterations run at the exact projected mask, in [0, 1)
 */
public record ScheduleSettings(int iterations, int batch, int calibrationSamples, long seed, float weightLr,
                               float momentum, float weightDecay, double polishFraction) {
    public ScheduleSettings {
        if (iterations < 0) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "iterations must be >= 0, got " + iterations);
        }
        if (batch < 1) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "batch must be >= 1, got " + batch);
        }
        if (calibrationSamples < batch) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "calibration samples must hold at least one batch: got "
                    + calibrationSamples + " for batch " + batch);
        }
        if (!(polishFraction >= 0 && polishFraction < 1)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "polish fraction must be in [0, 1), got " + polishFraction);
        }
        if (!(weightLr >= 0) || Float.isInfinite(weightLr)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "the weight learning rate must be finite and >= 0, got " + weightLr);
        }
    }

    /** Number of final iterations run at the exact projected mask. */
    public int polishIterations() {
        return (int) Math.round(polishFraction * iterations);
    }
}
