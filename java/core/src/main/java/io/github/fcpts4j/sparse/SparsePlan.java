package io.github.fcpts4j.sparse;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>Threads: {@link #run} and {@link #profile} may be called from many threads at once, as ONNX Runtime's
 * {@code OrtSession.run} may. Each call takes an execution context (an executor with its own activation
 * buffers and layer plans, reading the plan's one copy of the weights) from a pool; when every context is
 * busy, on a backend that runs executors concurrently (cpu) the call makes a new one for the pool (the first
 * concurrent use costs a compile and, per extra context, the activations plus the layers' packed / CSR
 * weights), elsewhere (cuda: one stream) it waits for one, so runs are serialized. A single-threaded caller
 * always reuses the first context. {@link #close} waits for the runs in flight, then frees everything; a run
 * started after close throws {@link IllegalStateException}.
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

    /** An executor and the layer plans it runs (both hold per-run buffers): one caller at a time. */
    private record Context(NetworkExecutor executor, List<PlanLayer> layers) {
        void close() {
            try {
                executor.close();
            } finally {
                closeAll(layers);
            }
        }
    }

    /** The first context: it owns the weight tensors every other context reads, so it closes last. */
    private final Context primary;
    /** Makes the chosen layers afresh, for another context. */
    private final Supplier<List<PlanLayer>> chosenLayers;
    private final boolean concurrent;
    private final List<LayerChoice> choices;
    private final NetworkCheck check;
    /** Guards the fields below; waited on by close (for busy contexts) and by serialized runs (for an idle one). */
    private final Object pool = new Object();
    private final Deque<Context> idle = new ArrayDeque<>();
    private final List<Context> siblings = new ArrayList<>();
    private int busy;
    private boolean closed;

    private SparsePlan(NetworkExecutor executor, List<PlanLayer> layers, Supplier<List<PlanLayer>> chosenLayers,
                       List<LayerChoice> choices, NetworkCheck check) {
        this.primary = new Context(executor, layers);
        this.chosenLayers = chosenLayers;
        this.concurrent = executor.backend().concurrentExecutors();
        this.choices = List.copyOf(choices);
        this.check = check;
        idle.push(primary);
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

    /** Candidate i's sparse layer where {@code sparse[i]}, else its dense override (if it has one); new ones. */
    private record Layers(List<Candidate> candidates, boolean[] sparse) implements Supplier<List<PlanLayer>> {
        @Override
        public List<PlanLayer> get() {
            List<PlanLayer> out = new ArrayList<>();
            try {
                for (int i = 0; i < candidates.size(); i++) {
                    Candidate c = candidates.get(i);
                    if (sparse[i]) {
                        out.add(c.sparse().get());
                    } else if (c.dense() != null) {
                        out.add(c.dense().get());
                    }
                }
                return out;
            } catch (RuntimeException | Error ex) {
                closeAll(out);
                throw ex;
            }
        }
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
                        () -> new DenseConvChain(serving, c, in, backend),
                        () -> new SparseConv(serving, c, in, backend)));
            }
            for (Node n : serving.nodes()) {
                long[] in = shapes.get(n.input(0));
                if (backend.network().supportsSparseLinear() && SparseLinear.supports(serving, n, in)) {
                    candidates.add(new Candidate(n.name(), List.of(n.name()),
                            sparsity(serving.initializer(n.input(1)).orElseThrow()), null,
                            () -> new SparseLinear(serving, n, in, backend)));
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
                Map<String, Double> d = profiled(serving, backend, inputShapes,
                        layers(candidates, new boolean[count], created), probe, timingRuns);
                Map<String, Double> t = profiled(serving, backend, inputShapes, layers(candidates, eligible, created),
                        probe, timingRuns);
                for (int i = 0; i < count; i++) {
                    String node = candidates.get(i).node();
                    denseMs[i] = d.get(node);
                    sparseMs[i] = eligible[i] ? t.get(node) : Double.NaN;
                    useSparse[i] = eligible[i] && sparseMs[i] < denseMs[i];
                }
            }
            List<PlanLayer> chosen = layers(candidates, useSparse, created);
            List<LayerChoice> choices = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Candidate c = candidates.get(i);
                choices.add(new LayerChoice(c.node(), c.fused(), c.sparsity(), denseMs[i], sparseMs[i], useSparse[i]));
            }
            NetworkExecutor mixed = track(executors, NetworkExecutor.compileInference(serving, backend, inputShapes,
                    List.copyOf(chosen)));
            NetworkCheck check = new NetworkCheck(Double.NaN, Double.NaN, false);
            List<PlanLayer> kept = chosen;
            boolean[] keptSparse = useSparse;
            NetworkExecutor executor = mixed;
            if (policy == Policy.FASTEST && choices.stream().anyMatch(LayerChoice::sparse)) {
                // the whole network, mixed against all-dense (fresh layers: packed weights follow the executor)
                List<PlanLayer> allDense = layers(candidates, new boolean[count], created);
                NetworkExecutor baseline = track(executors, NetworkExecutor.compileInference(serving, backend,
                        inputShapes, List.copyOf(allDense)));
                Map<String, float[]> probe = probeInputs(serving, inputShapes);
                double[] ms = alternate(Math.max(3, timingRuns), () -> baseline.run(probe), () -> mixed.run(probe));
                boolean fellBack = ms[1] > (1 - MIN_NETWORK_GAIN) * ms[0];
                check = new NetworkCheck(ms[0], ms[1], fellBack);
                if (fellBack) {
                    kept = allDense;
                    keptSparse = new boolean[count];
                    executor = baseline;
                    choices = choices.stream().map(c -> new LayerChoice(c.node(), c.fused(), c.sparsity(),
                            c.denseMs(), c.sparseMs(), false)).toList();
                }
            }
            executors.remove(executor);
            executors.forEach(NetworkExecutor::close);
            Set<PlanLayer> keep = Collections.newSetFromMap(new IdentityHashMap<>());
            keep.addAll(kept);
            created.stream().filter(l -> !keep.contains(l)).forEach(PlanLayer::close);
            return new SparsePlan(executor, List.copyOf(kept), new Layers(List.copyOf(candidates), keptSparse),
                    choices, check);
        } catch (RuntimeException | Error ex) {
            executors.forEach(NetworkExecutor::close);
            closeAll(created);
            throw ex;
        }
    }

    /** New layers as {@link Layers} makes them, each also tracked in {@code created} (closed on failure). */
    private static List<PlanLayer> layers(List<Candidate> candidates, boolean[] sparse, List<PlanLayer> created) {
        List<PlanLayer> out = new Layers(candidates, sparse).get();
        created.addAll(out);
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

    /** Runs the model; outputs by graph output name. Thread-safe (see the class comment). */
    public Map<String, float[]> run(Map<String, float[]> inputs) {
        Context c = acquire();
        try {
            return c.executor().run(inputs);
        } finally {
            release(c);
        }
    }

    /**
     * Median milliseconds of every step inside the network, by node (see {@link NetworkExecutor#profile}), in
     * one execution context. Thread-safe.
     */
    public Map<String, Double> profile(Map<String, float[]> inputs, int runs) {
        Context c = acquire();
        try {
            return c.executor().profile(inputs, runs);
        } finally {
            release(c);
        }
    }

    /** Execution contexts made so far (1 until runs overlap; at most the peak number of concurrent runs). */
    public int contexts() {
        synchronized (pool) {
            return 1 + siblings.size();
        }
    }

    /** An idle context, or a new one (concurrent backend) or the next one released (otherwise). */
    private Context acquire() {
        synchronized (pool) {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("SparsePlan used after close()");
                }
                Context c = idle.pollFirst();
                if (c != null || concurrent) {
                    busy++;
                    if (c != null) {
                        return c;
                    }
                    break;
                }
                try {
                    pool.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the SparsePlan's context", e);
                }
            }
        }
        try {
            Context c = newContext();
            synchronized (pool) {
                siblings.add(c);
            }
            return c;
        } catch (RuntimeException | Error ex) {
            synchronized (pool) {
                busy--;
                pool.notifyAll();
            }
            throw ex;
        }
    }

    private Context newContext() {
        List<PlanLayer> layers = chosenLayers.get();
        try {
            return new Context(primary.executor().sibling(List.copyOf(layers)), layers);
        } catch (RuntimeException | Error ex) {
            closeAll(layers);
            throw ex;
        }
    }

    private void release(Context c) {
        synchronized (pool) {
            busy--;
            idle.push(c);
            pool.notifyAll();
        }
    }

    /** One entry per Conv of the serving graph in graph order, then one per supported Gemm / MatMul. */
    public List<LayerChoice> choices() {
        return choices;
    }

    /** The whole-network check (FASTEST policy with at least one sparse layer; NaN otherwise). */
    public NetworkCheck networkCheck() {
        return check;
    }

    /**
     * Waits for the runs in flight, then frees every context (the first last: it owns the weights). Idempotent;
     * runs started afterwards throw {@link IllegalStateException}.
     */
    @Override
    public void close() {
        synchronized (pool) {
            if (closed) {
                return;
            }
            closed = true;
            boolean interrupted = false;
            while (busy > 0) {
                try {
                    pool.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            idle.clear();
        }
        try {
            siblings.forEach(Context::close);
        } finally {
            primary.close();
        }
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
