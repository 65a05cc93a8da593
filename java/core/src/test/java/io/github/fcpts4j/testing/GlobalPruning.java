package io.github.fcpts4j.testing;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.util.ArrayList;
import java.util.List;

/** Global-magnitude pruning of every prunable layer: the quick way tests get models at a given sparsity. */
public final class GlobalPruning {
    private GlobalPruning() {
    }

    public static Graph prune(Graph g, double sparsity) {
        List<PrunableLayer> layers = new ArrayList<>();
        for (Node n : g.prunableNodes()) {
            TensorData w = g.initializer(n.input(1)).orElseThrow();
            layers.add(new PrunableLayer(n.name(), w.dims(), w.floats()));
        }
        return Allocations.globalMagnitude(layers, sparsity).applyTo(g, g.prunableNodes(), layers);
    }
}
