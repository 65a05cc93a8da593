package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.LayerCosts;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.sparse.LatencyTable;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.CostCurve;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the target part of a configuration into the {@link Budget} of the chosen layers: the
 * cost of one weight (1, or MACs_l / N_l per sample in FLOPs mode, FCPTS.md
 * section 3) and the per-layer sparsity bounds (the global range, overridden
 * by {@link FcptsConfig.LayerBound} globs over node or weight names; a glob
 * that matches no chosen layer is an error naming it).
 *
 * <p>In latency mode each layer gets the saving curve v_l of a {@link LatencyTable} in milliseconds, the budget's
 * total is the whole network's dense time, and the per-weight cost the thresholds learn with is the curve's
 * chord, v_l(s_top) / (s_top N_l). A layer that the sparse runtime never runs faster saves nothing at any
 * sparsity: it keeps its minimum sparsity (pruning it would cost accuracy and buy no time). A target above what
 * the table allows (every layer at its largest allowed sparsity) is an error that says how much can be removed.
 */
public final class TargetBudget {
    private TargetBudget() {
    }

    /**
     * @param sampleShape the shape of one input sample with batch 1, e.g. [1, 1, 28, 28] (FLOPs mode needs it)
     */
    public static Budget resolve(Graph graph, List<Node> prunable, TargetSettings t, long[] sampleShape) {
        return resolve(graph, prunable, t, sampleShape, null);
    }

    /** As above; latency mode needs the model's {@code latency} table (ignored otherwise). */
    public static Budget resolve(Graph graph, List<Node> prunable, TargetSettings t, long[] sampleShape,
                                 LatencyTable latency) {
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
        if (t.costBasis() != FcptsConfig.CostBasis.LATENCY) {
            return new Budget(t.sparsity(), costs, min, max);
        }
        if (latency == null) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the latency constraint needs the model's latency "
                    + "table (LatencyTables.obtain)");
        }
        return latencyBudget(graph, prunable, t.sparsity(), latency, min, max);
    }

    private static Budget latencyBudget(Graph graph, List<Node> prunable, double target, LatencyTable table,
                                        double[] min, double[] max) {
        int n = prunable.size();
        if (min == null) {
            min = new double[n];
            max = new double[n];
            Arrays.fill(max, 1);
        }
        List<CostCurve> curves = new ArrayList<>();
        double[] costs = new double[n];
        int[] sizes = new int[n];
        for (int l = 0; l < n; l++) {
            CostCurve c = table.curve(prunable.get(l).name());
            sizes[l] = Math.toIntExact(graph.initializer(prunable.get(l).input(1)).orElseThrow().size());
            curves.add(c);
            if (c.max() == 0) {
                max[l] = min[l];
            }
            costs[l] = Math.max(c.chordSlope(), 1e-9 * table.denseMs()) / sizes[l];
        }
        double total = table.denseMs();
        Budget budget = new Budget(target, costs, min, max, curves, total);
        double lowest = 0, reachable = 0;
        for (int l = 0; l < n; l++) {
            lowest += budget.saving(l, budget.minPruned(l, sizes[l]), sizes[l]);
            reachable += budget.saving(l, budget.maxPruned(l, sizes[l]), sizes[l]);
        }
        if (target * total > reachable * (1 + 1e-9)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, String.format(java.util.Locale.ROOT,
                    "--constraint latency: removing %.1f %% of the dense latency of '%s' is out of reach: on this "
                            + "machine the sparse runtime removes at most %.1f %% of its %.3f ms (every prunable "
                            + "layer at its largest allowed sparsity, measured up to %.0f %%); choose --sparsity "
                            + "%.2f or less", 100 * target, graph.name(), 100 * reachable / total, total,
                    100 * table.levels()[table.levels().length - 1], Math.floor(100 * reachable / total) / 100));
        }
        if (target * total < lowest * (1 - 1e-9)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, String.format(java.util.Locale.ROOT,
                    "--constraint latency: removing %.1f %% of the dense latency of '%s' is below what the "
                            + "per-layer minimum sparsities already remove (%.1f %%); lower the minimums or choose "
                            + "--sparsity %.2f or more", 100 * target, graph.name(), 100 * lowest / total,
                    Math.ceil(100 * lowest / total) / 100));
        }
        return budget;
    }
}
