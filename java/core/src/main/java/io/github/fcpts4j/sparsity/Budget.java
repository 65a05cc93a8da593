package io.github.fcpts4j.sparsity;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a projection must hit (FCPTS.md sections 3 and 7): a global target S*,
 * the cost of one weight of each layer (1 when sparsity is counted by
 * parameters, MACs_l / N_l when counted by FLOPs) and optional per-layer
 * bounds min_l &lt;= s_l &lt;= max_l.
 *
 * <p>Global sparsity under this budget is S = sum_l c_l p_l / sum_l c_l N_l,
 * with p_l the pruned weights of layer l and c_l the cost per weight. A budget with
 * {@link CostCurve}s (latency) counts S = sum_l v_l(p_l / N_l) / total instead, v_l the
 * layer's saving curve and total the whole model's cost (which may include parts no layer
 * can save); its {@code costs} are then each curve's mean saving per weight, the linear
 * weights the learned thresholds see.
 *
 * @param sparsity    S* in [0, 1)
 * @param costs       cost per weight of each layer, all > 0; null means 1 for every layer (parameters)
 * @param minSparsity per-layer lower bounds in [0, 1]; null means 0
 * @param maxSparsity per-layer upper bounds in [0, 1]; null means 1
 * @param curves      per-layer saving curves, or null for the linear costs
 * @param total       the cost S is a share of when {@code curves} are given (> 0); ignored otherwise
 */
public record Budget(double sparsity, double[] costs, double[] minSparsity, double[] maxSparsity,
                     List<CostCurve> curves, double total) {

    public Budget {
        if (!(sparsity >= 0) || !(sparsity < 1)) {
            throw new IllegalArgumentException("target sparsity must be in [0, 1), got " + sparsity);
        }
        costs = costs == null ? null : costs.clone();
        minSparsity = minSparsity == null ? null : minSparsity.clone();
        maxSparsity = maxSparsity == null ? null : maxSparsity.clone();
        curves = curves == null ? null : List.copyOf(curves);
        if (curves != null && (costs == null || !(total > 0) || !Double.isFinite(total))) {
            throw new IllegalArgumentException("a budget with cost curves needs per-weight costs and a total > 0, got "
                    + (costs == null ? "no costs" : "total " + total));
        }
    }

    /** A budget with linear costs (parameters or FLOPs). */
    public Budget(double sparsity, double[] costs, double[] minSparsity, double[] maxSparsity) {
        this(sparsity, costs, minSparsity, maxSparsity, null, Double.NaN);
    }

    /** This budget with another target (same costs, bounds and curves). */
    public Budget withSparsity(double s) {
        return new Budget(s, costs, minSparsity, maxSparsity, curves, total);
    }

    /** Counted by parameters, no per-layer bounds. */
    public static Budget parameters(double sparsity) {
        return new Budget(sparsity, null, null, null);
    }

    /** Cost per weight of layer {@code l}. */
    public double cost(int l) {
        return costs == null ? 1.0 : costs[l];
    }

    /** Whether every weight costs the same (parameter counting). */
    public boolean uniformCost() {
        return costs == null && curves == null;
    }

    /** What pruning {@code pruned} of the {@code size} weights of layer {@code l} saves. */
    public double saving(int l, int pruned, int size) {
        return curves != null ? curves.get(l).at(size == 0 ? 0 : (double) pruned / size) : cost(l) * pruned;
    }

    /** The cost S is a share of, for layers of these {@code sizes}: total, or sum_l c_l N_l. */
    public double allCost(long[] sizes) {
        if (curves != null) {
            return total;
        }
        double all = 0;
        for (int l = 0; l < sizes.length; l++) {
            all += cost(l) * sizes[l];
        }
        return all;
    }

    /** Fewest weights of a layer of {@code size} weights that must be pruned. */
    public int minPruned(int l, int size) {
        return minSparsity == null ? 0 : (int) Math.min(size, Math.ceil(minSparsity[l] * size - 1e-9));
    }

    /** Most weights of a layer of {@code size} weights that may be pruned. */
    public int maxPruned(int l, int size) {
        return maxSparsity == null ? size : (int) Math.max(0, Math.floor(maxSparsity[l] * size + 1e-9));
    }

    /** Checks the arrays against the layers; names the layer and value at fault. */
    public void validate(List<PrunableLayer> layers) {
        check("costs", costs, layers, 0, Double.POSITIVE_INFINITY, false);
        check("minimum sparsity", minSparsity, layers, 0, 1, true);
        check("maximum sparsity", maxSparsity, layers, 0, 1, true);
        if (curves != null && curves.size() != layers.size()) {
            throw new IllegalArgumentException("cost curves: one per layer expected (" + layers.size()
                    + " layers), got " + curves.size());
        }
        for (int l = 0; l < layers.size(); l++) {
            int n = layers.get(l).size();
            if (minPruned(l, n) > maxPruned(l, n)) {
                throw new IllegalArgumentException("layer '" + layers.get(l).name() + "': minimum sparsity "
                        + minSparsity[l] + " exceeds maximum sparsity " + maxSparsity[l]);
            }
        }
    }

    private static void check(String what, double[] values, List<PrunableLayer> layers, double lo, double hi,
                              boolean inclusive) {
        if (values == null) {
            return;
        }
        if (values.length != layers.size()) {
            throw new IllegalArgumentException(what + ": one value per layer expected (" + layers.size()
                    + " layers), got " + values.length);
        }
        for (int l = 0; l < values.length; l++) {
            double v = values[l];
            boolean ok = inclusive ? v >= lo && v <= hi : v > lo && v < hi;
            if (!ok) {
                throw new IllegalArgumentException(what + " of layer '" + layers.get(l).name() + "' must be in "
                        + (inclusive ? "[" : "(") + lo + ", " + hi + (inclusive ? "]" : ")") + ", got " + v);
            }
        }
    }

    @Override
    public String toString() {
        return "Budget[sparsity=" + sparsity + ", costs=" + Arrays.toString(costs) + ", min="
                + Arrays.toString(minSparsity) + ", max=" + Arrays.toString(maxSparsity)
                + (curves == null ? "" : ", curves=" + curves + ", total=" + total) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Budget b && b.sparsity == sparsity && Arrays.equals(b.costs, costs)
                && Arrays.equals(b.minSparsity, minSparsity) && Arrays.equals(b.maxSparsity, maxSparsity)
                && Objects.equals(b.curves, curves) && (curves == null || b.total == total);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(sparsity) * 31 + Arrays.hashCode(costs);
    }
}
