package io.github.fcpts4j.sparsity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.onnx.OnnxImporter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

/** Exactness and the defining property of every allocation, on the shipped ResNet-20's real weights. */
class AllocationsTest {
    private static final double[] TARGETS = {0.0, 0.5, 0.7, 0.95, 0.99};

    private static List<PrunableLayer> resnet20() {
        Graph g = OnnxImporter.read(Path.of("../../examples/models/resnet20_fashion_mnist.onnx")).graph();
        List<PrunableLayer> layers = new ArrayList<>();
        for (Node n : g.prunableNodes()) {
            var w = g.initializer(n.input(1)).orElseThrow();
            layers.add(new PrunableLayer(n.name(), w.dims(), w.floats()));
        }
        return layers;
    }

    private static final List<BiFunction<List<PrunableLayer>, Double, Masks>> METHODS = List.of(
            Allocations::uniform, Allocations::globalMagnitude, Allocations::erk, Allocations::lamp);

    @Test
    void everyMethodPrunesExactlyRoundSNWeights() {
        List<PrunableLayer> layers = resnet20();
        long n = layers.stream().mapToLong(PrunableLayer::size).sum();
        for (var method : METHODS) {
            for (double s : TARGETS) {
                Masks m = method.apply(layers, s);
                assertEquals(Math.round(s * n), m.prunedCount(), "target " + s);
                assertTrue(Math.abs(m.sparsity() - s) <= 1.0 / n, "|S - S*| <= 1/N at " + s);
            }
        }
    }

    @Test
    void uniformPrunesEveryLayerAtTheTarget() {
        List<PrunableLayer> layers = resnet20();
        Masks m = Allocations.uniform(layers, 0.7);
        for (int l = 0; l < layers.size(); l++) {
            assertEquals(0.7, m.sparsity(l), 2.0 / layers.get(l).size() + 1e-3, m.name(l));
        }
    }

    @Test
    void globalMagnitudeKeepsEveryLargerWeight() {
        List<PrunableLayer> layers = resnet20();
        Masks m = Allocations.globalMagnitude(layers, 0.8);
        double maxPruned = 0, minKept = Double.MAX_VALUE;
        for (int l = 0; l < layers.size(); l++) {
            float[] w = layers.get(l).weights();
            for (int i = 0; i < w.length; i++) {
                if (m.isPruned(l, i)) {
                    maxPruned = Math.max(maxPruned, Math.abs(w[i]));
                } else {
                    minKept = Math.min(minKept, Math.abs(w[i]));
                }
            }
        }
        assertTrue(maxPruned <= minKept, maxPruned + " > " + minKept);
    }

    @Test
    void erkDensitiesMeetTheBudgetAndFavourSmallLayers() {
        List<PrunableLayer> layers = resnet20();
        double[] d = Allocations.erkDensities(layers, 0.9);
        double kept = 0;
        long n = 0;
        for (int l = 0; l < d.length; l++) {
            assertTrue(d[l] > 0 && d[l] <= 1, "density of " + layers.get(l).name() + " = " + d[l]);
            kept += d[l] * layers.get(l).size();
            n += layers.get(l).size();
        }
        assertEquals(0.1 * n, kept, 1e-6 * n);
        // the 1-channel stem (144 weights) is denser than a 64x64x3x3 conv (36,864 weights)
        assertTrue(d[0] > d[d.length - 2], d[0] + " vs " + d[d.length - 2]);
        assertEquals(1.0, d[0], 0.0, "tiny layers are capped dense");
    }

    @Test
    void lampKeepsTheLargestWeightOfEveryLayer() {
        List<PrunableLayer> layers = resnet20();
        Masks m = Allocations.lamp(layers, 0.95);
        for (int l = 0; l < layers.size(); l++) {
            assertTrue(m.prunedCount(l) < layers.get(l).size(), m.name(l) + " was pruned away");
        }
    }

    @Test
    void projectionPrunesBySmallestRatioToTheLayerThreshold() {
        List<PrunableLayer> layers = List.of(new PrunableLayer("a", new long[] {4}, new float[] {1, 2, 3, 4}),
                new PrunableLayer("b", new long[] {4}, new float[] {10, 20, 30, 40}));
        // ratios a: 1,2,3,4 (t = 1); b: 1,2,3,4 (t = 10): ties broken by (layer, index)
        Masks m = Allocations.project(layers, new double[] {1, 10}, 3.0 / 8);
        assertEquals(3, m.prunedCount());
        assertTrue(m.isPruned(0, 0) && m.isPruned(1, 0) && m.isPruned(0, 1) && !m.isPruned(1, 1));
    }

    @Test
    void allEqualWeightsStillGiveTheExactCount() {
        float[] w = new float[101];
        java.util.Arrays.fill(w, 0.5f);
        List<PrunableLayer> layers = List.of(new PrunableLayer("flat", new long[] {101}, w));
        for (var method : METHODS) {
            assertEquals(Math.round(0.37 * 101), method.apply(layers, 0.37).prunedCount());
        }
    }

    @Test
    void targetsOutsideZeroToOneAreRejected() {
        List<PrunableLayer> layers = List.of(new PrunableLayer("x", new long[] {2}, new float[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Allocations.uniform(layers, 1.0));
        assertThrows(IllegalArgumentException.class, () -> Allocations.erk(layers, -0.1));
    }
}
