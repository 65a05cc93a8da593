package io.github.fcpts4j.sparsity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The projection onto a budget of saving curves (latency mode) against a brute-force reference: every weight in
 * (score, layer, index) order, the shortest prefix whose summed curve saving is nearest S* total, then each
 * layer cut back to the fewest zeros with the same saving. Random layers with ties, random curves with flat
 * parts (a zero start, a plateau, the flat tail past the last knot).
 */
class ExactProjectionCurvesTest {

    /** Non-decreasing savings at 0, 0.3, 0.5, 0.7, 0.9 with flat parts: some steps add nothing. */
    private static CostCurve randomCurve(SplittableRandom rng) {
        double[] s = {0, 0.3, 0.5, 0.7, 0.9};
        double[] v = new double[s.length];
        for (int i = 1; i < s.length; i++) {
            v[i] = v[i - 1] + (rng.nextInt(3) == 0 ? 0 : rng.nextDouble(0.1, 2));
        }
        return new CostCurve(s, v);
    }

    private static Budget curveBudget(double target, List<PrunableLayer> layers, List<CostCurve> curves,
                                      double[] min, double[] max) {
        double[] costs = new double[layers.size()];
        double total = 1; // a part of the model no layer can save
        for (int l = 0; l < costs.length; l++) {
            costs[l] = Math.max(curves.get(l).chordSlope(), 1e-9) / layers.get(l).size();
            total += curves.get(l).max();
        }
        return new Budget(target, costs, min, max, curves, total);
    }

    private static int[] reference(List<PrunableLayer> layers, double[] t, Budget b, List<Integer>[] orderOut) {
        int n = layers.size();
        List<ExactProjectionTest.Entry> order = ExactProjectionTest.referenceOrder(layers, t, b, orderOut);
        double target = b.sparsity() * b.total();
        int forced = (int) order.stream().filter(e -> e.forced() == 0).count();
        int[] count = new int[n];
        int[] best = null;
        double bestGap = Double.MAX_VALUE;
        for (int k = 0; k <= order.size(); k++) {
            double cost = 0;
            for (int l = 0; l < n; l++) {
                cost += b.saving(l, count[l], layers.get(l).size());
            }
            if (k >= forced && Math.abs(cost - target) < bestGap - 1e-12) {
                best = count.clone();
                bestGap = Math.abs(cost - target);
            }
            if (k < order.size()) {
                count[order.get(k).layer()]++;
            }
        }
        for (int l = 0; l < n; l++) {
            int size = layers.get(l).size();
            double saving = b.saving(l, best[l], size);
            int c = b.minPruned(l, size);
            while (b.saving(l, c, size) < saving) {
                c++;
            }
            best[l] = c;
        }
        return best;
    }

    @SuppressWarnings("unchecked")
    private static void assertSameAsReference(List<PrunableLayer> layers, double[] t, Budget b) {
        Masks m = Allocations.project(layers, t, b);
        List<Integer>[] order = new List[layers.size()];
        int[] ref = reference(layers, t, b, order);
        for (int l = 0; l < layers.size(); l++) {
            assertEquals(ref[l], m.prunedCount(l), b.sparsity() + ": layer " + l);
            for (int r = 0; r < ref[l]; r++) {
                assertTrue(m.isPruned(l, order[l].get(r)), "layer " + l + ": its " + r + "-th lowest score");
            }
        }
    }

    @Test
    void curveBudgetsMatchTheReferenceOnRandomLayersAndCurves() {
        for (long seed = 1; seed <= 6; seed++) {
            SplittableRandom rng = new SplittableRandom(seed * 31);
            List<PrunableLayer> layers = ExactProjectionTest.randomLayers(seed, 37, 3, 120, 64, 9);
            List<CostCurve> curves = new ArrayList<>();
            layers.forEach(l -> curves.add(randomCurve(rng)));
            double[] t = {0.5, 1.0, 0.25, 2.0, 0.75};
            double reachable = curves.stream().mapToDouble(CostCurve::max).sum()
                    / curveBudget(0, layers, curves, null, null).total();
            for (double share : new double[] {0, 0.2, 0.5, 0.8, 0.99}) {
                assertSameAsReference(layers, t, curveBudget(share * reachable, layers, curves, null, null));
            }
            double[] min = {0.1, 0, 0, 0.5, 0}, max = {1, 0.6, 0.9, 1, 0.4};
            assertSameAsReference(layers, t, curveBudget(0.4 * reachable, layers, curves, min, max));
        }
    }

    @Test
    void noLayerKeepsZerosOnAFlatPartOfItsCurve() {
        List<PrunableLayer> layers = ExactProjectionTest.randomLayers(11, 100, 100);
        // layer 0 saves nothing below 50 % and nothing more past 70 %; layer 1 saves linearly
        List<CostCurve> curves = List.of(new CostCurve(new double[] {0, 0.5, 0.7}, new double[] {0, 0, 1}),
                new CostCurve(new double[] {0, 0.9}, new double[] {0, 0.9}));
        Budget b = curveBudget(0.5, layers, curves, null, null);
        Masks m = Allocations.project(layers, new double[] {1, 1}, b);
        double saving = 0;
        for (int l = 0; l < 2; l++) {
            double s = m.sparsity(l);
            saving += curves.get(l).at(s);
            double less = Math.max(0, s - 0.01);
            assertTrue(curves.get(l).at(less) < curves.get(l).at(s) || s == 0,
                    "layer " + l + " at " + s + " could give zeros back for free");
        }
        assertEquals(0.5 * b.total(), saving, 0.02 + 1e-9, "nearest the target");
    }

    @Test
    void badCurvesAreNamedErrors() {
        assertThrows(IllegalArgumentException.class, () -> new CostCurve(new double[] {0, 0.5}, new double[] {0, -1}));
        assertThrows(IllegalArgumentException.class, () -> new CostCurve(new double[] {0.1}, new double[] {0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CostCurve(new double[] {0, 0.5, 0.4}, new double[] {0, 1, 2}));
        assertTrue(e.getMessage().contains("knot 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Budget(0.5, null, null, null,
                List.of(new CostCurve(new double[] {0}, new double[] {0})), 1));
        CostCurve c = new CostCurve(new double[] {0, 0.5, 0.9}, new double[] {0, 1, 3});
        assertEquals(0.5, c.at(0.25), 1e-12);
        assertEquals(2, c.at(0.7), 1e-12);
        assertEquals(3, c.at(1), 0);
        assertEquals(3 / 0.9, c.chordSlope(), 1e-12);
    }
}
