package io.github.fcpts4j.sparsity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Prunes the weights of smallest score across layers until a {@link Budget}
 * is met exactly (FCPTS.md section 7).
 *
 * <p>Order: every weight gets a score (|w_i| / t_l for a threshold allocation,
 * the LAMP score for LAMP), rounded to float, and weights are taken in
 * ascending (score, layer, index) order, so equal inputs give equal masks.
 * Per-layer bounds change the order only locally: the min_l lowest-scored
 * weights of layer l come first, and the weights ranked at or above max_l
 * are never taken. The pruned set is the shortest prefix of that order whose
 * cost reaches the target:
 * <pre>
 *   parameters: exactly k = round(S* N) weights (costs all 1)
 *   FLOPs:      the prefix whose cost sum_l c_l p_l is nearest to S* sum_l c_l N_l
 *   latency:    the prefix whose saving sum_l v_l(p_l / N_l) is nearest to S* total
 * </pre>
 * (every layer's saving never falls as it loses weights, so the saving of the prefix never falls either);
 * then each layer gives back the weights on a flat part of its curve (the fewest zeros with the same saving),
 * so latency mode never prunes a weight that buys no time.
 * The prefix is found by bisection on the float score bits (count_l(v) is a
 * binary search in the layer's sorted keys), then the ties at the crossing
 * score are taken in (layer, index) order. O(N log N) for the per-layer sorts.
 */
public final class ExactProjection {
    private static final long INDEX_MASK = 0xffff_ffffL;
    /** One past the largest score bits (+infinity is 0x7f800000). */
    private static final int END = 0x7f80_0001;

    private ExactProjection() {
    }

    /**
     * @param scores per layer, the scores of its weights (finite, >= 0); called once per layer
     */
    public static Masks select(List<PrunableLayer> layers, IntFunction<float[]> scores, Budget budget) {
        budget.validate(layers);
        int n = layers.size();
        long[][] keys = new long[n][];
        int[] lo = new int[n], hi = new int[n];
        double target, minCost = 0, maxCost = 0;
        long[] layerSizes = new long[n];
        for (int l = 0; l < n; l++) {
            keys[l] = sortedKeys(layers.get(l).name(), scores.apply(l), layers.get(l).size());
            layerSizes[l] = keys[l].length;
            lo[l] = budget.minPruned(l, keys[l].length);
            hi[l] = budget.maxPruned(l, keys[l].length);
            minCost += budget.saving(l, lo[l], keys[l].length);
            maxCost += budget.saving(l, hi[l], keys[l].length);
        }
        double allCost = budget.allCost(layerSizes);
        long totalWeights = layers.stream().mapToLong(PrunableLayer::size).sum();
        target = budget.uniformCost() ? Math.round(budget.sparsity() * totalWeights) : budget.sparsity() * allCost;
        double slack = budget.uniformCost() ? 0 : 1e-9 * allCost;
        if (target < minCost - slack || target > maxCost + slack) {
            throw new IllegalArgumentException(String.format(
                    "target sparsity %s cannot be met within the per-layer bounds: they allow %.6f to %.6f",
                    budget.sparsity(), allCost > 0 ? minCost / allCost : 0, allCost > 0 ? maxCost / allCost : 0));
        }
        // largest v with cost(v) <= target; cost(0) = minCost <= target
        int low = 0, high = END;
        while (low < high) {
            int mid = (int) (((long) low + high + 1) >>> 1);
            if (cost(keys, lo, hi, budget, mid) <= target) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        int v = low;
        int[] take = new int[n];
        double cost = 0;
        for (int l = 0; l < n; l++) {
            take[l] = count(keys[l], lo[l], hi[l], v);
            cost += budget.saving(l, take[l], keys[l].length);
        }
        boolean done = v == END;
        for (int l = 0; l < n && !done; l++) {
            int tiesEnd = count(keys[l], lo[l], hi[l], v + 1);
            while (take[l] < tiesEnd && cost < target) {
                int size = keys[l].length;
                double c = budget.curves() == null ? budget.cost(l)
                        : budget.saving(l, take[l] + 1, size) - budget.saving(l, take[l], size);
                if (cost + c > target && cost + c - target >= target - cost) {
                    break; // the prefix without this weight is nearer the target
                }
                take[l]++;
                cost += c;
            }
            done = take[l] < tiesEnd || cost >= target;
        }
        if (budget.curves() != null) {
            for (int l = 0; l < n; l++) {
                take[l] = fewestForSaving(budget, l, lo[l], take[l], keys[l].length);
            }
        }
        BitSet[] pruned = new BitSet[n];
        int[] sizes = new int[n];
        List<String> names = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            pruned[l] = new BitSet(keys[l].length);
            sizes[l] = keys[l].length;
            names.add(layers.get(l).name());
            for (int r = 0; r < take[l]; r++) {
                pruned[l].set((int) (keys[l][r] & INDEX_MASK));
            }
        }
        return new Masks(names, pruned, sizes);
    }

    /**
     * The fewest weights of layer l, at least {@code lo}, that save what {@code take} saves: on a flat part
     * of a saving curve more zeros buy nothing, so the highest-scored of them stay.
     */
    private static int fewestForSaving(Budget budget, int l, int lo, int take, int size) {
        double saving = budget.saving(l, take, size);
        int low = lo, high = take;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (budget.saving(l, mid, size) >= saving) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    private static long[] sortedKeys(String layer, float[] scores, int size) {
        if (scores.length != size) {
            throw new IllegalArgumentException("layer '" + layer + "': " + scores.length + " scores for " + size
                    + " weights");
        }
        long[] keys = new long[size];
        for (int i = 0; i < size; i++) {
            float s = scores[i];
            if (!(s >= 0) || s == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("layer '" + layer + "': weight " + i + " has score " + s
                        + " (weights must be finite)");
            }
            keys[i] = ((long) Float.floatToIntBits(s + 0f) << 32) | i;
        }
        Arrays.sort(keys);
        return keys;
    }

    /** Weights of a layer taken when every score below {@code v} (as float bits) is taken. */
    private static int count(long[] keys, int lo, int hi, int v) {
        int below = lowerBound(keys, (long) v << 32);
        return Math.max(lo, Math.min(hi, below));
    }

    private static double cost(long[][] keys, int[] lo, int[] hi, Budget budget, int v) {
        double c = 0;
        for (int l = 0; l < keys.length; l++) {
            c += budget.saving(l, count(keys[l], lo[l], hi[l], v), keys[l].length);
        }
        return c;
    }

    private static int lowerBound(long[] a, long key) {
        int low = 0, high = a.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (a[mid] < key) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
