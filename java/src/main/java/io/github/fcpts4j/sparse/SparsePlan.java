package io.github.fcpts4j.sparse;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.engine.LayerOverride;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A sparse execution plan of a model for one input shape and thread count
 * (sparse runtime, issue 5). The serving graph has every inference
 * BatchNorm folded into its Conv ({@link BatchNormFolding}); each Conv with at
 * least {@link #MIN_SPARSITY} zeros and its fusable epilogue ({@link ConvChain}:
 * residual Add, Relu / Clip) is timed alone on the dense engine (oneDNN with
 * pre-packed weights, then the epilogue's own nodes) and as one fused
 * {@link SparseConv}, alternating, median of several runs; the faster one runs
 * it. Under {@link Policy#FASTEST} the whole network is then timed both ways
 * and the plan falls back to all-dense when the mix is not faster, so it is
 * never slower than the dense engine by more than timing noise.
 * {@link #choices()} reports every decision.
 */
public final class SparsePlan implements AutoCloseable {
    /** Below this weight sparsity a conv stays dense without being timed. */
    public static final double MIN_SPARSITY = 0.3;

    /** How a layer's path is chosen. */
    public enum Policy {
        /** time both, keep the faster, then check the whole network (the default) */
        FASTEST,
        /** every conv with at least MIN_SPARSITY zeros runs sparse (to test or measure the sparse path) */
        SPARSE,
        /** every conv runs dense (the baseline) */
        DENSE
    }

    /**
     * The decision for one conv.
     *
     * @param fused the nodes the sparse kernel computes with it (its epilogue), conv first
     */
    public record LayerChoice(String node, List<String> fused, double sparsity, double denseMs, double sparseMs,
                              boolean sparse) {
    }

    /** The whole-network check of a FASTEST plan: medians of interleaved runs; NaN when not made. */
    public record NetworkCheck(double denseMs, double mixedMs, boolean fellBack) {
    }

    private final NetworkExecutor executor;
    private final List<PlanLayer> layers;
    private final List<LayerChoice> choices;
    private final NetworkCheck check;

    private SparsePlan(NetworkExecutor executor, List<PlanLayer> layers, List<LayerChoice> choices,
                       NetworkCheck check) {
        this.executor = executor;
        this.layers = layers;
        this.choices = List.copyOf(choices);
        this.check = check;
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
        Graph serving = BatchNormFolding.apply(graph);
        Map<String, long[]> shapes = ShapeInference.infer(serving, inputShapes);
        List<ConvChain> chains = ConvChain.find(serving, shapes);
        List<PlanLayer> layers = new ArrayList<>();
        List<LayerChoice> choices = new ArrayList<>();
        NetworkExecutor mixed = null;
        try {
            for (ConvChain chain : chains) {
                Node n = chain.conv();
                long[] in = shapes.get(n.input(0));
                List<String> fused = chain.nodes().stream().map(Node::name).toList();
                double sparsity = sparsity(serving.initializer(n.input(1)).orElseThrow());
                if (sparsity < MIN_SPARSITY || policy == Policy.DENSE) {
                    layers.add(new DenseConvChain(serving, chain, in, cpu));
                    choices.add(new LayerChoice(n.name(), fused, sparsity, Double.NaN, Double.NaN, false));
                    continue;
                }
                SparseConv sparse = new SparseConv(serving, chain, in, threads);
                if (policy == Policy.SPARSE) {
                    layers.add(sparse);
                    choices.add(new LayerChoice(n.name(), fused, sparsity, Double.NaN, Double.NaN, true));
                    continue;
                }
                DenseConvChain dense = new DenseConvChain(serving, chain, in, cpu);
                double[] ms;
                try {
                    ms = timeChain(serving, chain, dense, sparse, shapes, cpu, timingRuns);
                } catch (RuntimeException e) {
                    dense.close();
                    sparse.close();
                    throw e;
                }
                boolean useSparse = ms[1] < ms[0];
                layers.add(useSparse ? sparse : dense);
                (useSparse ? (PlanLayer) dense : sparse).close();
                choices.add(new LayerChoice(n.name(), fused, sparsity, ms[0], ms[1], useSparse));
            }
            mixed = NetworkExecutor.compileInference(serving, cpu, inputShapes, overrides(layers));
            if (policy != Policy.FASTEST || choices.stream().noneMatch(LayerChoice::sparse)) {
                return new SparsePlan(mixed, layers, choices, new NetworkCheck(Double.NaN, Double.NaN, false));
            }
            return checked(serving, cpu, inputShapes, chains, shapes, mixed, layers, choices, timingRuns);
        } catch (RuntimeException | Error ex) {
            if (mixed != null) {
                mixed.close();
            }
            closeAll(layers);
            throw ex;
        }
    }

    /** Times the mixed plan against an all-dense one on the whole network; keeps the faster. */
    private static SparsePlan checked(Graph serving, Backend cpu, Map<String, long[]> inputShapes,
                                      List<ConvChain> chains, Map<String, long[]> shapes, NetworkExecutor mixed,
                                      List<PlanLayer> mixedLayers, List<LayerChoice> choices, int timingRuns) {
        List<PlanLayer> denseLayers = new ArrayList<>();
        NetworkExecutor dense = null;
        try {
            for (ConvChain chain : chains) {
                denseLayers.add(new DenseConvChain(serving, chain, shapes.get(chain.conv().input(0)), cpu));
            }
            dense = NetworkExecutor.compileInference(serving, cpu, inputShapes, overrides(denseLayers));
            NetworkExecutor d = dense;
            Map<String, float[]> inputs = probeInputs(serving, inputShapes);
            double[] ms = alternate(Math.max(3, timingRuns), () -> d.run(inputs), () -> mixed.run(inputs));
            if (ms[1] < ms[0]) {
                dense.close();
                closeAll(denseLayers);
                return new SparsePlan(mixed, mixedLayers, choices, new NetworkCheck(ms[0], ms[1], false));
            }
            mixed.close();
            closeAll(mixedLayers);
            List<LayerChoice> denseChoices = choices.stream().map(c -> new LayerChoice(c.node(), c.fused(),
                    c.sparsity(), c.denseMs(), c.sparseMs(), false)).toList();
            return new SparsePlan(dense, denseLayers, denseChoices, new NetworkCheck(ms[0], ms[1], true));
        } catch (RuntimeException | Error ex) {
            if (dense != null) {
                dense.close();
            }
            closeAll(denseLayers);
            throw ex;
        }
    }

    private static List<LayerOverride> overrides(List<PlanLayer> layers) {
        return List.copyOf(layers);
    }

    private static void closeAll(List<PlanLayer> layers) {
        layers.forEach(PlanLayer::close);
    }

    /** Runs the model; outputs by graph output name. */
    public Map<String, float[]> run(Map<String, float[]> inputs) {
        return executor.run(inputs);
    }

    /** Median milliseconds of every step inside the network, by node (see {@link NetworkExecutor#profile}). */
    public Map<String, Double> profile(Map<String, float[]> inputs, int runs) {
        return executor.profile(inputs, runs);
    }

    /** One entry per Conv of the serving graph, in graph order. */
    public List<LayerChoice> choices() {
        return choices;
    }

    /** The whole-network check (FASTEST policy with at least one sparse layer; NaN otherwise). */
    public NetworkCheck networkCheck() {
        return check;
    }

    @Override
    public void close() {
        executor.close();
        closeAll(layers);
    }

    private static double sparsity(TensorData w) {
        long zeros = 0;
        for (int i = 0; i < w.size(); i++) {
            zeros += w.get(i) == 0 ? 1 : 0;
        }
        return (double) zeros / w.size();
    }

    /** {dense ms, sparse ms} of one chain alone, interleaved runs on the same inputs. */
    private static double[] timeChain(Graph g, ConvChain chain, DenseConvChain denseConv, SparseConv sparseConv,
                                      Map<String, long[]> shapes, Backend cpu, int runs) {
        Map<String, TensorData> init = new LinkedHashMap<>();
        List<ValueInfo> inputs = new ArrayList<>();
        Map<String, long[]> inputShapes = new LinkedHashMap<>();
        for (String v : chain.inputs()) {
            inputs.add(new ValueInfo(v, DataType.FLOAT, shapes.get(v)));
            inputShapes.put(v, shapes.get(v));
        }
        for (Node n : chain.nodes()) {
            for (String i : n.inputs()) {
                g.initializer(i).ifPresent(d -> init.put(i, d));
            }
        }
        Graph alone = new Graph(chain.conv().name(), inputs, List.of(new ValueInfo(chain.output(), DataType.FLOAT,
                shapes.get(chain.output()))), chain.nodes(), init);
        try (NetworkExecutor dense = NetworkExecutor.compileInference(alone, cpu, inputShapes, List.of(denseConv));
             NetworkExecutor sparse = NetworkExecutor.compileInference(alone, cpu, inputShapes,
                     List.of(sparseConv))) {
            Map<String, float[]> data = probeInputs(alone, inputShapes);
            return alternate(runs, () -> dense.run(data), () -> sparse.run(data));
        }
    }

    private static Map<String, float[]> probeInputs(Graph g, Map<String, long[]> shapes) {
        SplittableRandom rng = new SplittableRandom(7);
        Map<String, float[]> data = new LinkedHashMap<>();
        for (ValueInfo v : g.inputs()) {
            float[] x = new float[(int) Arrays.stream(shapes.get(v.name())).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble(-1, 1);
            }
            data.put(v.name(), x);
        }
        return data;
    }

    /** Medians of {a, b} over {@code runs} interleaved runs each, after one warm-up run of both. */
    private static double[] alternate(int runs, Runnable a, Runnable b) {
        a.run();
        b.run();
        double[] ta = new double[Math.max(1, runs)], tb = new double[ta.length];
        for (int r = 0; r < ta.length; r++) {
            long t0 = System.nanoTime();
            a.run();
            long t1 = System.nanoTime();
            b.run();
            long t2 = System.nanoTime();
            ta[r] = (t1 - t0) / 1e6;
            tb[r] = (t2 - t1) / 1e6;
        }
        Arrays.sort(ta);
        Arrays.sort(tb);
        return new double[] {ta[ta.length / 2], tb[tb.length / 2]};
    }
}
