package io.github.fcpts4j.sparse;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.engine.NetworkExecutor;
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

    /**
     * The mixed plan is kept only when the whole network runs at least this much faster than all-dense
     * (a fraction of the dense time): closer calls are within this machine's timing noise, and the
     * dense path is the one never to lose to.
     */
    public static final double MIN_NETWORK_GAIN = 0.03;

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
     * The decision for one conv: its step's median time inside the all-dense and the all-sparse network
     * (NaN when not timed).
     *
     * @param fused the nodes the sparse kernel computes with it (its epilogue), conv first
     */
    public record LayerChoice(String node, List<String> fused, double sparsity, double denseMs, double sparseMs,
                              boolean sparse) {
    }

    /** The whole-network check of a FASTEST plan: medians of alternating runs; NaN when not made. */
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
     * @param timingRuns timed runs of the network per path for the choice and for the check (medians; one
     *                   warm-up run first)
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
        List<PlanLayer> created = new ArrayList<>();
        List<NetworkExecutor> executors = new ArrayList<>();
        try {
            java.util.function.Function<ConvChain, PlanLayer> dense = c -> track(created,
                    new DenseConvChain(serving, c, shapes.get(c.conv().input(0)), cpu));
            java.util.function.Function<ConvChain, PlanLayer> sparse = c -> track(created,
                    new SparseConv(serving, c, shapes.get(c.conv().input(0)), threads));
            double[] sparsity = new double[chains.size()];
            boolean[] eligible = new boolean[chains.size()];
            for (int i = 0; i < chains.size(); i++) {
                sparsity[i] = sparsity(serving.initializer(chains.get(i).conv().input(1)).orElseThrow());
                eligible[i] = sparsity[i] >= MIN_SPARSITY && policy != Policy.DENSE;
            }
            double[] denseMs = new double[chains.size()], sparseMs = new double[chains.size()];
            Arrays.fill(denseMs, Double.NaN);
            Arrays.fill(sparseMs, Double.NaN);
            boolean[] useSparse = eligible.clone();
            boolean anyEligible = false;
            for (boolean e : eligible) {
                anyEligible |= e;
            }
            if (policy == Policy.FASTEST && anyEligible) {
                // every chain timed inside the all-dense network and inside the all-sparse one
                List<PlanLayer> allDense = new ArrayList<>(), allSparse = new ArrayList<>();
                for (int i = 0; i < chains.size(); i++) {
                    allDense.add(dense.apply(chains.get(i)));
                    allSparse.add(eligible[i] ? sparse.apply(chains.get(i)) : dense.apply(chains.get(i)));
                }
                Map<String, float[]> probe = probeInputs(serving, inputShapes);
                Map<String, Double> d = profiled(serving, cpu, inputShapes, allDense, probe, timingRuns);
                Map<String, Double> t = profiled(serving, cpu, inputShapes, allSparse, probe, timingRuns);
                for (int i = 0; i < chains.size(); i++) {
                    String conv = chains.get(i).conv().name();
                    denseMs[i] = d.get(conv);
                    sparseMs[i] = eligible[i] ? t.get(conv) : Double.NaN;
                    useSparse[i] = eligible[i] && sparseMs[i] < denseMs[i];
                }
            }
            List<PlanLayer> chosen = new ArrayList<>();
            List<LayerChoice> choices = new ArrayList<>();
            for (int i = 0; i < chains.size(); i++) {
                ConvChain c = chains.get(i);
                chosen.add(useSparse[i] ? sparse.apply(c) : dense.apply(c));
                choices.add(new LayerChoice(c.conv().name(), c.nodes().stream().map(Node::name).toList(),
                        sparsity[i], denseMs[i], sparseMs[i], useSparse[i]));
            }
            NetworkExecutor mixed = track(executors, NetworkExecutor.compileInference(serving, cpu, inputShapes,
                    List.copyOf(chosen)));
            NetworkCheck check = new NetworkCheck(Double.NaN, Double.NaN, false);
            List<PlanLayer> kept = chosen;
            NetworkExecutor executor = mixed;
            if (policy == Policy.FASTEST && choices.stream().anyMatch(LayerChoice::sparse)) {
                // the whole network, mixed against all-dense (fresh layers: packed weights follow the executor)
                List<PlanLayer> allDense = chains.stream().map(dense).toList();
                NetworkExecutor baseline = track(executors, NetworkExecutor.compileInference(serving, cpu,
                        inputShapes, List.copyOf(allDense)));
                Map<String, float[]> probe = probeInputs(serving, inputShapes);
                double[] ms = alternate(Math.max(3, timingRuns), () -> baseline.run(probe), () -> mixed.run(probe));
                boolean fellBack = ms[1] > (1 - MIN_NETWORK_GAIN) * ms[0];
                check = new NetworkCheck(ms[0], ms[1], fellBack);
                if (fellBack) {
                    kept = allDense;
                    executor = baseline;
                    choices = choices.stream().map(c -> new LayerChoice(c.node(), c.fused(), c.sparsity(),
                            c.denseMs(), c.sparseMs(), false)).toList();
                }
            }
            executors.remove(executor);
            executors.forEach(NetworkExecutor::close);
            java.util.Set<PlanLayer> keep = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            keep.addAll(kept);
            created.stream().filter(l -> !keep.contains(l)).forEach(PlanLayer::close);
            return new SparsePlan(executor, List.copyOf(kept), choices, check);
        } catch (RuntimeException | Error ex) {
            executors.forEach(NetworkExecutor::close);
            closeAll(created);
            throw ex;
        }
    }

    private static <T> T track(List<? super T> owner, T item) {
        owner.add(item);
        return item;
    }

    /** Median ms of every step of the network run with {@code layers}, by node. */
    private static Map<String, Double> profiled(Graph serving, Backend cpu, Map<String, long[]> inputShapes,
                                                List<PlanLayer> layers, Map<String, float[]> probe, int runs) {
        try (NetworkExecutor e = NetworkExecutor.compileInference(serving, cpu, inputShapes, List.copyOf(layers))) {
            return e.profile(probe, Math.max(1, runs));
        }
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
