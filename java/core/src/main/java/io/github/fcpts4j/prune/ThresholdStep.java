package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.sparsity.HardCountBridge;
import io.github.fcpts4j.sparsity.KdeBridge;

/**
 * One update of the log-thresholds theta_l (t_l = exp(theta_l)) from the per-layer sums of a step's fused
 * KDE pass (FCPTS.md sections 2, 3 and 7), with share_l = c_l N_l / sum_k c_k N_k ({@link FlatLayers#share}; over
 * the dense latency for a latency budget):
 * <pre>
 *   S       = sum_l share_l s_l(t_l)                     (smooth; the hard S likewise from the kept counts)
 *   L_c     = lambda (S - S*)^2, or lambda |S - S*|
 *   dL/dtheta_l = t_l (dL_c/dS share_l ds_l/dt + dL_rec/dt_l)
 * </pre>
 * ds_l/dt is the Gaussian KDE density at t_l (or the hard-count difference, {@link HardCountBridge}) and
 * dL_rec/dt_l the straight-through term -(1/h_l) sum g w phi (when on). One Adam step moves theta; with
 * {@code projectEachStep} a common shift of all theta_l then puts the first-order prediction of the hard
 * sparsity back on S*. Last, t_l and the Silverman bandwidths h_l for the next step are refreshed.
 * {@link FcptsLoop} calls {@link #apply} once per step while the thresholds are learned.
 */
final class ThresholdStep {

    /**
     * What a step saw before it moved the thresholds: the constraint term L_c, the smooth and the hard
     * global sparsity, and dL/dtheta_l.
     */
    record Result(double constraint, double smooth, double hard, double[] gradient) {
    }

    private final ThresholdSettings settings;
    private final double target;
    private final double lambda;
    private final boolean absolute;
    private final double[] share;

    ThresholdStep(FcptsConfig c, double[] share) {
        this.settings = c.thresholds();
        this.target = c.target().sparsity();
        this.lambda = c.objective().lambda();
        this.absolute = c.objective().absoluteConstraint();
        this.share = share;
    }

    /**
     * Moves {@code theta} one step and writes the new thresholds into {@code t} and the new bandwidths into
     * {@code h} (both read as the current ones first). {@code w} and {@code g} are the host copies of the
     * flat weights and weight gradients; only the hard-count density reads them (null otherwise).
     */
    Result apply(LogThresholds theta, KdeSums sums, float[] w, float[] g, float[] t, float[] h) {
        int layers = share.length;
        boolean gaussian = settings.density() == FcptsConfig.DensityEstimate.KDE;
        double smooth = 0;
        double hard = 0;
        for (int l = 0; l < layers; l++) {
            smooth += KdeBridge.smoothSparsity(sums, l) * share[l];
            hard += KdeBridge.hardSparsity(sums, l) * share[l];
        }
        double gap = smooth - target;
        double constraint = absolute ? lambda * Math.abs(gap) : lambda * gap * gap;
        double dConstraint = absolute ? lambda * Math.signum(gap) : 2 * lambda * gap;
        SegmentLayout layout = sums.layout();
        double[] dTheta = new double[layers], slope = new double[layers];
        for (int l = 0; l < layers; l++) {
            int off = (int) layout.offset(l), n = (int) layout.size(l);
            double density = gaussian ? KdeBridge.density(sums, l, h[l])
                    : HardCountBridge.density(w, off, n, t[l], h[l]);
            double dt = dConstraint * share[l] * density;
            if (settings.straightThrough()) {
                dt += gaussian ? KdeBridge.straightThroughThresholdGradient(sums, l, h[l])
                        : HardCountBridge.straightThroughThresholdGradient(w, g, off, n, t[l], h[l]);
            }
            dTheta[l] = dt * t[l];
            slope[l] = share[l] * density * t[l];
        }
        double[] moved = theta.adamStep(dTheta, settings.lr(), settings.scale() == FcptsConfig.ThresholdScale.SHARED);
        if (settings.projectEachStep()) {
            theta.shift(restoringShift(hard, moved, slope));
        }
        for (int l = 0; l < layers; l++) {
            t[l] = (float) theta.threshold(l);
            h[l] = (float) KdeBridge.silvermanBandwidth(sums, l);
        }
        return new Result(constraint, smooth, hard, dTheta);
    }

    /**
     * The common shift of all theta_l that puts the first-order prediction of the hard
     * global sparsity after this step's threshold moves back on S* (0 when no layer has
     * density at its threshold); limited to +-0.5 (a factor 1.65 on every threshold).
     */
    private double restoringShift(double hard, double[] moved, double[] slope) {
        double predicted = hard, sumSlope = 0;
        for (int l = 0; l < moved.length; l++) {
            predicted += slope[l] * moved[l];
            sumSlope += slope[l];
        }
        if (!(sumSlope > 0)) {
            return 0;
        }
        return Math.max(-0.5, Math.min(0.5, (target - predicted) / sumSlope));
    }
}
