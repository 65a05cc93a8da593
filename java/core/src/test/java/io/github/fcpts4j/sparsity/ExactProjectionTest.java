package io.github.fcpts4j.sparsity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The projection against a brute-force reference that lists every weight in
 * (score, layer, index) order with the per-layer bounds applied and picks the
 * prefix nearest the target cost: same masks, on random layers of odd sizes
 * with ties, for parameter and FLOPs budgets, with and without bounds.
 */
class ExactProjectionTest {

    /** Layers of these sizes with weights on a coarse grid, so ties within and across layers are common. */
    static List<PrunableLayer> randomLayers(long seed, int... sizes) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<PrunableLayer> out = new ArrayList<>();
        for (int l = 0; l < sizes.length; l++) {
            float[] w = new float[sizes[l]];
            for (int i = 0; i < w.length; i++) {
                // a coarse grid makes ties within and across layers common
                w[i] = (float) (Math.round(rng.nextGaussian() * 8) / 8.0);
            }
            out.add(new PrunableLayer("layer" + l, new long[] {sizes[l]}, w));
        }
        return out;
    }

    /** One allowed weight in the reference order; forced = 0 for the min_l lowest-scored of its layer. */
    record Entry(float score, int layer, int index, int forced) {
    }

    /**
     * Every allowed weight in (forced, score, layer, index) order, the projection's order with its bounds;
     * {@code ranks[l]}, when given, receives layer l's indices in (score, index) order.
     */
    static List<Entry> referenceOrder(List<PrunableLayer> layers, double[] t, Budget b, List<Integer>[] ranks) {
        List<Entry> order = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            float[] w = layers.get(l).weights();
            Integer[] rank = new Integer[w.length];
            for (int i = 0; i < w.length; i++) {
                rank[i] = i;
            }
            int layer = l;
            Arrays.sort(rank, Comparator.<Integer>comparingDouble(i -> (float) (Math.abs(w[i]) / t[layer]))
                    .thenComparingInt(i -> i));
            if (ranks != null) {
                ranks[l] = Arrays.asList(rank);
            }
            int lo = b.minPruned(l, w.length), hi = b.maxPruned(l, w.length);
            for (int r = 0; r < hi; r++) {
                order.add(new Entry((float) (Math.abs(w[rank[r]]) / t[l]), l, rank[r], r < lo ? 0 : 1));
            }
        }
        order.sort(Comparator.comparingInt(Entry::forced).thenComparingDouble(Entry::score)
                .thenComparingInt(Entry::layer).thenComparingInt(Entry::index));
        return order;
    }

    /** The reference: sort all allowed weights, forced ones first, and take the nearest prefix. */
    private static boolean[][] reference(List<PrunableLayer> layers, double[] t, Budget b) {
        List<Entry> order = referenceOrder(layers, t, b, null);
        double all = 0;
        long n = 0;
        for (int l = 0; l < layers.size(); l++) {
            all += b.cost(l) * layers.get(l).size();
            n += layers.get(l).size();
        }
        double target = b.uniformCost() ? Math.round(b.sparsity() * n) : b.sparsity() * all;
        int forced = (int) order.stream().filter(e -> e.forced() == 0).count();
        double cost = 0;
        int best = 0;
        double bestGap = Double.MAX_VALUE;
        for (int k = 0; k <= order.size(); k++) {
            if (k >= forced && Math.abs(cost - target) < bestGap) {
                best = k;
                bestGap = Math.abs(cost - target);
            }
            if (k < order.size()) {
                cost += b.cost(order.get(k).layer());
            }
        }
        boolean[][] pruned = new boolean[layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            pruned[l] = new boolean[layers.get(l).size()];
        }
        for (int k = 0; k < best; k++) {
            pruned[order.get(k).layer()][order.get(k).index()] = true;
        }
        return pruned;
    }

    private static void assertSameAsReference(List<PrunableLayer> layers, double[] t, Budget b) {
        Masks m = Allocations.project(layers, t, b);
        boolean[][] ref = reference(layers, t, b);
        for (int l = 0; l < layers.size(); l++) {
            for (int i = 0; i < ref[l].length; i++) {
                assertEquals(ref[l][i], m.isPruned(l, i), b + ": layer " + l + " weight " + i);
            }
        }
    }

    @Test
    void parameterBudgetsMatchTheReferenceAndAreExact() {
        List<PrunableLayer> layers = randomLayers(3, 37, 1, 200, 64, 5);
        double[] t = {0.5, 1.0, 0.25, 2.0, 0.75};
        long n = layers.stream().mapToLong(PrunableLayer::size).sum();
        for (double s : new double[] {0, 0.13, 0.5, 0.95, 0.99}) {
            assertSameAsReference(layers, t, Budget.parameters(s));
            assertEquals(Math.round(s * n), Allocations.project(layers, t, s).prunedCount(), "S* " + s);
        }
    }

    @Test
    void flopsBudgetsTakeTheNearestPrefix() {
        List<PrunableLayer> layers = randomLayers(5, 37, 1, 200, 64, 5);
        double[] t = {0.5, 1.0, 0.25, 2.0, 0.75};
        double[] costs = {196, 1, 49, 3136, 12};
        for (double s : new double[] {0, 0.3, 0.5, 0.8, 0.95}) {
            Budget b = new Budget(s, costs, null, null);
            assertSameAsReference(layers, t, b);
            Masks m = Allocations.project(layers, t, b);
            double pruned = 0, all = 0;
            for (int l = 0; l < layers.size(); l++) {
                pruned += costs[l] * m.prunedCount(l);
                all += costs[l] * layers.get(l).size();
            }
            assertTrue(Math.abs(pruned - s * all) <= 3136 / 2.0, "within half the largest weight cost of S* " + s);
        }
    }

    /** Target cost 3 between prefixes of cost 2 and 4: equally near, the shorter prefix wins. */
    @Test
    void anEquallyNearLongerPrefixLosesToTheShorterOne() {
        List<PrunableLayer> one = List.of(new PrunableLayer("c", new long[] {3}, new float[] {0.1f, 0.2f, 0.3f}));
        Masks m = Allocations.project(one, new double[] {1}, new Budget(0.5, new double[] {2}, null, null));
        assertEquals(1, m.prunedCount());
        assertTrue(m.isPruned(0, 0));
        assertSameAsReference(one, new double[] {1}, new Budget(0.5, new double[] {2}, null, null));
    }

    @Test
    void perLayerBoundsHoldAndMatchTheReference() {
        List<PrunableLayer> layers = randomLayers(7, 37, 9, 200, 64, 5);
        double[] t = {0.5, 1.0, 0.25, 2.0, 0.75};
        double[] min = {0.2, 0, 0, 0.5, 0}, max = {1, 0.3, 0.9, 1, 0.4};
        for (double s : new double[] {0.3, 0.7, 0.85}) {
            Budget b = new Budget(s, null, min, max);
            assertSameAsReference(layers, t, b);
            Masks m = Allocations.project(layers, t, b);
            for (int l = 0; l < layers.size(); l++) {
                assertTrue(m.sparsity(l) >= min[l] - 1e-12 && m.sparsity(l) <= max[l] + 1e-12,
                        "layer " + l + " at " + m.sparsity(l));
            }
        }
        Budget flops = new Budget(0.6, new double[] {4, 1, 2, 9, 1}, min, max);
        assertSameAsReference(layers, t, flops);
    }

    @Test
    void infeasibleBoundsAndBadScoresAreNamedErrors() {
        List<PrunableLayer> layers = randomLayers(9, 10, 10);
        double[] t = {1, 1};
        IllegalArgumentException tooHigh = assertThrows(IllegalArgumentException.class, () ->
                Allocations.project(layers, t, new Budget(0.9, null, null, new double[] {0.5, 0.5})));
        assertTrue(tooHigh.getMessage().contains("per-layer bounds"), tooHigh.getMessage());
        IllegalArgumentException crossed = assertThrows(IllegalArgumentException.class, () ->
                Allocations.project(layers, t, new Budget(0.5, null, new double[] {0.6, 0}, new double[] {0.5, 1})));
        assertTrue(crossed.getMessage().contains("layer1") || crossed.getMessage().contains("layer0"),
                crossed.getMessage());
        float[] nan = new float[10];
        nan[3] = Float.NaN;
        List<PrunableLayer> bad = List.of(layers.get(0), new PrunableLayer("broken", new long[] {10}, nan));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Allocations.project(bad, t, 0.5));
        assertTrue(e.getMessage().contains("broken") && e.getMessage().contains("weight 3"), e.getMessage());
    }
}
