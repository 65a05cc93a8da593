package io.github.fcpts4j.prune;

/**
 * Every hyperparameter of an FCPTS run (FCPTS.md sections 2 to 6). Defaults
 * follow the published ones except where this project's parameterization
 * (log-thresholds with Adam, Gaussian KDE, weights-only reconstruction with
 * inference BatchNorm) needed its own, measured on the shipped ResNet-20:
 * weight lr 0.001 (0.01 made the weights diverge within ten steps), threshold
 * lr 0.01, and lambda = 100 on the squared constraint (with lambda = 1 the
 * straight-through reconstruction term pulled the sparsity from 0.70 to 0.59).
 *
 * @param targetSparsity     S*, fraction of prunable weights set to zero, in [0, 1)
 * @param iterations         optimization steps (published: about 1,600)
 * @param batch              calibration batch (published: 64)
 * @param calibrationSamples samples drawn from the calibration set (published: 1,024)
 * @param weightLr           SGD learning rate of the weights, cosine-decayed after a warm-up (published 0.01)
 * @param momentum           SGD momentum (0.9)
 * @param weightDecay        on weights (3e-4)
 * @param thresholdLr        Adam learning rate of the log-thresholds theta_l (project choice)
 * @param lambda             weight of the sparsity constraint (published 1)
 * @param absoluteConstraint |S - S*| instead of (S - S*)^2 (the published code's default)
 * @param temperature        of the distillation KL (4)
 * @param straightThrough    threshold gradient from reconstruction (project choice, on)
 * @param seed               calibration sampling and augmentation
 */
public record FcptsConfig(double targetSparsity, int iterations, int batch, int calibrationSamples, float weightLr,
                          float momentum, float weightDecay, float thresholdLr, double lambda,
                          boolean absoluteConstraint, float temperature, boolean straightThrough, long seed) {

    public FcptsConfig {
        if (!(targetSparsity >= 0) || !(targetSparsity < 1)) {
            throw new IllegalArgumentException("target sparsity must be in [0, 1), got " + targetSparsity);
        }
        if (iterations < 0 || batch < 1 || calibrationSamples < batch) {
            throw new IllegalArgumentException("need iterations >= 0, batch >= 1 and at least one batch of "
                    + "calibration samples (got " + calibrationSamples + " for batch " + batch + ")");
        }
    }

    /** The defaults at target S* (see the class comment for where they differ from the published ones). */
    public static FcptsConfig defaults(double targetSparsity) {
        return new FcptsConfig(targetSparsity, 1600, 64, 1024, 0.001f, 0.9f, 3e-4f, 0.01f, 100.0, false, 4f, true, 1);
    }

    public FcptsConfig withBatch(int b) {
        return new FcptsConfig(targetSparsity, iterations, b, calibrationSamples, weightLr, momentum, weightDecay,
                thresholdLr, lambda, absoluteConstraint, temperature, straightThrough, seed);
    }

    public FcptsConfig withSeed(long s) {
        return new FcptsConfig(targetSparsity, iterations, batch, calibrationSamples, weightLr, momentum, weightDecay,
                thresholdLr, lambda, absoluteConstraint, temperature, straightThrough, s);
    }

    public FcptsConfig withIterations(int n) {
        return new FcptsConfig(targetSparsity, n, batch, calibrationSamples, weightLr, momentum, weightDecay,
                thresholdLr, lambda, absoluteConstraint, temperature, straightThrough, seed);
    }
}
