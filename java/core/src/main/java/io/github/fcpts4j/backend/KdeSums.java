package io.github.fcpts4j.backend;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

/**
 * Per-layer sums of one fused KDE-CDF pass (double precision), with
 * z_i = (t_l - |w_i|) / h_l over the weights of layer l:
 * <ul>
 *   <li>{@link #sumCdf} = sum Phi(z_i)          (smooth sparsity times N_l)</li>
 *   <li>{@link #sumPdf} = sum phi(z_i)          (KDE density at t_l times N_l h_l)</li>
 *   <li>{@link #sumGradWeightPdf} = sum g_i w_i phi(z_i) (straight-through threshold gradient times -h_l)</li>
 *   <li>{@link #kept} = #{|w_i| > t_l}          (hard kept count)</li>
 *   <li>{@link #sumAbs} = sum |w_i|, {@link #sumSquares} = sum w_i^2 (for the next bandwidth)</li>
 * </ul>
 * The layout of the raw array matches native/include/fcpts/kde_fused.h.
 */
public final class KdeSums {
    /** Doubles per layer in the native stats array. */
    public static final int STATS_PER_LAYER = 7;
    private static final int CDF = 0, PDF = 1, GW_PDF = 2, KEPT = 3, ABS = 4, SQ = 5, NONFINITE = 6;

    private final SegmentLayout layout;
    private final double[] stats;

    private KdeSums(SegmentLayout layout, double[] stats) {
        this.layout = layout;
        this.stats = stats;
    }

    /**
     * Wraps the raw native stats of a pass and rejects non-finite input, naming
     * the first layer at fault. Called by every backend after its kernel ran.
     */
    public static KdeSums checked(SegmentLayout layout, double[] stats) {
        if (stats.length != layout.count() * STATS_PER_LAYER) {
            throw new IllegalArgumentException("expected " + layout.count() * STATS_PER_LAYER + " stats, got "
                    + stats.length);
        }
        for (int l = 0; l < layout.count(); l++) {
            double bad = stats[l * STATS_PER_LAYER + NONFINITE];
            if (bad != 0) {
                throw new FcptsException(ErrorCode.NON_FINITE_INPUT, "layer '" + layout.name(l) + "' (segment " + l
                        + "): " + (long) bad + " of " + layout.size(l)
                        + " weights or gradients are NaN or infinite");
            }
        }
        return new KdeSums(layout, stats.clone());
    }

    public SegmentLayout layout() {
        return layout;
    }

    public double sumCdf(int layer) {
        return stats[layer * STATS_PER_LAYER + CDF];
    }

    public double sumPdf(int layer) {
        return stats[layer * STATS_PER_LAYER + PDF];
    }

    public double sumGradWeightPdf(int layer) {
        return stats[layer * STATS_PER_LAYER + GW_PDF];
    }

    public long kept(int layer) {
        return (long) stats[layer * STATS_PER_LAYER + KEPT];
    }

    public double sumAbs(int layer) {
        return stats[layer * STATS_PER_LAYER + ABS];
    }

    public double sumSquares(int layer) {
        return stats[layer * STATS_PER_LAYER + SQ];
    }
}
