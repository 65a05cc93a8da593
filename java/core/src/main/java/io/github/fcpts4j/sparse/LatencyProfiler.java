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
 * level s, with every prunable layer magnitude-pruned to exactly ceil(s N_l) zeros (the kept weights scaled to
 * the layer's dense L2 norm, so activations keep their dense scale) and every layer that can run sparse doing
 * so ({@link SparsePlan.Policy#SPARSE}). Each step is timed inside its network ({@link SparsePlan#profile}) on a
 * fixed random input, the dense plan and the level's plan in turn for {@code runs} rounds: a layer's time at a
 * level is its median dense time times the median over that level's rounds of its sparse / dense ratio in the
 * same round, so a machine whose speed drifts shifts no level against another, and the table predicts what a
 * median run takes. Two plans live at a time; about levels x (build + 2 x 2 runs x one inference).
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
        int layers = prunable.size();
        double[][] sparse = new double[layers][levels.length];
        List<Double>[] denseRuns = newLists(layers);
        List<Double> networkRuns = new ArrayList<>();
        progress.accept("dense");
        try (SparsePlan dense = plan(graph, backend, inputShapes, SparsePlan.Policy.DENSE)) {
            for (int i = 0; i < levels.length; i++) {
                progress.accept(String.format(java.util.Locale.ROOT, "%.0f %%", 100 * levels[i]));
                List<Double>[] ratios = newLists(layers);
                try (SparsePlan level = plan(pruned(graph, prunable, levels[i]), backend, inputShapes,
                        SparsePlan.Policy.SPARSE)) {
                    for (int r = 0; r < runs; r++) {
                        Map<String, Double> d = dense.profile(probe, 1), t = level.profile(probe, 1);
                        networkRuns.add(d.values().stream().mapToDouble(Double::doubleValue).sum());
                        for (int l = 0; l < layers; l++) {
                            Double dl = d.get(prunable.get(l).name()), tl = t.get(prunable.get(l).name());
                            if (dl != null && dl > 0) {
                                denseRuns[l].add(dl);
                                if (tl != null) {
                                    ratios[l].add(tl / dl);
                                }
                            }
                        }
                    }
                }
                for (int l = 0; l < layers; l++) {
                    sparse[l][i] = ratios[l].isEmpty() ? Double.NaN : median(ratios[l]);
                }
            }
        }
        List<LatencyTable.Layer> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            if (denseRuns[l].isEmpty()) {
                continue;
            }
            double d = median(denseRuns[l]);
            double[] ms = new double[levels.length];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = d * sparse[l][i];
            }
            rows.add(new LatencyTable.Layer(prunable.get(l).name(), d, ms));
        }
        return new LatencyTable(GraphDigest.sha256(graph), inputShapes, LatencyTables.machine(backend),
                median(networkRuns), levels, rows);
    }

    private static SparsePlan plan(Graph g, Backend backend, Map<String, long[]> shapes, SparsePlan.Policy policy) {
        return SparsePlan.build(g, backend, shapes, new SparsePlan.Options(1, policy, null));
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    @SuppressWarnings("unchecked")
    private static List<Double>[] newLists(int n) {
        List<Double>[] out = new List[n];
        for (int i = 0; i < n; i++) {
            out[i] = new ArrayList<>();
        }
        return out;
    }


    /** {@code g} with every prunable weight's ceil(s N) smallest magnitudes set to zero. */
    static Graph pruned(Graph g, List<Node> prunable, double s) {
        Graph out = g;
        for (Node n : prunable) {
            TensorData w = g.initializer(n.input(1)).orElseThrow();
            float[] v = w.floats();
            int k = (int) Math.min(v.length, Math.ceil(s * v.length - 1e-9)); // at least s: a plan tests s >= 0.3
            long[] keys = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                keys[i] = ((long) Float.floatToIntBits(Math.abs(v[i])) << 32) | i;
            }
            Arrays.sort(keys);
            double all = 0, removed = 0;
            for (float x : v) {
                all += (double) x * x;
            }
            for (int i = 0; i < k; i++) {
                removed += (double) v[(int) keys[i]] * v[(int) keys[i]];
                v[(int) keys[i]] = 0f;
            }
            float scale = all - removed > 0 ? (float) Math.sqrt(all / (all - removed)) : 1f;
            for (int i = 0; i < v.length; i++) {
                v[i] *= scale;
            }
            out = out.withInitializer(n.input(1), TensorData.ofFloats(w.dims(), v));
        }
        return out;
    }
}
