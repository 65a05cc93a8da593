package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.LayerCosts;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.sparsity.Budget;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the target part of a configuration into the {@link Budget} of the chosen layers: the
 * cost of one weight (1, or MACs_l / N_l per sample in FLOPs mode, FCPTS.md
 * section 3) and the per-layer sparsity bounds (the global range, overridden
 * by {@link FcptsConfig.LayerBound} globs over node or weight names; a glob
 * that matches no chosen layer is an error naming it).
 */
public final class TargetBudget {
    private TargetBudget() {
    }

    /**
     * @param sampleShape the shape of one input sample with batch 1, e.g. [1, 1, 28, 28] (FLOPs mode needs it)
     */
    public static Budget resolve(Graph graph, List<Node> prunable, TargetSettings t, long[] sampleShape) {
        int n = prunable.size();
        double[] costs = null;
        if (t.costBasis() == FcptsConfig.CostBasis.FLOPS) {
            Map<String, LayerCosts.Layer> byNode = new HashMap<>();
            for (LayerCosts.Layer l : LayerCosts.of(graph, Map.of(graph.inputs().get(0).name(), sampleShape))) {
                byNode.put(l.node(), l);
            }
            costs = new double[n];
            for (int l = 0; l < n; l++) {
                LayerCosts.Layer cost = byNode.get(prunable.get(l).name());
                costs[l] = (double) cost.macs() / Math.max(1, cost.weights());
            }
        }
        double[] min = null, max = null;
        if (t.bounded()) {
            min = new double[n];
            max = new double[n];
            java.util.Arrays.fill(min, t.minLayerSparsity());
            java.util.Arrays.fill(max, t.maxLayerSparsity());
            for (FcptsConfig.LayerBound b : t.layerBounds()) {
                PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + b.pattern());
                boolean hit = false;
                for (int l = 0; l < n; l++) {
                    Node node = prunable.get(l);
                    if (glob.matches(Path.of(node.name())) || glob.matches(Path.of(node.input(1)))) {
                        min[l] = b.min();
                        max[l] = b.max();
                        hit = true;
                    }
                }
                if (!hit) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "layer bound pattern '" + b.pattern()
                            + "' matches no prunable layer of '" + graph.name() + "' (prunable: "
                            + prunable.stream().map(Node::name).toList() + ")");
                }
            }
        }
        return new Budget(t.sparsity(), costs, min, max);
    }
}
