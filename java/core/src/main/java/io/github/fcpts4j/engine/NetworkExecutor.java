package io.github.fcpts4j.engine;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.ir.ops.OpDefinition;
import io.github.fcpts4j.ir.ops.Ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs a graph on a backend for fixed input shapes: compiled once (shapes inferred, weights uploaded,
 * activation buffers planned by {@link BufferPlanner}, every node lowered by its op's definition in the
 * op registry), then run any number of times. Inference semantics in the forward pass (BatchNorm with its
 * running statistics, no dropout) unless {@link #setTraining training mode} is on.
 *
 * <p>With gradients enabled, {@link #backward} propagates output gradients to every float value:
 * activations, graph inputs and weights (conv / gemm weights and biases, BatchNorm gamma and beta; running
 * statistics and clip bounds get none); {@link GradientBuffers} sums the contributions of a value's
 * readers. A teacher network compiles without gradients and allocates no gradient buffers. Owns every
 * tensor and plan it made; close it.
 *
 * <p>Threads: an executor is not thread-safe; use one per thread (its activation buffers and plans hold
 * each run's data). A run, profile or backward pass entered while another thread's call is in flight
 * fails at once with {@link ErrorCode#CONCURRENT_USE} instead of mixing the two calls' data, and so does
 * closing it then; use after close throws {@link IllegalStateException}. A serving executor's
 * {@link #sibling} shares its constant weights with a second executor for a second thread (what
 * {@link io.github.fcpts4j.sparse.SparsePlan} does for concurrent callers).
 *
 * <p>Not supported: Gemm with alpha/beta != 1 or transA in backward, MatMul with a batched right operand,
 * pooling combining ceil_mode with count_include_pad.
 */
public final class NetworkExecutor implements AutoCloseable {
    private final Graph graph;
    private final Backend backend;
    private final ExecutorOptions options;
    private final Set<String> observed;
    private final Map<String, long[]> shapes;
    private final Map<String, LayerOverride> coveredBy;
    private final TensorScope owned = new TensorScope();
    /** Another executor's weight tensors that this one reads (a sibling), or null: it uploads its own. */
    private final Map<String, Tensor> sharedWeights;
    /** The thread whose call is in flight, or null. */
    private final AtomicReference<Thread> user = new AtomicReference<>();
    private volatile boolean closed;
    private final Map<String, Tensor> values = new HashMap<>();
    private final List<Runnable> forward = new ArrayList<>();
    private final List<String> forwardNodes = new ArrayList<>();
    private List<Tensor> activationTensors = List.of();
    private GradientBuffers grads;
    private ExecutorLowering lowering;

    private NetworkExecutor(Graph graph, Backend backend, Map<String, long[]> inputShapes, ExecutorOptions options,
                            Map<String, Tensor> sharedWeights) {
        this.graph = graph;
        this.sharedWeights = sharedWeights;
        this.backend = backend;
        this.options = options;
        this.observed = options.observed();
        this.shapes = ShapeInference.infer(graph, inputShapes);
        this.coveredBy = LayerOverrideChecks.coverage(graph, shapes, observed, options.overrides());
        for (String v : observed) {
            if (!shapes.containsKey(v) || graph.initializers().containsKey(v)) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has no intermediate value '" + v
                        + "' to observe");
            }
        }
    }

    /** Compiles {@code graph} for {@code inputShapes} as {@code options} say. */
    public static NetworkExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                          ExecutorOptions options) {
        return compile(graph, backend, inputShapes, options, null);
    }

    private static NetworkExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                           ExecutorOptions options, Map<String, Tensor> sharedWeights) {
        NetworkExecutor e = new NetworkExecutor(graph, backend, inputShapes, options, sharedWeights);
        try {
            e.build();
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    /** Compiles for inference only (no gradient buffers). */
    public static NetworkExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes) {
        return compile(graph, backend, inputShapes, ExecutorOptions.inference());
    }

    /** {@link ExecutorOptions#training()} when {@code gradients}, else {@link ExecutorOptions#inference()}. */
    public static NetworkExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                          boolean gradients) {
        return compile(graph, backend, inputShapes, gradients ? ExecutorOptions.training()
                : ExecutorOptions.inference());
    }

    /**
     * As {@link #compile(Graph, Backend, Map, boolean)}, and the intermediate values in {@code observed} are
     * treated like graph outputs (see {@link ExecutorOptions#observed}), as a feature-matching loss needs.
     */
    public static NetworkExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                          boolean gradients, Set<String> observed) {
        return compile(graph, backend, inputShapes, (gradients ? ExecutorOptions.training()
                : ExecutorOptions.inference()).observing(observed));
    }

    /**
     * An inference executor for serving ({@link ExecutorOptions#serving}): the chains of nodes named by
     * {@code overrides} run the given code instead of the engine's kernels, and the weights are constants,
     * so convolution plans may keep pre-packed copies of them (do not write into initializer tensors).
     */
    public static NetworkExecutor compileInference(Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                                   List<LayerOverride> overrides) {
        return compile(graph, backend, inputShapes, ExecutorOptions.serving(overrides));
    }

    /**
     * A second serving executor of this one's graph and input shapes for another thread: it reads this
     * executor's weight tensors (shared, not copied: serving weights are constants, nothing writes them) and
     * has its own activation buffers and kernel plans, with {@code overrides} in place of the engine's
     * kernels (the layer overrides hold per-run buffers too, so they are the sibling's own). Running it
     * concurrently with this executor needs a backend whose {@link Backend#concurrentExecutors()} is true.
     * Close it before this executor (which owns the weights).
     */
    public NetworkExecutor sibling(List<LayerOverride> overrides) {
        requireOpen();
        if (!options.constantWeights()) {
            throw new IllegalStateException("graph '" + graph.name() + "': only a serving executor (constant "
                    + "weights) shares its weights with a sibling");
        }
        Map<String, Tensor> weights = new HashMap<>();
        graph.initializers().forEach((name, data) -> {
            if (data.isFloat()) {
                weights.put(name, values.get(name));
            }
        });
        Map<String, long[]> inputShapes = new HashMap<>();
        graph.inputs().forEach(in -> inputShapes.put(in.name(), shapes.get(in.name())));
        return compile(graph, backend, inputShapes, ExecutorOptions.serving(overrides).observing(observed), weights);
    }

    private void build() {
        graph.initializers().forEach((name, data) -> {
            if (data.isFloat()) {
                values.put(name, sharedWeights != null ? sharedWeights.get(name)
                        : owned.upload(backend, data.floats(), data.dims()));
            }
        });
        for (ValueInfo in : graph.inputs()) {
            values.put(in.name(), owned.allocate(backend, shapes.get(in.name())));
        }
        Map<String, Integer> readers = new HashMap<>();
        for (Node node : graph.nodes()) {
            for (String in : node.inputs()) {
                readers.merge(in, 1, Integer::sum);
            }
        }
        activationTensors = BufferPlanner.plan(graph, shapes, coveredBy, observed, options.gradients(), backend,
                owned, values);
        graph.outputs().forEach(o -> readers.merge(o.name(), 1, Integer::sum));
        observed.forEach(v -> readers.merge(v, 1, Integer::sum));
        if (options.gradients()) {
            grads = new GradientBuffers(backend, owned, shapes, readers);
            grads.allocate(values);
        }
        lowering = new ExecutorLowering(graph, backend, shapes, values, grads, owned, options.constantWeights());
        for (Node node : graph.nodes()) {
            LayerOverride o = coveredBy.get(node.name());
            if (o == null) {
                OpDefinition op = Ops.of(node.op());
                if (grads != null && op.inferenceOnly()) {
                    throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, node.describe() + ": has no gradient "
                            + "(inference only), so it cannot be in a network being pruned");
                }
                forward.add(op.lower(node, lowering));
                forwardNodes.add(node.name());
            } else if (LayerOverrideChecks.isLast(o, node)) {
                Tensor[] in = o.inputs().stream().map(this::value).toArray(Tensor[]::new);
                Tensor y = value(node.output());
                forward.add(() -> o.forward(in, y));
                forwardNodes.add(o.nodes().get(0));
            }
        }
    }

    public Backend backend() {
        return backend;
    }

    public Graph graph() {
        return graph;
    }

    /**
     * Training mode (training from scratch, FCPTS's teacher and student by default, BatchNorm
     * re-estimation): BatchNorm uses batch statistics, updates its running statistics in the
     * graph's mean and variance tensors, and back-propagates through the batch statistics.
     * Default off (inference semantics). Not available in serving executors (constant weights).
     */
    public void setTraining(boolean training) {
        lowering.setTraining(training);
    }

    /**
     * In training mode, replaces every BatchNorm's momentum (running = m running + (1 - m) batch)
     * with {@code momentum}; null restores the graph's attributes. Re-estimating statistics as a
     * cumulative average sets m = k / (k + 1) before batch k.
     */
    public void setBatchNormMomentum(Float momentum) {
        lowering.setMomentumOverride(momentum);
    }

    /** Bytes held by activation buffers (node outputs), after buffer reuse. */
    public long activationBytes() {
        return activationTensors.stream().distinct().mapToLong(t -> t.size() * Float.BYTES).sum();
    }

    /** Concrete shape of any value (input, weight or node output). */
    public long[] shape(String value) {
        long[] s = shapes.get(value);
        if (s == null) {
            throw new IllegalArgumentException("graph '" + graph.name() + "' has no value '" + value + "'");
        }
        return s.clone();
    }

    /** Runs the graph; inputs by graph input name, outputs by graph output name. */
    public Map<String, float[]> run(Map<String, float[]> inputs) {
        enter("run");
        try {
            return runGuarded(inputs);
        } finally {
            exit();
        }
    }

    /** Marks the calling thread's call in flight; a second thread's call fails fast. */
    private void enter(String call) {
        Thread me = Thread.currentThread();
        if (!user.compareAndSet(null, me)) {
            throw concurrentUse(call);
        }
        if (closed) {
            user.set(null);
            requireOpen();
        }
    }

    private FcptsException concurrentUse(String call) {
        Thread other = user.get();
        return new FcptsException(ErrorCode.CONCURRENT_USE, "graph '" + graph.name() + "': " + call + " on thread '"
                + Thread.currentThread().getName() + "' while a call on thread '"
                + (other == null ? "?" : other.getName()) + "' is in flight; a NetworkExecutor is for one thread at "
                + "a time (compile one per thread, or use SparsePlan, whose run is thread-safe)");
    }

    private void exit() {
        user.set(null);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("NetworkExecutor of graph '" + graph.name() + "' used after close()");
        }
    }

    private Map<String, float[]> runGuarded(Map<String, float[]> inputs) {
        for (ValueInfo in : graph.inputs()) {
            float[] data = inputs.get(in.name());
            if (data == null) {
                throw new IllegalArgumentException("missing input '" + in.name() + "' of shape "
                        + Arrays.toString(shapes.get(in.name())));
            }
            value(in.name()).copyFrom(data);
        }
        forward.forEach(Runnable::run);
        backend.synchronize();
        return outputsToHost();
    }

    /**
     * The allocation-free run for serving: {@code inputs[i]} is graph input i's data, and graph output j is
     * copied into {@code outputs[j]} (skipped where null) instead of into new arrays; lengths must match.
     */
    public void run(float[][] inputs, float[][] outputs) {
        enter("run");
        try {
            List<ValueInfo> ins = graph.inputs(), outs = graph.outputs();
            if (inputs.length != ins.size() || outputs.length != outs.size()) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has " + ins.size() + " input(s) and "
                        + outs.size() + " output(s), got " + inputs.length + " and " + outputs.length + " arrays");
            }
            for (int i = 0; i < inputs.length; i++) {
                value(ins.get(i).name()).copyFrom(inputs[i]);
            }
            forward.forEach(Runnable::run);
            backend.synchronize();
            for (int j = 0; j < outputs.length; j++) {
                if (outputs[j] != null) {
                    Tensor y = value(outs.get(j).name());
                    if (outputs[j].length != y.size()) {
                        throw new IllegalArgumentException("output '" + outs.get(j).name() + "' holds " + y.size()
                                + " floats, its array " + outputs[j].length);
                    }
                    y.read(0, outputs[j], 0, outputs[j].length);
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * Runs the graph on inputs already on this executor's backend (copied device to device into its input
     * buffers); the results stay on the backend ({@link #value}). Nothing waits for the device.
     */
    public void runFromTensors(Map<String, Tensor> inputs) {
        enter("runFromTensors");
        try {
            for (ValueInfo in : graph.inputs()) {
                Tensor data = inputs.get(in.name());
                if (data == null || data.size() != value(in.name()).size()) {
                    throw new IllegalArgumentException((data == null ? "missing input '" : "wrongly sized input '")
                            + in.name() + "' of shape " + Arrays.toString(shapes.get(in.name())));
                }
                backend.copy(data, value(in.name()));
            }
            forward.forEach(Runnable::run);
        } finally {
            exit();
        }
    }

    private Map<String, float[]> outputsToHost() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (ValueInfo o : graph.outputs()) {
            out.put(o.name(), value(o.name()).toArray());
        }
        return out;
    }

    /**
     * Runs the graph {@code runs} times (after one warm-up run) timing every step: the median
     * milliseconds per step, by node name in execution order (a layer override's chain under its first
     * node). The backend is synchronized after each step, so the times add up to a little more than a
     * plain run.
     */
    public Map<String, Double> profile(Map<String, float[]> inputs, int runs) {
        double[][] t = new double[forward.size()][Math.max(1, runs)];
        enter("profile");
        try {
            runGuarded(inputs);
            for (int r = 0; r < t[0].length; r++) {
                for (int i = 0; i < forward.size(); i++) {
                    t[i][r] = backend.elapsedMillis(forward.get(i));
                }
            }
        } finally {
            exit();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < forward.size(); i++) {
            Arrays.sort(t[i]);
            out.put(forwardNodes.get(i), t[i][t[i].length / 2]);
        }
        return out;
    }

    /**
     * Back-propagates from the given graph-output gradients (outputs left out
     * get zero) through the last {@link #run}; afterwards {@link #gradient}
     * holds d loss / d value for every float value.
     */
    public void backward(Map<String, float[]> outputGradients) {
        seedAndRunBackward(outputGradients.keySet(), name -> grads.of(name).copyFrom(outputGradients.get(name)));
    }

    /**
     * As {@link #backward}, with the output gradients already on this executor's backend (no host copy):
     * each is copied into the executor's own gradient buffer before the pass.
     */
    public void backwardFromTensors(Map<String, Tensor> outputGradients) {
        seedAndRunBackward(outputGradients.keySet(), name -> {
            Tensor seed = outputGradients.get(name), target = grads.of(name);
            if (seed.size() != target.size()) {
                throw new IllegalArgumentException("gradient of '" + name + "' holds " + seed.size()
                        + " floats, the value " + target.size());
            }
            backend.copy(seed, target);
        });
    }

    private void seedAndRunBackward(Set<String> seeded, Consumer<String> seed) {
        enter("backward");
        try {
            seedAndRunBackwardGuarded(seeded, seed);
        } finally {
            exit();
        }
    }

    private void seedAndRunBackwardGuarded(Set<String> seeded, Consumer<String> seed) {
        if (grads == null) {
            throw new IllegalStateException("graph '" + graph.name() + "' was compiled without gradients");
        }
        for (String name : seeded) {
            if (graph.outputs().stream().noneMatch(o -> o.name().equals(name)) && !observed.contains(name)) {
                throw new IllegalArgumentException("'" + name + "' is neither an output nor an observed value of "
                        + "graph '" + graph.name() + "'");
            }
        }
        grads.run(seeded, seed);
        backend.synchronize();
    }

    /** A host copy of d loss / d {@code value} after {@link #backward}. */
    public float[] gradient(String value) {
        return gradientTensor(value).toArray();
    }

    /** The gradient tensor of a value (for optimizers that update in place on the backend). */
    public Tensor gradientTensor(String value) {
        Tensor g = grads == null ? null : grads.of(value);
        if (g == null) {
            throw new IllegalArgumentException("no gradient for '" + value + "'"
                    + (grads != null ? "" : ": compiled without gradients"));
        }
        return g;
    }

    /** The graph with every float initializer replaced by the current contents of its tensor. */
    public Graph currentGraph() {
        Graph g = graph;
        for (var e : graph.initializers().entrySet()) {
            if (e.getValue().isFloat()) {
                g = g.withInitializer(e.getKey(), TensorData.ofFloats(e.getValue().dims(), value(e.getKey()).toArray()));
            }
        }
        return g;
    }

    /** The device tensor of a value (for callers that keep data on the backend). */
    public Tensor value(String name) {
        return lowering.value(name);
    }

    /**
     * Frees every tensor and plan this executor made (not a sibling's shared weights: their owner frees
     * them). Idempotent; fails with {@link ErrorCode#CONCURRENT_USE} while another thread's call is in flight.
     */
    @Override
    public void close() {
        if (!user.compareAndSet(null, Thread.currentThread())) {
            throw concurrentUse("close");
        }
        try {
            closed = true;
            owned.close();
        } finally {
            user.set(null);
        }
    }
}
