package io.github.fcpts4j.prune;

/**
 * The learned per-layer thresholds t_l = exp(theta_l) (FCPTS.md section 2)
 * with their Adam state (beta1 0.9, beta2 0.999, no weight decay), a common
 * shift of all theta_l (the projection of section 7 applied during
 * training) and optional per-layer bounds on theta.
 */
final class LogThresholds {
    private final double[] theta;
    private final double[] m;
    private final double[] v;
    private final double[] low;
    private final double[] high;
    private int steps;

    LogThresholds(double[] initialThresholds) {
        int n = initialThresholds.length;
        theta = new double[n];
        for (int l = 0; l < n; l++) {
            theta[l] = Math.log(initialThresholds[l]);
        }
        m = new double[n];
        v = new double[n];
        low = new double[n];
        high = new double[n];
        java.util.Arrays.fill(low, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(high, Double.POSITIVE_INFINITY);
    }

    int layers() {
        return theta.length;
    }

    double threshold(int l) {
        return Math.exp(theta[l]);
    }

    double[] thresholds() {
        double[] t = new double[theta.length];
        for (int l = 0; l < t.length; l++) {
            t[l] = threshold(l);
        }
        return t;
    }

    /**
     * One Adam step on d loss / d theta; returns the change of each theta. With
     * {@code shared}, the second moment is the mean over layers of g_l^2, so the step
     * keeps the layers' relative gradient sizes instead of moving each about lr.
     */
    double[] adamStep(double[] gradient, double lr, boolean shared) {
        steps++;
        double[] delta = new double[theta.length];
        double c1 = 1 - Math.pow(0.9, steps), c2 = 1 - Math.pow(0.999, steps);
        double meanSquare = 0;
        for (double g : gradient) {
            meanSquare += g * g / gradient.length;
        }
        for (int l = 0; l < theta.length; l++) {
            m[l] = 0.9 * m[l] + 0.1 * gradient[l];
            v[l] = 0.999 * v[l] + 0.001 * (shared ? meanSquare : gradient[l] * gradient[l]);
            double before = theta[l];
            theta[l] = clamp(l, theta[l] - lr * (m[l] / c1) / (Math.sqrt(v[l] / c2) + 1e-12));
            delta[l] = theta[l] - before;
        }
        return delta;
    }

    /** Adds {@code delta} to every theta (within the bounds). */
    void shift(double delta) {
        for (int l = 0; l < theta.length; l++) {
            theta[l] = clamp(l, theta[l] + delta);
        }
    }

    /** Keeps theta_l within [log low, log high] from now on (thresholds that give the layer's sparsity bounds). */
    void bound(int l, double lowThreshold, double highThreshold) {
        low[l] = Math.log(lowThreshold);
        high[l] = Math.log(Math.max(lowThreshold, highThreshold));
        theta[l] = clamp(l, theta[l]);
    }

    private double clamp(int l, double x) {
        return Math.max(low[l], Math.min(high[l], x));
    }
}
