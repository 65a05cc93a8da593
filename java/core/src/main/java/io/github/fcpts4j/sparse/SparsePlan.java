package io.github.fcpts4j.sparse;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.onnx.OnnxImporter;

import java.nio.file.Path;
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
 * noise. {@link #choices()} reports every decision; {@link #planChoices()} returns them in a form to save, and a
 * build with those {@link Options#pinned() pinned} times nothing and runs exactly those paths.
 *
 * <p>Use: {@link #build(Path, Backend, Map, Options)} reads an ONNX file and plans it for one shape per input
 * ({@link #inputNames()}, {@link #outputShape(String)} report what it was planned for). {@link #run(Map)} returns
 * new output arrays; the serving run {@link #run(Map, Map)} (or {@link #run(float[], float[])} for one input and
 * one output) writes into the caller's arrays and allocates nothing per call. Errors are {@link FcptsException}s:
 * a wrong argument, at build or at run (null, a missing or unknown input / output name, an array of the wrong
 * length, a shape that does not fit the model's declared one), is {@link ErrorCode#INVALID_ARGUMENT} naming it.
 *
 * <p>Threads: {@link #run} and {@link #profile} may be called from many threads at once, as ONNX Runtime's
 * {@code OrtSession.run} may. Each call takes an execution context (an executor with its own activation
 * buffers and layer plans, reading the plan's one copy of the weights) from a pool; when every context is
 * busy, on a backend that runs executors concurrently (cpu) the call makes a new one for the pool (the first
 * concurrent use costs a compile and, per extra context, the activations plus the layers' packed / CSR
 * weights), elsewhere (cuda: one stream) it waits for one, so runs are serialized. A single-threaded caller
 * always reuses the first context. A thread interrupted while it waits for a context gets
 * {@link ErrorCode#CANCELLED} (its interrupt flag set again). {@link #close} waits for the runs in flight, then
 * frees everything; a run started after close throws {@link ErrorCode#CLOSED}.
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

    /**
     * How {@link #build(Path, Backend, Map, Options)} chooses each layer's path.
     *
     * @param timingRuns timed runs of the network per path for the choice and for the check (medians; one
     *                   warm-up run first); at least 1
     * @param policy     how layers are chosen when nothing is pinned
     * @param pinned     choices to use as they are (saved from an earlier plan), or null: then policy and
     *                   timingRuns do not matter, nothing is timed, and the choices must fit the model, backend and
     *                   input shapes ({@link PlanChoices})
     */
    public record Options(int timingRuns, Policy policy, PlanChoices pinned) {
        /** The timing runs of {@link #defaults()}. */
        public static final int DEFAULT_TIMING_RUNS = 5;

        public Options {
            if (timingRuns < 1) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "timingRuns is " + timingRuns
                        + "; at least 1 timed run is needed");
            }
            FcptsException.requireNonNull(policy, "policy");
        }

        /** {@link #DEFAULT_TIMING_RUNS} runs, {@link Policy#FASTEST}, nothing pinned. */
        public static Options defaults() {
            return new Options(DEFAULT_TIMING_RUNS, Policy.FASTEST, null);
        }

        public Options withTimingRuns(int runs) {
            return new Options(runs, policy, pinned);
        }

        public Options withPolicy(Policy p) {
            return new Options(timingRuns, p, pinned);
        }

        /** These options with {@code choices} pinned (null: none). */
        public Options pinnedTo(PlanChoices choices) {
            return new Options(timingRuns, policy, choices);
        }
    }

    /**
     * An executor and the layer plans it runs (both hold per-run buffers): one caller at a time. {@code in} and
     * {@code out} hold the caller's arrays during one allocation-free run, in graph order.
     */
    private record Context(NetworkExecutor executor, List<PlanLayer> layers, float[][] in, float[][] out) {
        Context(NetworkExecutor executor, List<PlanLayer> layers) {
            this(executor, layers, new float[executor.graph().inputs().size()][],
                    new float[executor.graph().outputs().size()][]);
        }

        /** Drops the caller's arrays. */
        void clear() {
            Arrays.fill(in, null);
            Arrays.fill(out, null);
        }

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
    private final PlanSignature signature;
    /** The model's file name or graph name, for messages and {@link #planChoices()}. */
    private final String model;
    private final Map<String, long[]> inputShapes;
    /** Guards the fields below; waited on by close (for busy contexts) and by serialized runs (for an idle one). */
    private final Object pool = new Object();
    private final Deque<Context> idle = new ArrayDeque<>();
    private final List<Context> siblings = new ArrayList<>();
    private int busy;
    private boolean closed;

    private SparsePlan(NetworkExecutor executor, List<PlanLayer> layers, Supplier<List<PlanLayer>> chosenLayers,
                       List<LayerChoice> choices, NetworkCheck check, PlanSignature signature, String model,
                       Map<String, long[]> inputShapes) {
        this.primary = new Context(executor, layers);
        this.chosenLayers = chosenLayers;
        this.concurrent = executor.backend().concurrentExecutors();
        this.choices = List.copyOf(choices);
        this.check = check;
        this.signature = signature;
        this.model = model;
        this.inputShapes = inputShapes;
        idle.push(primary);
    }

    /** As {@link #build(Path, Backend, Map, Options)} with {@link Options#defaults()}. */
    public static SparsePlan build(Path model, Backend backend, Map<String, long[]> inputShapes) {
        return build(model, backend, inputShapes, Options.defaults());
    }

    /**
     * Reads the ONNX model {@code model} and plans it for {@code inputShapes} (one per graph input, by name) on
     * {@code backend}. A file that cannot be read or is not a supported model fails as
     * {@link OnnxImporter#read(Path, Map)} does (its {@link FcptsException} names the file); wrong arguments
     * (null, an input missing from {@code inputShapes} or a key that is no input, a shape that does not fit the
     * declared one) are {@link ErrorCode#INVALID_ARGUMENT} naming the argument.
     */
    public static SparsePlan build(Path model, Backend backend, Map<String, long[]> inputShapes, Options options) {
        FcptsException.requireNonNull(model, "model");
        FcptsException.requireNonNull(backend, "backend");
        FcptsException.requireNonNull(options, "options");
        PlanSignature.checkNotNull(inputShapes);
        Graph graph = OnnxImporter.read(model, inputShapes).graph();
        Path name = model.getFileName();
        return build(graph, backend, inputShapes, options, name == null ? model.toString() : name.toString());
    }

    /** As {@link #build(Graph, Backend, Map, Options)} with {@code timingRuns} and {@link Policy#FASTEST}. */
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

    /** As {@link #build(Graph, Backend, Map, Options)} with {@code timingRuns} and {@code policy}. */
    public static SparsePlan build(Graph graph, Backend backend, Map<String, long[]> inputShapes, int timingRuns,
                                   Policy policy) {
        return build(graph, backend, inputShapes, new Options(timingRuns, policy, null));
    }

    /**
     * Plans an imported graph (for callers that build or rewrite graphs; a file goes through
     * {@link #build(Path, Backend, Map, Options)}). Arguments are checked as there.
     */
    public static SparsePlan build(Graph graph, Backend backend, Map<String, long[]> inputShapes, Options options) {
        FcptsException.requireNonNull(graph, "graph");
        FcptsException.requireNonNull(backend, "backend");
        FcptsException.requireNonNull(options, "options");
        return build(graph, backend, inputShapes, options, graph.name());
    }

    private static SparsePlan build(Graph graph, Backend backend, Map<String, long[]> givenShapes, Options options,
                                    String model) {
        PlanSignature.checkShapes(graph, givenShapes);
        Map<String, long[]> inputShapes = new LinkedHashMap<>();
        graph.inputs().forEach(in -> inputShapes.put(in.name(), givenShapes.get(in.name()).clone()));
        Policy policy = options.policy();
        int timingRuns = options.timingRuns();
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
            boolean timed = policy == Policy.FASTEST && options.pinned() == null;
            if (options.pinned() != null) {
                useSparse = options.pinned().sparseFlags(GraphDigest.sha256(serving), backend.name(), inputShapes,
                        candidates.stream().map(Candidate::node).toList());
            } else if (timed && anyEligible) {
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
            if (timed && choices.stream().anyMatch(LayerChoice::sparse)) {
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
                    choices, check, new PlanSignature(serving, shapes), model, inputShapes);
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

    /**
     * Runs the model; outputs in new arrays by graph output name. {@code inputs} holds one array per graph input
     * (by name, of its shape's element count) and no other key. Thread-safe (see the class comment).
     */
    public Map<String, float[]> run(Map<String, float[]> inputs) {
        Context c = acquire();
        try {
            signature.gatherInputs(inputs, c.in());
            return c.executor().run(inputs);
        } finally {
            release(c);
        }
    }

    /**
     * Runs the model writing each output into the caller's array: the serving run, which allocates nothing per
     * call. {@code inputs} as for {@link #run(Map)}; {@code outputs} names any non-empty subset of the graph
     * outputs (the others are computed but not copied out), each with an array of that output's element count,
     * and no other key. The arrays are the caller's again when the call returns. Thread-safe.
     */
    public void run(Map<String, float[]> inputs, Map<String, float[]> outputs) {
        Context c = acquire();
        try {
            signature.gatherInputs(inputs, c.in());
            signature.gatherOutputs(outputs, c.out());
            c.executor().run(c.in(), c.out());
        } finally {
            release(c);
        }
    }

    /**
     * {@link #run(Map, Map)} for a model with exactly one input and one output (else
     * {@link ErrorCode#INVALID_ARGUMENT}): reads {@code input}, writes {@code output}. Thread-safe.
     */
    public void run(float[] input, float[] output) {
        signature.checkSingle(input, output);
        Context c = acquire();
        try {
            c.in()[0] = input;
            c.out()[0] = output;
            c.executor().run(c.in(), c.out());
        } finally {
            release(c);
        }
    }

    /**
     * Median milliseconds of every step inside the network over {@code runs} runs (at least 1), by node (see
     * {@link NetworkExecutor#profile}), in one execution context; {@code inputs} as for {@link #run(Map)}.
     * Thread-safe.
     */
    public Map<String, Double> profile(Map<String, float[]> inputs, int runs) {
        if (runs < 1) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "runs is " + runs + "; at least 1 is needed");
        }
        Context c = acquire();
        try {
            signature.gatherInputs(inputs, c.in());
            return c.executor().profile(inputs, runs);
        } finally {
            release(c);
        }
    }

    /** The graph's input names, in graph order. */
    public List<String> inputNames() {
        return signature.inputNames();
    }

    /** The shape input {@code name} was planned for (a copy); an unknown name is INVALID_ARGUMENT. */
    public long[] inputShape(String name) {
        return signature.inputShape(name);
    }

    /** The graph's output names, in graph order. */
    public List<String> outputNames() {
        return signature.outputNames();
    }

    /** The shape of output {@code name} (a copy, from shape inference at build); unknown: INVALID_ARGUMENT. */
    public long[] outputShape(String name) {
        return signature.outputShape(name);
    }

    /**
     * This plan's decisions, to {@link PlanChoices#save save} and pin in a later build (computes the model's
     * SHA-256, a pass over its weights).
     */
    public PlanChoices planChoices() {
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        inputShapes.forEach((name, s) -> shapes.put(name, Arrays.stream(s).boxed().toList()));
        return new PlanChoices(model, GraphDigest.sha256(primary.executor().graph()), primary.executor().backend()
                .name(), shapes, choices.stream().map(c -> new PlanChoices.Layer(c.node(), c.sparse())).toList(),
                "made by the plan of " + model);
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
                    throw new FcptsException(ErrorCode.CLOSED, "SparsePlan of " + model + " used after close()");
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
                    throw new FcptsException(ErrorCode.CANCELLED, "interrupted while waiting for an execution "
                            + "context of the SparsePlan of " + model, e);
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
        c.clear();
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
     * runs and profiles started afterwards throw {@link FcptsException} with {@link ErrorCode#CLOSED} (the
     * accessors and the choices stay readable).
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

    /** Seeded uniform [-1, 1) inputs of these shapes: what plans are timed on. */
    static Map<String, float[]> probeInputs(Graph g, Map<String, long[]> shapes) {
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
    static double[] alternate(int runs, Runnable a, Runnable b) {
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
