package io.github.fcpts4j.engine;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ops.Ops;

import java.util.Map;
import java.util.function.ObjIntConsumer;

/**
 * Re-estimates every BatchNorm's running statistics of a (pruned) graph on
 * calibration batches (FCPTS.md section 7, optional step): the graph runs in
 * training mode, so each BatchNorm normalizes with its batch statistics, and
 * its running mean and variance become the cumulative average over the K
 * batches (momentum k / (k + 1) before batch k, so batch 0 replaces the old
 * statistics). Weights are untouched; the returned graph differs from the
 * input only in the BatchNorm mean and variance tensors.
 */
public final class BatchNormRecalibration {
    private BatchNormRecalibration() {
    }

    /**
     * @param fill writes batch {@code k} of {@code batches} into {@code images} (length batch x sample size)
     */
    public static Graph run(Graph graph, Backend backend, long[] batchShape, int batches, float[] images,
                            ObjIntConsumer<float[]> fill) {
        if (graph.nodes().stream().allMatch(n -> Ops.of(n.op()).runningStatisticInputs().isEmpty()) || batches == 0) {
            return graph;
        }
        String input = graph.inputs().get(0).name();
        Graph out;
        try (NetworkExecutor e = NetworkExecutor.compile(graph, backend, Map.of(input, batchShape), true)) {
            e.setTraining(true);
            for (int k = 0; k < batches; k++) {
                e.setBatchNormMomentum((float) k / (k + 1));
                fill.accept(images, k);
                e.run(Map.of(input, images));
            }
            Graph current = e.currentGraph();
            out = graph;
            for (Node n : graph.nodes()) {
                for (int i : Ops.of(n.op()).runningStatisticInputs()) {
                    out = out.withInitializer(n.input(i), current.initializer(n.input(i)).orElseThrow());
                }
            }
        }
        return out;
    }
}
