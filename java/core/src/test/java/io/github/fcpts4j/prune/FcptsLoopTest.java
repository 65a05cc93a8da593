package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.IdxDataset;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.Trainer;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.Masks;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * FCPTS on the shipped ResNet-20 with a short schedule: the global sparsity is
 * exact, the same seed gives the same masks bit for bit, and the learned
 * allocation with reconstruction beats every magnitude baseline (without
 * reconstruction) on held-out test images.
 */
class FcptsLoopTest {
    private static final FcptsConfig SHORT = FcptsConfig.defaults(0.7).withIterations(40).withBatch(32);

    private static Graph model() {
        return OnnxImporter.read(Path.of("../../examples/models/resnet20_fashion_mnist.onnx")).graph();
    }

    private static List<PrunableLayer> layers(Graph g) {
        List<PrunableLayer> out = new ArrayList<>();
        for (Node n : g.prunableNodes()) {
            TensorData w = g.initializer(n.input(1)).orElseThrow();
            out.add(new PrunableLayer(n.name(), w.dims(), w.floats()));
        }
        return out;
    }

    private static Graph apply(Graph g, Masks m) {
        return m.applyTo(g, g.prunableNodes(), layers(g));
    }

    @Test
    void exactDeterministicAndBetterThanTheBaselines() {
        Graph dense = model();
        IdxDataset calibration = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.CALIBRATION);
        IdxDataset test = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.TEST).head(1000);
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            FcptsLoop.Outcome first = FcptsLoop.run(dense, calibration, SHORT, cpu, s -> true);
            FcptsLoop.Outcome second = FcptsLoop.run(dense, calibration, SHORT, cpu, s -> true);
            long total = first.masks().totalCount();
            assertEquals(Math.round(0.7 * total), first.masks().prunedCount(), "exactly round(S* N) zeros");
            for (int l = 0; l < first.masks().layers(); l++) {
                for (int i = 0; i < dense.initializer(dense.prunableNodes().get(l).input(1)).orElseThrow().size(); i++) {
                    assertEquals(first.masks().isPruned(l, i), second.masks().isPruned(l, i), "same seed, same mask");
                }
            }
            assertArrayEquals(first.thresholds(), second.thresholds(), 0.0);
            double fcpts = Trainer.accuracy(first.pruned(), test, cpu);
            List<PrunableLayer> ls = layers(dense);
            double best = 0;
            for (Masks m : List.of(Allocations.uniform(ls, 0.7), Allocations.globalMagnitude(ls, 0.7),
                    Allocations.erk(ls, 0.7), Allocations.lamp(ls, 0.7))) {
                best = Math.max(best, Trainer.accuracy(apply(dense, m), test, cpu));
            }
            assertTrue(fcpts > best, "FCPTS " + fcpts + " vs best baseline " + best);
        }
    }

    /** A baseline mask stays exactly as it is while the reconstruction recovers accuracy. */
    @Test
    void reconstructionAtAFixedMaskKeepsTheMaskAndRecoversAccuracy() {
        Graph dense = model();
        IdxDataset calibration = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.CALIBRATION);
        IdxDataset test = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.TEST).head(1000);
        List<PrunableLayer> ls = layers(dense);
        Masks lamp = Allocations.lamp(ls, 0.7);
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            FcptsLoop.Outcome o = FcptsLoop.run(dense, calibration, SHORT, cpu, s -> true, lamp);
            List<PrunableLayer> after = layers(o.pruned());
            for (int l = 0; l < ls.size(); l++) {
                float[] w = after.get(l).weights();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(lamp.isPruned(l, i), w[i] == 0f, "layer " + l + " weight " + i);
                }
            }
            double before = Trainer.accuracy(apply(dense, lamp), test, cpu);
            double recovered = Trainer.accuracy(o.pruned(), test, cpu);
            assertTrue(recovered > before + 0.05, "LAMP " + before + " -> with reconstruction " + recovered);
        }
    }
}
