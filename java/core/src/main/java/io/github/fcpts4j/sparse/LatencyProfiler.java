package io.github.fcpts4j.sparse;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures a {@link LatencyTable}: the model planned all dense ({@link SparsePlan.Policy#DENSE}) and, at each
 * level s, with every prunable layer magnitude-pruned to exactly round(s N_l) zeros and every layer that can
 * run sparse doing so ({@link SparsePlan.Policy#SPARSE}); each plan's steps are timed inside the network
 * ({@link SparsePlan#profile}, the median of {@code runs} runs on a fixed random input). One plan per level:
 * about (levels + 1) x (build + runs x one inference).
 */
public final class LatencyProfiler {
    /** The sparsities measured by default: the plan's threshold for trying sparse, up to 98 %. */
    public static final double[] DEFAULT_LEVELS = {0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98};
    /** Timed runs per plan by default. */
    public static final int DEFAULT_RUNS = 9;

    private LatencyProfiler() {
    }

    /**
     * @param prunable the layers the table is for (Conv / Gemm / MatMul nodes whose input 1 is a weight)
     * @param progress told once per measured plan ("dense", "50 %", ...)
     */
    public static LatencyTable measure(Graph graph, List<Node> prunable, Backend backend,
                                       Map<String, long[]> inputShapes, double[] levels, int runs,
                                       Consumer<String> progress) {
        PlanSignature.checkShapes(graph, inputShapes);
        Map<String, float[]> probe = SparsePlan.probeInputs(graph, inputShapes);
        progress.accept("dense");
        Map<String, Double> dense = profile(graph, backend, inputShapes, SparsePlan.Policy.DENSE, probe, runs);
        double denseMs = dense.values().stream().mapToDouble(Double::doubleValue).sum();
        double[][] sparse = new double[prunable.size()][levels.length];
        for (double[] row : sparse) {
            Arrays.fill(row, Double.NaN);
        }
        for (int i = 0; i < levels.length; i++) {
            progress.accept(String.format(java.util.Locale.ROOT, "%.0f %%", 100 * levels[i]));
            Map<String, Double> t = profile(pruned(graph, prunable, levels[i]), backend, inputShapes,
                    SparsePlan.Policy.SPARSE, probe, runs);
            for (int l = 0; l < prunable.size(); l++) {
                Double ms = t.get(prunable.get(l).name());
                sparse[l][i] = ms == null ? Double.NaN : ms;
            }
        }
        List<LatencyTable.Layer> rows = new ArrayList<>();
        for (int l = 0; l < prunable.size(); l++) {
            Double d = dense.get(prunable.get(l).name());
            if (d != null) {
                rows.add(new LatencyTable.Layer(prunable.get(l).name(), d, sparse[l]));
            }
        }
        return new LatencyTable(GraphDigest.sha256(graph), inputShapes, LatencyTables.machine(backend), denseMs,
                levels, rows);
    }

    private static Map<String, Double> profile(Graph g, Backend backend, Map<String, long[]> shapes,
                                               SparsePlan.Policy policy, Map<String, float[]> probe, int runs) {
        try (SparsePlan plan = SparsePlan.build(g, backend, shapes, new SparsePlan.Options(1, policy, null))) {
            return plan.profile(probe, runs);
        }
    }

    /** {@code g} with every prunable weight's round(s N) smallest magnitudes set to zero. */
    static Graph pruned(Graph g, List<Node> prunable, double s) {
        Graph out = g;
        for (Node n : prunable) {
            TensorData w = g.initializer(n.input(1)).orElseThrow();
            float[] v = w.floats();
            int k = (int) Math.round(s * v.length);
            long[] keys = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                keys[i] = ((long) Float.floatToIntBits(Math.abs(v[i])) << 32) | i;
            }
            Arrays.sort(keys);
            for (int i = 0; i < k; i++) {
                v[(int) keys[i]] = 0f;
            }
            out = out.withInitializer(n.input(1), TensorData.ofFloats(w.dims(), v));
        }
        return out;
    }
}
