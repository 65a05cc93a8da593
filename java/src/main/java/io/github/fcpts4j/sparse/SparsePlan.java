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
import java.util.function.Supplier;

/**
 * A sparse execution plan of a model for one input shape on one backend
 * (sparse runtime, issue 5). In the serving graph every inference BatchNorm is
 * folded into its Conv ({@link BatchNormFolding}) and each Conv with its
 * fusable epilogue ({@link ConvChain}: residual Add, Relu / Clip) runs as one
 * layer, dense ({@link DenseConvChain}: the backend's fused convolution, oneDNN
 * with pre-packed weights and post-ops on cpu, cuDNN on cuda) or sparse
 * ({@link SparseConv}: the CSR kernel on cpu, cuSPARSE SpMM on cuda for
 * ungrouped convs); where the backend has a sparse linear kernel (cpu), Gemm /
 * MatMul layers with a constant weight run on the engine's kernel or sparse
 * ({@link SparseLinear}). Layers run with the backend's threads. Under
 * {@link Policy#FASTEST} every layer with at least {@link #MIN_SPARSITY} zeros
 * is timed inside the network, once in an all-dense and once in an all-sparse
 * run (median of several runs per step), and keeps the faster path; then the
 * whole network is timed mixed against all-dense (alternating) and the plan
 * falls back to all-dense unless the mix is at least {@link #MIN_NETWORK_GAIN}
 * faster, so it is never slower than the dense engine by more than timing
 * noise. {@link #choices()} reports every decision.
 */
public final class SparsePlan implements AutoCloseable {
    /** Below this weight sparsity a layer stays dense without being timed. */
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
    public static SparsePlan build(Graph graph, Backend backend, Map<String, long[]> inputShapes, int timingRuns) {
        return build(graph, backend, inputShapes, timingRuns, Policy.FASTEST);
    }

    /**
     * A layer the plan may run sparse: a conv chain (dense path: {@link DenseConvChain}) or a fully connected
     * layer (dense path: the engine's own kernel, {@code dense} null).
     */
    private record Candidate(String node, List<String> fused, double sparsity, Supplier<PlanLayer> dense,
                             Supplier<PlanLayer> sparse) {
    }

    /** As {@link #build(Graph, Backend, Map, int)} with an explicit policy. */
    public static SparsePlan build(Graph graph, Backend backend, Map<String, long[]> inputShapes, int timingRuns,
                                   Policy policy) {
        Graph serving = BatchNormFolding.apply(graph);
        Map<String, long[]> shapes = ShapeInference.infer(serving, inputShapes);
        List<PlanLayer> created = new ArrayList<>();
        List<NetworkExecutor> executors = new ArrayList<>();
        try {
            List<Candidate> candidates = new ArrayList<>();
            for (ConvChain c : ConvChain.find(serving, shapes)) {
                long[] in = shapes.get(c.conv().input(0));
                if (!backend.network().supportsSparseConv(c.geometry(serving, in))) {
                    continue;
                }
                candidates.add(new Candidate(c.conv().name(), c.nodes().stream().map(Node::name).toList(),
                        sparsity(serving.initializer(c.conv().input(1)).orElseThrow()),
                        () -> track(created, new DenseConvChain(serving, c, in, backend)),
                        () -> track(created, new SparseConv(serving, c, in, backend))));
            }
            for (Node n : serving.nodes()) {
                long[] in = shapes.get(n.input(0));
                if (backend.network().supportsSparseLinear() && SparseLinear.supports(serving, n, in)) {
                    candidates.add(new Candidate(n.name(), List.of(n.name()),
                            sparsity(serving.initializer(n.input(1)).orElseThrow()), null,
                            () -> track(created, new SparseLinear(serving, n, in, backend))));
                }
            }
            int count = candidates.size();
            boolean[] eligible = new boolean[count], useSparse = new boolean[count];
            double[] denseMs = new double[count], sparseMs = new double[count];
            Arrays.fill(denseMs, Double.NaN);
            Arrays.fill(sparseMs, Double.NaN);
            boolean anyEligible = false;
            for (int i = 0; i < count; i++) {
                eligible[i] = candidates.get(i).sparsity() >= MIN_SPARSITY && policy != Policy.DENSE;
                useSparse[i] = eligible[i];
                anyEligible |= eligible[i];
            }
            if (policy == Policy.FASTEST && anyEligible) {
                // every candidate timed inside the all-dense network and inside the all-sparse one
                Map<String, float[]> probe = probeInputs(serving, inputShapes);
                Map<String, Double> d = profiled(serving, backend, inputShapes, layers(candidates, new boolean[count]),
                        probe, timingRuns);
                Map<String, Double> t = profiled(serving, backend, inputShapes, layers(candidates, eligible), probe,
                        timingRuns);
                for (int i = 0; i < count; i++) {
                    String node = candidates.get(i).node();
                    denseMs[i] = d.get(node);
                    sparseMs[i] = eligible[i] ? t.get(node) : Double.NaN;
                    useSparse[i] = eligible[i] && sparseMs[i] < denseMs[i];
                }
            }
            List<PlanLayer> chosen = layers(candidates, useSparse);
            List<LayerChoice> choices = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Candidate c = candidates.get(i);
                choices.add(new LayerChoice(c.node(), c.fused(), c.sparsity(), denseMs[i], sparseMs[i], useSparse[i]));
            }
            NetworkExecutor mixed = track(executors, NetworkExecutor.compileInference(serving, backend, inputShapes,
                    List.copyOf(chosen)));
            NetworkCheck check = new NetworkCheck(Double.NaN, Double.NaN, false);
            List<PlanLayer> kept = chosen;
            NetworkExecutor executor = mixed;
            if (policy == Policy.FASTEST && choices.stream().anyMatch(LayerChoice::sparse)) {
                // the whole network, mixed against all-dense (fresh layers: packed weights follow the executor)
                List<PlanLayer> allDense = layers(candidates, new boolean[count]);
                NetworkExecutor baseline = track(executors, NetworkExecutor.compileInference(serving, backend,
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

    /** New layers: candidate i sparse where {@code sparse[i]}, else its dense override (if it has one). */
    private static List<PlanLayer> layers(List<Candidate> candidates, boolean[] sparse) {
        List<PlanLayer> out = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (sparse[i]) {
                out.add(c.sparse().get());
            } else if (c.dense() != null) {
                out.add(c.dense().get());
            }
        }
        return out;
    }

    private static <T> T track(List<? super T> owner, T item) {
        owner.add(item);
        return item;
    }

    /** Median ms of every step of the network run with {@code layers}, by node. */
    private static Map<String, Double> profiled(Graph serving, Backend backend, Map<String, long[]> inputShapes,
                                                List<PlanLayer> layers, Map<String, float[]> probe, int runs) {
        try (NetworkExecutor e = NetworkExecutor.compileInference(serving, backend, inputShapes, List.copyOf(layers))) {
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

    /** One entry per Conv of the serving graph in graph order, then one per supported Gemm / MatMul. */
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
        return (double) w.zeros() / w.size();
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
