package io.github.fcpts4j.sparse;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sparse execution plan of a model for one input shape and thread count
 * (sparse runtime, issue 5): every Conv whose weight has at least
 * {@link #MIN_SPARSITY} zeros is timed once densely (oneDNN, the layer alone)
 * and sparsely ({@link SparseConv}); the faster one runs it. All other nodes
 * run on the dense engine. {@link #choices()} reports every decision.
 */
public final class SparsePlan implements AutoCloseable {
    /** Below this weight sparsity a conv stays dense without being timed. */
    public static final double MIN_SPARSITY = 0.3;

    /** How a layer's path is chosen. */
    public enum Policy {
        /** time both once, keep the faster (the default) */
        FASTEST,
        /** every conv with at least MIN_SPARSITY zeros runs sparse (to test or measure the sparse path) */
        SPARSE,
        /** every conv runs dense (the baseline) */
        DENSE
    }

    /** The decision for one conv. */
    public record LayerChoice(String node, double sparsity, double denseMs, double sparseMs, boolean sparse) {
    }

    private final NetworkExecutor executor;
    private final List<SparseConv> owned;
    private final List<LayerChoice> choices;

    private SparsePlan(NetworkExecutor executor, List<SparseConv> owned, List<LayerChoice> choices) {
        this.executor = executor;
        this.owned = owned;
        this.choices = List.copyOf(choices);
    }

    /**
     * @param timingRuns runs per layer and path for the choice (median; one warm-up run first)
     */
    public static SparsePlan build(Graph graph, Backend cpu, Map<String, long[]> inputShapes, int threads,
                                   int timingRuns) {
        return build(graph, cpu, inputShapes, threads, timingRuns, Policy.FASTEST);
    }

    /** As {@link #build(Graph, Backend, Map, int, int)} with an explicit policy. */
    public static SparsePlan build(Graph graph, Backend cpu, Map<String, long[]> inputShapes, int threads,
                                   int timingRuns, Policy policy) {
        Map<String, long[]> shapes = ShapeInference.infer(graph, inputShapes);
        Map<String, NetworkExecutor.LayerOverride> overrides = new HashMap<>();
        List<SparseConv> owned = new ArrayList<>();
        List<LayerChoice> choices = new ArrayList<>();
        try {
            for (Node n : graph.nodes()) {
                if (n.op() != OpType.CONV || graph.initializer(n.input(1)).isEmpty()
                        || shapes.get(n.input(0)).length != 4) {
                    continue;
                }
                TensorData w = graph.initializer(n.input(1)).orElseThrow();
                long zeros = 0;
                for (int i = 0; i < w.size(); i++) {
                    zeros += w.get(i) == 0 ? 1 : 0;
                }
                double sparsity = (double) zeros / w.size();
                if (sparsity < MIN_SPARSITY || policy == Policy.DENSE) {
                    choices.add(new LayerChoice(n.name(), sparsity, Double.NaN, Double.NaN, false));
                    continue;
                }
                long[] in = shapes.get(n.input(0));
                float[] x = new float[(int) count(in)], y = new float[(int) count(shapes.get(n.output()))];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (i % 7) * 0.25f - 0.75f;
                }
                double denseMs;
                try (NetworkExecutor alone = NetworkExecutor.compile(layerAlone(graph, n, in, shapes), cpu,
                        Map.of(n.input(0), in))) {
                    denseMs = medianMs(timingRuns, () -> alone.run(Map.of(n.input(0), x)));
                }
                SparseConv conv = new SparseConv(graph, n, in, threads);
                double sparseMs = medianMs(timingRuns, () -> conv.forward(x, y));
                boolean useSparse = policy == Policy.SPARSE || sparseMs < denseMs;
                choices.add(new LayerChoice(n.name(), sparsity, denseMs, sparseMs, useSparse));
                if (useSparse) {
                    owned.add(conv);
                    overrides.put(n.name(), conv::forward);
                } else {
                    conv.close();
                }
            }
            NetworkExecutor e = NetworkExecutor.compile(graph, cpu, inputShapes, false, Set.of(), overrides);
            return new SparsePlan(e, owned, choices);
        } catch (RuntimeException ex) {
            owned.forEach(SparseConv::close);
            throw ex;
        }
    }

    /** Runs the model; outputs by graph output name. */
    public Map<String, float[]> run(Map<String, float[]> inputs) {
        return executor.run(inputs);
    }

    /** One entry per Conv, in graph order. */
    public List<LayerChoice> choices() {
        return choices;
    }

    @Override
    public void close() {
        executor.close();
        owned.forEach(SparseConv::close);
    }

    private static Graph layerAlone(Graph g, Node n, long[] in, Map<String, long[]> shapes) {
        Map<String, TensorData> init = new LinkedHashMap<>();
        for (String i : n.inputs().subList(1, n.inputs().size())) {
            if (!i.isEmpty()) {
                init.put(i, g.initializer(i).orElseThrow());
            }
        }
        return new Graph(n.name(), List.of(new ValueInfo(n.input(0), DataType.FLOAT, in)),
                List.of(new ValueInfo(n.output(), DataType.FLOAT, shapes.get(n.output()))), List.of(n), init);
    }

    private static long count(long[] shape) {
        long c = 1;
        for (long d : shape) {
            c *= d;
        }
        return c;
    }

    private static double medianMs(int runs, Runnable body) {
        body.run();
        double[] t = new double[Math.max(1, runs)];
        for (int r = 0; r < t.length; r++) {
            long start = System.nanoTime();
            body.run();
            t[r] = (System.nanoTime() - start) / 1e6;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }
}
