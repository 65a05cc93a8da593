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
 * @param weightLr           SGD learning rate of the weights, cosine-decayed after a warm-up; NaN ({@link #AUTO_LR},
 *                           the default): chosen by the run, see {@link #weightLrFor(boolean)}
 * @param momentum           SGD momentum (0.9)
 * @param weightDecay        on the weights while the thresholds are learned (3e-4; none at a fixed mask)
 * @param polishFraction     share of the iterations run at the exact projected mask, in [0, 1)
 */
public record ScheduleSettings(int iterations, int batch, int calibrationSamples, long seed, float weightLr,
                               float momentum, float weightDecay, double polishFraction) {
    /** {@code weightLr} value that lets the run choose the weight learning rate ({@link #weightLrFor}). */
    public static final float AUTO_LR = Float.NaN;

    /** The published weight lr, for BatchNorm in training mode. */
    public static final float BATCH_STATISTICS_LR = 0.01f;

    /**
     * The weight lr where no batch statistics renormalize the layers (BatchNorm frozen, or none in the graph):
     * there the published 0.01 diverged on the shipped MobileNetV2-small with frozen BatchNorm (in the PyTorch
     * port too), M-LSD tiny (no BatchNorm) lost every line peak at 0.01 and agrees at F1 29 % at 0.001, and
     * PP-OCRv3 det (frozen) came out 0.61 relative L2 from dense against 0.64 ({@code
     * bench/results/corpus_fidelity.md}).
     */
    public static final float FIXED_STATISTICS_LR = 0.001f;

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
        if (!Float.isNaN(weightLr) && (!(weightLr >= 0) || Float.isInfinite(weightLr))) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "the weight learning rate must be finite and >= 0 (or auto), got " + weightLr);
        }
    }

    /** Whether the run chooses the weight learning rate. */
    public boolean weightLrAuto() {
        return Float.isNaN(weightLr);
    }

    /**
     * The weight learning rate of a run: {@code weightLr} when set, else {@link #BATCH_STATISTICS_LR} when
     * {@code batchStatistics} (the graph has BatchNorm and it trains) and {@link #FIXED_STATISTICS_LR} when not.
     */
    public float weightLrFor(boolean batchStatistics) {
        return !weightLrAuto() ? weightLr : batchStatistics ? BATCH_STATISTICS_LR : FIXED_STATISTICS_LR;
    }

    /** Number of final iterations run at the exact projected mask. */
    public int polishIterations() {
        return (int) Math.round(polishFraction * iterations);
    }
}
