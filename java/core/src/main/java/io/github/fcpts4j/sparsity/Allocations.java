package io.github.fcpts4j.sparsity;

import java.util.List;

/**
 * Sparsity allocations and the exact global projection (FCPTS.md sections 7
 * and 8). Every method returns masks with exactly round(S* N) pruned weights
 * among the N prunable weights.
 *
 * <p>The exact projection: with per-layer thresholds t_l, shifting all
 * log-thresholds by one common delta and settling the remainder by the ratio
 * |w| / t_l is the same as pruning the round(S* N) weights of smallest score
 * |w_i| / t_l over all layers; ties break by (layer, index), so the result is
 * deterministic. Baselines differ only in their scores:
 * <ul>
 *   <li>uniform magnitude: t_l = the S*-quantile of |w| in layer l (every layer near S*);</li>
 *   <li>global magnitude: t_l = 1 (one threshold on |w|);</li>
 *   <li>ERK (RigL): layer density proportional to (sum of dims) / (product of dims), scaled
 *   to meet S*, capped at 1; t_l = the (1 - d_l)-quantile of |w|;</li>
 *   <li>LAMP (Lee et al. 2021): score w_i^2 / (sum of w_j^2 over j ranked at or above i in the layer).</li>
 * </ul>
 */
public final class Allocations {
    private Allocations() {
    }

    /** Exact projection of per-layer thresholds t_l > 0 to round(S* N) pruned weights. */
    public static Masks project(List<PrunableLayer> layers, double[] thresholds, double sparsity) {
        return project(layers, thresholds, Budget.parameters(sparsity));
    }

    /** Exact projection of per-layer thresholds t_l > 0 onto a budget (parameters, FLOPs or latency curves, bounds). */
    public static Masks project(List<PrunableLayer> layers, double[] thresholds, Budget budget) {
        if (thresholds.length != layers.size()) {
            throw new IllegalArgumentException("one threshold per layer: " + layers.size() + " layers, "
                    + thresholds.length + " thresholds");
        }
        for (int l = 0; l < layers.size(); l++) {
            if (!(thresholds[l] > 0) || !Double.isFinite(thresholds[l])) {
                throw new IllegalArgumentException("threshold of layer '" + layers.get(l).name()
                        + "' must be finite and > 0, got " + thresholds[l]);
            }
        }
        return ExactProjection.select(layers, l -> {
            float[] w = layers.get(l).weights();
            float[] scores = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                // |w| / t overflows float where t is tiny (a layer of near-zero weights, as real models have):
                // such a weight is far above its threshold either way, and the cap keeps it comparable
                scores[i] = (float) Math.min(Math.abs(w[i]) / thresholds[l], Float.MAX_VALUE);
            }
            return scores;
        }, budget);
    }

    /** The magnitude allocation {@code method} at {@code budget}. */
    public static Masks baseline(MagnitudeAllocation method, List<PrunableLayer> layers, Budget budget) {
        return switch (method) {
            case UNIFORM -> uniform(layers, budget);
            case GLOBAL -> globalMagnitude(layers, budget);
            case ERK -> erk(layers, budget);
            case LAMP -> lamp(layers, budget);
        };
    }

    public static Masks uniform(List<PrunableLayer> layers, double sparsity) {
        return uniform(layers, Budget.parameters(sparsity));
    }

    public static Masks uniform(List<PrunableLayer> layers, Budget budget) {
        double[] t = new double[layers.size()];
        for (int l = 0; l < t.length; l++) {
            t[l] = quantileThreshold(layers.get(l).weights(), budget.sparsity());
        }
        return project(layers, t, budget);
    }

    public static Masks globalMagnitude(List<PrunableLayer> layers, double sparsity) {
        return globalMagnitude(layers, Budget.parameters(sparsity));
    }

    public static Masks globalMagnitude(List<PrunableLayer> layers, Budget budget) {
        double[] t = new double[layers.size()];
        java.util.Arrays.fill(t, 1.0);
        return project(layers, t, budget);
    }

    /** ERK layer densities meeting (1 - S*) N kept weights, capped at 1 (dense layers leave the pool). */
    public static double[] erkDensities(List<PrunableLayer> layers, double sparsity) {
        int n = layers.size();
        double[] raw = new double[n], density = new double[n];
        boolean[] dense = new boolean[n];
        for (int l = 0; l < n; l++) {
            long[] d = layers.get(l).dims();
            double sum = 0, prod = 1;
            for (long x : d) {
                sum += x;
                prod *= x;
            }
            raw[l] = sum / prod;
        }
        double keep = (1 - sparsity) * layers.stream().mapToLong(PrunableLayer::size).sum();
        while (true) {
            double fixed = 0, weighted = 0;
            for (int l = 0; l < n; l++) {
                if (dense[l]) {
                    fixed += layers.get(l).size();
                } else {
                    weighted += raw[l] * layers.get(l).size();
                }
            }
            double epsilon = weighted == 0 ? 0 : (keep - fixed) / weighted;
            boolean changed = false;
            for (int l = 0; l < n; l++) {
                density[l] = dense[l] ? 1.0 : epsilon * raw[l];
                if (!dense[l] && density[l] > 1) {
                    dense[l] = true;
                    changed = true;
                }
            }
            if (!changed) {
                return density;
            }
        }
    }

    public static Masks erk(List<PrunableLayer> layers, double sparsity) {
        return erk(layers, Budget.parameters(sparsity));
    }

    /** ERK densities at S* (by parameters) as per-layer scales, projected onto {@code budget}. */
    public static Masks erk(List<PrunableLayer> layers, Budget budget) {
        double[] density = erkDensities(layers, budget.sparsity());
        double[] t = new double[layers.size()];
        for (int l = 0; l < t.length; l++) {
            t[l] = quantileThreshold(layers.get(l).weights(), 1 - density[l]);
        }
        return project(layers, t, budget);
    }

    public static Masks lamp(List<PrunableLayer> layers, double sparsity) {
        return lamp(layers, Budget.parameters(sparsity));
    }

    public static Masks lamp(List<PrunableLayer> layers, Budget budget) {
        float[][] scores = new float[layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            float[] w = layers.get(l).weights();
            Integer[] order = new Integer[w.length];
            for (int i = 0; i < w.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare((double) w[a] * w[a], (double) w[b] * w[b]));
            double suffix = 0;
            scores[l] = new float[w.length];
            for (int r = w.length - 1; r >= 0; r--) {
                double sq = (double) w[order[r]] * w[order[r]];
                suffix += sq;
                scores[l][order[r]] = suffix == 0 ? 0f : (float) (sq / suffix);
            }
        }
        return ExactProjection.select(layers, l -> scores[l], budget);
    }

    /**
     * A threshold (> 0) at the {@code fraction}-quantile of |w|, used only as a
     * per-layer scale for the projection; a layer of zeros gets 1.
     */
    public static double quantileThreshold(float[] w, double fraction) {
        if (w.length == 0) {
            return 1.0;
        }
        double[] a = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            a[i] = Math.abs(w[i]);
        }
        java.util.Arrays.sort(a);
        int k = (int) Math.min(w.length - 1, Math.max(0, Math.round(fraction * w.length) - 1));
        double t = a[k];
        if (t > 0) {
            return t;
        }
        double max = a[a.length - 1];
        return max > 0 ? Math.ulp(max) : 1.0;
    }

    /**
     * A threshold t > 0 such that 1[|w| > t] prunes the {@code count} smallest magnitudes of
     * {@code w} (up to ties): the largest pruned magnitude, or half the smallest when none is pruned.
     */
    public static double thresholdPruning(float[] w, int count) {
        if (w.length == 0) {
            return 1.0;
        }
        float[] a = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            a[i] = Math.abs(w[i]);
        }
        java.util.Arrays.sort(a);
        double t = count <= 0 ? a[0] / 2.0 : a[Math.min(count, a.length) - 1];
        return Math.max(t, Float.MIN_NORMAL);
    }
}
