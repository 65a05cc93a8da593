package io.github.fcpts4j.sparsity;

import io.github.fcpts4j.backend.KdeSums;

/**
 * The differentiable bridge of FCPTS.md section 3, read off the per-layer sums
 * of one fused pass ({@link KdeSums}), for layer l with N_l weights, threshold
 * t_l and bandwidth h_l:
 * <pre>
 *   smooth sparsity  s_l(t) = (1/N_l) sum Phi((t - |w_i|) / h_l)
 *   density          ds_l/dt = (1/(N_l h_l)) sum phi((t - |w_i|) / h_l)
 *   hard sparsity    1 - #{|w_i| > t} / N_l
 *   straight-through dL_rec/dt_l = -(1/h_l) sum g_i w_i phi((|w_i| - t) / h_l)
 *   Silverman        h_l = 1.06 std(|w|) N_l^(-1/5), floored at max(1e-8 rms(w), FLT_MIN)
 * </pre>
 * The floor uses rms(w) = sqrt(sum w^2 / N_l) instead of max|w| (FCPTS.md's
 * example) because the fused pass already returns sum w^2; both equal |c| for
 * a constant layer, which is the case the floor exists for. An empty layer
 * has sparsity 0, density 0 and the minimum bandwidth.
 */
public final class KdeBridge {
    /** Smallest bandwidth handed to a kernel: its inverse is still a finite float. */
    public static final double MIN_BANDWIDTH = Float.MIN_NORMAL;

    private KdeBridge() {
    }

    public static double smoothSparsity(KdeSums sums, int layer) {
        long n = sums.layout().size(layer);
        return n == 0 ? 0.0 : sums.sumCdf(layer) / n;
    }

    public static double density(KdeSums sums, int layer, double bandwidth) {
        long n = sums.layout().size(layer);
        return n == 0 ? 0.0 : sums.sumPdf(layer) / (n * bandwidth);
    }

    public static double hardSparsity(KdeSums sums, int layer) {
        long n = sums.layout().size(layer);
        return n == 0 ? 0.0 : 1.0 - (double) sums.kept(layer) / n;
    }

    public static double straightThroughThresholdGradient(KdeSums sums, int layer, double bandwidth) {
        return -sums.sumGradWeightPdf(layer) / bandwidth;
    }

    public static double silvermanBandwidth(KdeSums sums, int layer) {
        long n = sums.layout().size(layer);
        if (n == 0) {
            return MIN_BANDWIDTH;
        }
        double meanAbs = sums.sumAbs(layer) / n;
        double meanSquare = sums.sumSquares(layer) / n;
        double std = Math.sqrt(Math.max(0.0, meanSquare - meanAbs * meanAbs));
        double h = 1.06 * std * Math.pow(n, -0.2);
        return Math.max(h, Math.max(1e-8 * Math.sqrt(meanSquare), MIN_BANDWIDTH));
    }
}
