package io.github.fcpts4j.engine;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.NetworkKernels.Binary;
import io.github.fcpts4j.backend.NetworkKernels.Pool;
import io.github.fcpts4j.backend.NetworkKernels.Unary;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.ir.Windows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph on a backend for fixed input shapes: compiled once (shapes
 * inferred, weights uploaded, one tensor per value, oneDNN plans per node),
 * then run any number of times. Inference semantics in the forward pass
 * (BatchNorm with its running statistics, no dropout).
 *
 * <p>With gradients enabled, {@link #backward} propagates output gradients to
 * every float value: activations, graph inputs and weights (conv / gemm
 * weights and biases, BatchNorm gamma and beta; running statistics and clip
 * bounds get none). A value read by several nodes sums their contributions.
 * A teacher network compiles without gradients and allocates no gradient
 * buffers. Owns every tensor and plan it made; close it.
 *
 * <p>Not yet: a lifetime-based buffer planner (every value keeps its own
 * tensor), Gemm with alpha/beta != 1 or transA in backward, MatMul with a
 * batched right operand, pooling combining ceil_mode with count_include_pad.
 */
public final class NetworkExecutor implements AutoCloseable {
    private final Graph graph;
    private final Backend backend;
    private final NetworkKernels kernels;
    private final boolean gradients;
    private final Map<String, long[]> shapes;
    private final TensorScope owned = new TensorScope();
    private final Map<String, Tensor> values = new HashMap<>();
    private final Map<String, Tensor> grads = new HashMap<>();
    private final Map<String, Integer> consumers = new HashMap<>();
    private final List<Tensor> activationTensors = new ArrayList<>();
    private final List<Runnable> forward = new ArrayList<>();
    private final List<String> forwardNodes = new ArrayList<>();
    private final List<Runnable> backward = new ArrayList<>();
    private boolean training;

    private final java.util.Set<String> observed;
    /** node name -> the override whose chain covers it */
    private final Map<String, LayerOverride> coveredBy = new HashMap<>();
    private final boolean constantWeights;
    private Float momentumOverride;

    private NetworkExecutor(Graph graph, Backend backend, Map<String, long[]> inputShapes, boolean gradients,
                            java.util.Set<String> observed, List<LayerOverride> overrides, boolean constantWeights) {
        this.graph = graph;
        this.backend = backend;
        this.kernels = backend.network();
        this.gradients = gradients;
        this.shapes = ShapeInference.infer(graph, inputShapes);
        this.observed = java.util.Set.copyOf(observed);
        this.constantWeights = constantWeights;
        if (gradients && (!overrides.isEmpty() || constantWeights)) {
            throw new IllegalArgumentException("layer overrides and constant weights are for inference executors only");
        }
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < graph.nodes().size(); i++) {
            position.put(graph.nodes().get(i).name(), i);
        }
        for (LayerOverride o : List.copyOf(overrides)) {
            checkChain(o, position);
        }
        for (String v : this.observed) {
            if (!shapes.containsKey(v) || graph.initializers().containsKey(v)) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has no intermediate value '" + v
                        + "' to observe");
            }
        }
    }

    /** Compiles for inference only (no gradient buffers). */
    public static NetworkExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes) {
        return compile(graph, backend, inputShapes, false);
    }

    /** Compiles {@code graph} for {@code inputShapes}; with {@code gradients}, {@link #backward} is available. */
    public static NetworkExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                          boolean gradients) {
        return compile(graph, backend, inputShapes, gradients, java.util.Set.of());
    }

    /**
     * As {@link #compile(Graph, Backend, Map, boolean)}, and the intermediate values in
     * {@code observed} are treated like graph outputs: their buffers are never reused (so
     * {@link #value} reads them after a run) and {@link #backward} accepts a gradient for them
     * (added to what flows back from later nodes), as a feature-matching loss needs.
     */
    public static NetworkExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                          boolean gradients, java.util.Set<String> observed) {
        return compile(new NetworkExecutor(graph, backend, inputShapes, gradients, observed, List.of(), false));
    }

    /**
     * An inference executor for serving: the chains of nodes named by {@code overrides} run the given code
     * instead of the engine's kernels, and the weights are constants, so convolution plans may keep
     * pre-packed copies of them (do not write into initializer tensors of this executor).
     */
    public static NetworkExecutor compileInference(Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                                   List<LayerOverride> overrides) {
        return compile(new NetworkExecutor(graph, backend, inputShapes, false, java.util.Set.of(), overrides, true));
    }

    private static NetworkExecutor compile(NetworkExecutor e) {
        try {
            e.build();
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    private void checkChain(LayerOverride o, Map<String, Integer> position) {
        List<String> chain = o.nodes();
        if (chain.isEmpty() || o.inputs().isEmpty()) {
            throw new IllegalArgumentException("a layer override needs at least one node and one input");
        }
        java.util.Set<String> internal = new java.util.HashSet<>();
        for (int i = 0; i < chain.size(); i++) {
            Integer at = position.get(chain.get(i));
            if (at == null) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has no node '" + chain.get(i)
                        + "' to override");
            }
            Node n = graph.nodes().get(at);
            if (coveredBy.put(n.name(), o) != null) {
                throw new IllegalArgumentException("node '" + n.name() + "' is covered by two layer overrides");
            }
            if (i < chain.size() - 1) {
                internal.add(n.output());
            }
        }
        for (String v : internal) {
            boolean readOutside = graph.nodes().stream().anyMatch(n -> n.inputs().contains(v)
                    && !chain.contains(n.name()));
            boolean exposed = observed.contains(v) || graph.outputs().stream().anyMatch(x -> x.name().equals(v));
            if (readOutside || exposed || o.inputs().contains(v)) {
                throw new IllegalArgumentException("layer override of '" + chain.get(0) + "': intermediate value '"
                        + v + "' is read outside its chain");
            }
        }
        int runsAt = position.get(chain.get(chain.size() - 1));
        for (String in : o.inputs()) {
            if (!shapes.containsKey(in)) {
                throw new IllegalArgumentException("layer override of '" + chain.get(0) + "' reads unknown value '"
                        + in + "'");
            }
            int producedAt = graph.producer(in).map(p -> position.get(p.name())).orElse(-1);
            if (producedAt >= runsAt) {
                throw new IllegalArgumentException("layer override of '" + chain.get(0) + "' reads '" + in
                        + "', which is computed only after its chain");
            }
        }
    }

    private void build() {
        graph.initializers().forEach((name, data) -> {
            if (data.isFloat()) {
                values.put(name, owned.upload(backend, data.floats(), data.dims()));
            }
        });
        for (ValueInfo in : graph.inputs()) {
            values.put(in.name(), owned.allocate(backend, shapes.get(in.name())));
        }
        for (Node node : graph.nodes()) {
            for (String in : node.inputs()) {
                consumers.merge(in, 1, Integer::sum);
            }
        }
        planActivations();
        graph.outputs().forEach(o -> consumers.merge(o.name(), 1, Integer::sum));
        observed.forEach(v -> consumers.merge(v, 1, Integer::sum));
        if (gradients) {
            values.forEach((name, t) -> grads.put(name, owned.allocate(backend, t.shape())));
        }
        for (Node node : graph.nodes()) {
            LayerOverride o = coveredBy.get(node.name());
            if (o == null) {
                forward.add(compile(node));
                forwardNodes.add(node.name());
            } else if (isLast(o, node)) {
                Tensor[] in = o.inputs().stream().map(this::value).toArray(Tensor[]::new);
                Tensor y = value(node.output());
                forward.add(() -> o.forward(in, y));
                forwardNodes.add(o.nodes().get(0));
            }
        }
    }

    private static boolean isLast(LayerOverride o, Node n) {
        return o.nodes().get(o.nodes().size() - 1).equals(n.name());
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
        this.training = training;
    }

    /**
     * In training mode, replaces every BatchNorm's momentum (running = m running + (1 - m) batch)
     * with {@code momentum}; null restores the graph's attributes. Re-estimating statistics as a
     * cumulative average sets m = k / (k + 1) before batch k.
     */
    public void setBatchNormMomentum(Float momentum) {
        this.momentumOverride = momentum;
    }

    /**
     * One tensor per node output. Without gradients, buffers are reused by a
     * lifetime planner: a value's buffer returns to a pool (keyed by element
     * count) right after the last node that reads it, and a later output of the
     * same size takes it; a node never receives the buffer of one of its own
     * inputs, and graph outputs are never recycled. With gradients every
     * activation is kept for the backward pass.
     */
    private void planActivations() {
        List<Node> nodes = graph.nodes();
        // a node covered by a layer override runs at the position of its chain's last node
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            position.put(nodes.get(i).name(), i);
        }
        int[] runsAt = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            LayerOverride o = coveredBy.get(nodes.get(i).name());
            runsAt[i] = o == null ? i : position.get(o.nodes().get(o.nodes().size() - 1));
            if (o != null && runsAt[i] < i) {
                throw new IllegalArgumentException("layer override of '" + o.nodes().get(0)
                        + "': its nodes are not listed in graph order");
            }
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                lastUse.merge(in, runsAt[i], Math::max);
            }
        }
        graph.outputs().forEach(o -> lastUse.put(o.name(), Integer.MAX_VALUE));
        observed.forEach(v -> lastUse.put(v, Integer.MAX_VALUE));
        java.util.Set<String> activations = new java.util.HashSet<>();
        nodes.forEach(n -> activations.add(n.output()));
        Map<Integer, List<String>> readAt = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            readAt.computeIfAbsent(runsAt[i], k -> new ArrayList<>()).addAll(nodes.get(i).inputs());
        }
        Map<Long, java.util.ArrayDeque<Tensor>> pool = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            LayerOverride o = coveredBy.get(node.name());
            if (o != null && !isLast(o, node)) {
                continue;  // computed inside its chain: no buffer
            }
            long[] shape = shapes.get(node.output());
            long size = Tensor.elementCount(shape);
            java.util.ArrayDeque<Tensor> free = gradients ? null : pool.get(size);
            Tensor out = free == null || free.isEmpty() ? owned.allocate(backend, shape) : free.pop();
            values.put(node.output(), out);
            activationTensors.add(out);
            if (gradients) {
                continue;
            }
            for (String in : new java.util.LinkedHashSet<>(readAt.getOrDefault(i, List.of()))) {
                if (activations.contains(in) && values.containsKey(in) && lastUse.getOrDefault(in, -1) == i) {
                    pool.computeIfAbsent(Tensor.elementCount(shapes.get(in)), k -> new java.util.ArrayDeque<>())
                            .push(values.get(in));
                }
            }
        }
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
     * Runs the graph on inputs already on this executor's backend (copied device to device into its input
     * buffers); the results stay on the backend ({@link #value}). Nothing waits for the device.
     */
    public void runFromTensors(Map<String, Tensor> inputs) {
        for (ValueInfo in : graph.inputs()) {
            Tensor data = inputs.get(in.name());
            if (data == null || data.size() != value(in.name()).size()) {
                throw new IllegalArgumentException((data == null ? "missing input '" : "wrongly sized input '")
                        + in.name() + "' of shape " + Arrays.toString(shapes.get(in.name())));
            }
            backend.copy(data, value(in.name()));
        }
        forward.forEach(Runnable::run);
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
        run(inputs);
        double[][] t = new double[forward.size()][Math.max(1, runs)];
        for (int r = 0; r < t[0].length; r++) {
            for (int i = 0; i < forward.size(); i++) {
                t[i][r] = backend.elapsedMillis(forward.get(i));
            }
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
        seedAndRunBackward(outputGradients.keySet(), name -> grads.get(name).copyFrom(outputGradients.get(name)));
    }

    /**
     * As {@link #backward}, with the output gradients already on this executor's backend (no host copy):
     * each is copied into the executor's own gradient buffer before the pass.
     */
    public void backwardFromTensors(Map<String, Tensor> outputGradients) {
        seedAndRunBackward(outputGradients.keySet(), name -> {
            Tensor seed = outputGradients.get(name), target = grads.get(name);
            if (seed.size() != target.size()) {
                throw new IllegalArgumentException("gradient of '" + name + "' holds " + seed.size()
                        + " floats, the value " + target.size());
            }
            backend.copy(seed, target);
        });
    }

    private void seedAndRunBackward(java.util.Set<String> seeded, java.util.function.Consumer<String> seed) {
        if (!gradients) {
            throw new IllegalStateException("graph '" + graph.name() + "' was compiled without gradients");
        }
        for (String name : seeded) {
            if (graph.outputs().stream().noneMatch(o -> o.name().equals(name)) && !observed.contains(name)) {
                throw new IllegalArgumentException("'" + name + "' is neither an output nor an observed value of "
                        + "graph '" + graph.name() + "'");
            }
        }
        grads.values().forEach(g -> kernels.fill(g, 0f));
        seeded.forEach(seed);
        for (int i = backward.size() - 1; i >= 0; i--) {
            backward.get(i).run();
        }
        backend.synchronize();
    }

    /** A host copy of d loss / d {@code value} after {@link #backward}. */
    public float[] gradient(String value) {
        Tensor g = grads.get(value);
        if (g == null) {
            throw new IllegalArgumentException("no gradient for '" + value + "'"
                    + (gradients ? "" : ": compiled without gradients"));
        }
        return g.toArray();
    }

    /** The gradient tensor of a value (for optimizers that update in place on the backend). */
    public Tensor gradientTensor(String value) {
        Tensor g = grads.get(value);
        if (g == null) {
            throw new IllegalArgumentException("no gradient for '" + value + "'"
                    + (gradients ? "" : ": compiled without gradients"));
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
        Tensor t = values.get(name);
        if (t == null) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, "value '" + name
                    + "' is not a float tensor of graph '" + graph.name() + "'");
        }
        return t;
    }

    private Tensor optional(String value) {
        return value.isEmpty() ? null : value(value);
    }

    /**
     * Where a node's backward writes the gradient of its input {@code value}:
     * straight into the value's gradient when this node is its only reader,
     * otherwise into a scratch tensor that {@link #accumulate} adds.
     */
    private Tensor gradTarget(String value) {
        if (!gradients || value.isEmpty() || !grads.containsKey(value)) {
            return null;
        }
        return consumers.getOrDefault(value, 0) == 1 ? grads.get(value)
                : owned.allocate(backend, shapes.get(value));
    }

    private Runnable accumulate(String value, Tensor target) {
        if (target == null || target == grads.get(value)) {
            return () -> { };
        }
        Tensor g = grads.get(value);
        long[] s = shapes.get(value);
        return () -> kernels.binary(Binary.ADD, g, s, target, s, g, s);
    }

    private void addBackward(Runnable compute, String[] inputs, Tensor[] targets) {
        if (!gradients) {
            return;
        }
        List<Runnable> commits = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            commits.add(accumulate(inputs[i], targets[i]));
        }
        backward.add(() -> {
            compute.run();
            commits.forEach(Runnable::run);
        });
    }

    private float constantScalar(Node n, int input, float fallback) {
        String name = n.input(input);
        if (name.isEmpty()) {
            return fallback;
        }
        TensorData c = graph.initializer(name).orElseThrow(() -> new FcptsException(ErrorCode.UNSUPPORTED_MODEL,
                n.describe() + ": input " + input + " ('" + name + "') must be a constant"));
        return (float) c.get(0);
    }

    private static long product(long[] s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= s[i];
        }
        return p;
    }

    private static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    private Runnable compile(Node n) {
        long[] xShape = shapes.get(n.input(0));
        Attributes a = n.attributes();
        switch (n.op()) {
            case RELU:
                return unary(n, Unary.RELU, 0, 0);
            case CLIP:
                return unary(n, Unary.CLIP, constantScalar(n, 1, Float.NEGATIVE_INFINITY),
                        constantScalar(n, 2, Float.POSITIVE_INFINITY));
            case LEAKY_RELU:
                return unary(n, Unary.LEAKY_RELU, a.getFloat("alpha", 0.01f), 0);
            case SIGMOID:
                return unary(n, Unary.SIGMOID, 0, 0);
            case HARD_SIGMOID:
                return unary(n, Unary.HARD_SIGMOID, a.getFloat("alpha", 0.2f), a.getFloat("beta", 0.5f));
            case HARD_SWISH:
                return unary(n, Unary.HARD_SWISH, 0, 0);
            case ADD, SUB, MUL, DIV:
                return binary(n);
            case CONV:
                return conv(n, xShape);
            case MAX_POOL, AVERAGE_POOL:
                return pool(n, xShape);
            case BATCH_NORMALIZATION:
                return batchNorm(n, xShape);
            case GLOBAL_AVERAGE_POOL: {
                Tensor x = value(n.input(0)), y = value(n.output());
                long planes = xShape[0] * xShape[1], spatial = product(xShape, 2, xShape.length);
                Tensor dx = gradTarget(n.input(0));
                Tensor dy = grads.get(n.output());
                addBackward(() -> kernels.globalAveragePoolBackward(dy, planes, spatial, dx), new String[] {n.input(0)},
                        new Tensor[] {dx});
                return () -> kernels.globalAveragePool(x, planes, spatial, y);
            }
            case FLATTEN, RESHAPE: {
                Tensor x = value(n.input(0)), y = value(n.output());
                Tensor dx = gradTarget(n.input(0));
                Tensor dy = grads.get(n.output());
                addBackward(() -> backend.copy(dy, dx), new String[] {n.input(0)}, new Tensor[] {dx});
                return () -> backend.copy(x, y);
            }
            case TRANSPOSE:
                return transpose(n, xShape);
            case CONCAT:
                return concat(n);
            case SOFTMAX: {
                Tensor x = value(n.input(0)), y = value(n.output());
                int ax = axis(a.getInt("axis", -1), xShape.length);
                long outer = product(xShape, 0, ax), inner = product(xShape, ax + 1, xShape.length);
                Tensor dx = gradTarget(n.input(0));
                Tensor dy = grads.get(n.output());
                addBackward(() -> kernels.softmaxBackward(y, dy, outer, xShape[ax], inner, dx),
                        new String[] {n.input(0)}, new Tensor[] {dx});
                return () -> kernels.softmax(x, outer, xShape[ax], inner, y);
            }
            case GEMM:
                return gemm(n, xShape);
            case MATMUL:
                return matmul(n, xShape);
            default:
                throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": no kernel");
        }
    }

    private Runnable unary(Node n, Unary op, float alpha, float beta) {
        Tensor x = value(n.input(0)), y = value(n.output());
        Tensor dx = gradTarget(n.input(0));
        Tensor dy = grads.get(n.output());
        addBackward(() -> kernels.unaryBackward(op, alpha, beta, x, dy, dx), new String[] {n.input(0)},
                new Tensor[] {dx});
        return () -> kernels.unary(op, alpha, beta, x, y);
    }

    private Runnable binary(Node n) {
        Binary op = Binary.valueOf(n.op().name());
        Tensor lhs = value(n.input(0)), rhs = value(n.input(1)), y = value(n.output());
        long[] ls = shapes.get(n.input(0)), rs = shapes.get(n.input(1)), ys = shapes.get(n.output());
        int rank = ys.length;
        long[] lp = padded(ls, rank), rp = padded(rs, rank);
        Tensor da = gradTarget(n.input(0)), db = gradTarget(n.input(1));
        Tensor dy = grads.get(n.output());
        addBackward(() -> kernels.binaryBackward(op, lhs, lp, rhs, rp, dy, ys, da, db),
                new String[] {n.input(0), n.input(1)}, new Tensor[] {da, db});
        return () -> kernels.binary(op, lhs, lp, rhs, rp, y, ys);
    }

    private static long[] padded(long[] shape, int rank) {
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }

    private static void require2d(Node n, long[] xShape) {
        if (xShape.length != 4) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": only 2-D (NCHW) windows are "
                    + "supported, input is " + Arrays.toString(xShape));
        }
    }

    private Runnable conv(Node n, long[] xShape) {
        require2d(n, xShape);
        long[] wShape = shapes.get(n.input(1)), yShape = shapes.get(n.output());
        long[][] win = Windows.of(n, xShape, Arrays.copyOfRange(wShape, 2, 4), false);
        WindowGeometry g = new WindowGeometry(xShape[0], xShape[1], xShape[2], xShape[3], yShape[1], yShape[2],
                yShape[3], wShape[2], wShape[3], win[0][3], win[1][3], win[0][4], win[1][4], win[0][1], win[1][1],
                win[0][2], win[1][2], n.attributes().getInt("group", 1));
        Tensor bias = optional(n.input(2));
        NetworkKernels.ConvPlan plan = owned.track(kernels.conv(g, bias != null, constantWeights));
        Tensor x = value(n.input(0)), w = value(n.input(1)), y = value(n.output());
        Tensor dx = gradTarget(n.input(0)), dw = gradTarget(n.input(1)), db = gradTarget(n.input(2));
        Tensor dy = grads.get(n.output());
        addBackward(() -> plan.backward(x, w, dy, dx, dw, db), new String[] {n.input(0), n.input(1), n.input(2)},
                new Tensor[] {dx, dw, db});
        return () -> plan.forward(x, w, bias, y);
    }

    private Runnable pool(Node n, long[] xShape) {
        require2d(n, xShape);
        if (n.outputs().size() > 1 && !n.outputs().get(1).isEmpty()) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": MaxPool indices output");
        }
        Attributes a = n.attributes();
        long[] kernel = a.getInts("kernel_shape", null), yShape = shapes.get(n.output());
        long[][] win = Windows.of(n, xShape, kernel, a.getInt("ceil_mode", 0) != 0);
        Pool kind = n.op().name().equals("MAX_POOL") ? Pool.MAX
                : a.getInt("count_include_pad", 0) != 0 ? Pool.AVERAGE_INCLUDE_PAD : Pool.AVERAGE_EXCLUDE_PAD;
        // ceil_mode: widen the end padding so that the kernels' floor formula yields the same output size
        // (floor mode keeps the model's pads: a last window that leaves input rows unread needs no change)
        boolean ceil = a.getInt("ceil_mode", 0) != 0;
        long[] padEnd = new long[2];
        for (int i = 0; i < 2; i++) {
            long effective = (win[i][5] - 1) * win[i][4] + 1;
            long needed = (win[i][0] - 1) * win[i][3] + effective - xShape[2 + i] - win[i][1];
            padEnd[i] = ceil ? Math.max(win[i][2], needed) : win[i][2];
            if (padEnd[i] != win[i][2] && kind == Pool.AVERAGE_INCLUDE_PAD) {
                throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe()
                        + ": ceil_mode together with count_include_pad");
            }
        }
        WindowGeometry g = new WindowGeometry(xShape[0], xShape[1], xShape[2], xShape[3], xShape[1], yShape[2],
                yShape[3], kernel[0], kernel[1], win[0][3], win[1][3], win[0][4], win[1][4], win[0][1], win[1][1],
                padEnd[0], padEnd[1], 1);
        NetworkKernels.PoolPlan plan = owned.track(kernels.pool(g, kind));
        Tensor x = value(n.input(0)), y = value(n.output());
        Tensor dx = gradTarget(n.input(0));
        Tensor dy = grads.get(n.output());
        addBackward(() -> plan.backward(x, dy, dx), new String[] {n.input(0)}, new Tensor[] {dx});
        return () -> plan.forward(x, y);
    }

    private Runnable batchNorm(Node n, long[] xShape) {
        Tensor x = value(n.input(0)), gamma = value(n.input(1)), beta = value(n.input(2));
        Tensor mean = value(n.input(3)), var = value(n.input(4)), y = value(n.output());
        float eps = n.attributes().getFloat("epsilon", 1e-5f);
        float momentum = n.attributes().getFloat("momentum", 0.9f);
        long spatial = product(xShape, 2, xShape.length), batch = xShape[0], channels = xShape[1];
        Tensor dx = gradTarget(n.input(0)), dgamma = gradTarget(n.input(1)), dbeta = gradTarget(n.input(2));
        Tensor dy = grads.get(n.output());
        // batch statistics of a training-mode forward (read by its backward); a teacher without gradients
        // runs training-mode forwards too, so they exist in every executor that owns its weights
        Tensor saveMean = constantWeights ? null : owned.allocate(backend, channels);
        Tensor saveInvStd = constantWeights ? null : owned.allocate(backend, channels);
        addBackward(() -> {
            if (training) {
                kernels.batchNormTrainingBackward(x, dy, batch, channels, spatial, gamma, saveMean, saveInvStd, dx,
                        dgamma, dbeta);
            } else {
                kernels.batchNormBackward(x, dy, batch, channels, spatial, gamma, mean, var, eps, dx, dgamma, dbeta);
            }
        }, new String[] {n.input(0), n.input(1), n.input(2)}, new Tensor[] {dx, dgamma, dbeta});
        return () -> {
            if (training) {
                if (saveMean == null) {
                    throw new IllegalStateException("training mode is not available in a serving executor");
                }
                kernels.batchNormTraining(x, batch, channels, spatial, gamma, beta, mean, var,
                        momentumOverride != null ? momentumOverride : momentum, eps, y,
                        saveMean, saveInvStd);
            } else {
                kernels.batchNorm(x, batch, channels, spatial, gamma, beta, mean, var, eps, y);
            }
        };
    }

    private Runnable transpose(Node n, long[] xShape) {
        long[] perm = n.attributes().getInts("perm", null);
        if (perm == null) {
            perm = new long[xShape.length];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = perm.length - 1 - i;
            }
        }
        long[] p = perm, inverse = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[(int) perm[i]] = i;
        }
        long[] yShape = shapes.get(n.output());
        Tensor x = value(n.input(0)), y = value(n.output());
        Tensor dx = gradTarget(n.input(0));
        Tensor dy = grads.get(n.output());
        addBackward(() -> kernels.transpose(dy, yShape, inverse, dx), new String[] {n.input(0)}, new Tensor[] {dx});
        return () -> kernels.transpose(x, xShape, p, y);
    }

    private Runnable concat(Node n) {
        long[] yShape = shapes.get(n.output());
        int ax = axis(n.attributes().getInt("axis", 0), yShape.length);
        long inner = product(yShape, ax + 1, yShape.length), outer = product(yShape, 0, ax);
        long yBlock = yShape[ax] * inner;
        Tensor y = value(n.output());
        Tensor dy = grads.get(n.output());
        List<Runnable> pieces = new ArrayList<>();
        long offset = 0;
        for (String in : n.inputs()) {
            long block = shapes.get(in)[ax] * inner, at = offset;
            Tensor x = value(in);
            Tensor dx = gradTarget(in);
            pieces.add(() -> kernels.concatPiece(x, outer, block, y, yBlock, at));
            addBackward(() -> kernels.slicePiece(dy, outer, block, yBlock, at, dx), new String[] {in},
                    new Tensor[] {dx});
            offset += block;
        }
        return () -> pieces.forEach(Runnable::run);
    }

    private Runnable gemm(Node n, long[] aShape) {
        Attributes a = n.attributes();
        if (a.getFloat("alpha", 1f) != 1f || a.getFloat("beta", 1f) != 1f) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": alpha and beta other than 1");
        }
        boolean ta = a.getInt("transA", 0) != 0, tb = a.getInt("transB", 0) != 0;
        if (ta && gradients) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": gradients through transA = 1");
        }
        long[] yShape = shapes.get(n.output());
        long m = yShape[0], nn = yShape[1], k = ta ? aShape[0] : aShape[1];
        Tensor c = optional(n.input(2));
        long[] cShape = c == null ? null : shapes.get(n.input(2));
        boolean biasRow = c != null && product(cShape, 0, cShape.length) == nn && cShape[cShape.length - 1] == nn;
        NetworkKernels.MatMulPlan plan = owned.track(kernels.matmul(m, k, nn, ta, tb, biasRow));
        Tensor lhs = value(n.input(0)), rhs = value(n.input(1)), y = value(n.output());
        if (gradients) {
            // dA[m,k] = dY[m,n] op(B)^T; dB = (op(A)^T dY) stored as B is (transposed again when transB)
            NetworkKernels.MatMulPlan dataPlan = owned.track(kernels.matmul(m, nn, k, false, !tb, false));
            NetworkKernels.MatMulPlan weightPlan = owned.track(tb ? kernels.matmul(nn, m, k, true, false, false)
                    : kernels.matmul(k, m, nn, true, false, false));
            Tensor da = gradTarget(n.input(0)), db = gradTarget(n.input(1)), dc = gradTarget(n.input(2));
            Tensor dy = grads.get(n.output());
            addBackward(() -> {
                if (da != null) {
                    dataPlan.forward(dy, rhs, null, da);
                }
                if (db != null) {
                    if (tb) {
                        weightPlan.forward(dy, lhs, null, db);
                    } else {
                        weightPlan.forward(lhs, dy, null, db);
                    }
                }
                if (dc != null) {
                    if (biasRow) {
                        kernels.columnSum(dy, m, nn, dc);
                    } else {
                        kernels.binaryBackward(Binary.ADD, y, yShape, c, padded(cShape, 2), dy, yShape, null, dc);
                    }
                }
            }, new String[] {n.input(0), n.input(1), n.input(2)}, new Tensor[] {da, db, dc});
        }
        if (c == null || biasRow) {
            return () -> plan.forward(lhs, rhs, biasRow ? c : null, y);
        }
        long[] cp = padded(cShape, 2);
        return () -> {
            plan.forward(lhs, rhs, null, y);
            kernels.binary(Binary.ADD, y, yShape, c, cp, y, yShape);
        };
    }

    private Runnable matmul(Node n, long[] aShape) {
        long[] bShape = shapes.get(n.input(1));
        if (bShape.length != 2 || aShape.length < 2) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": MatMul needs a 2-D right "
                    + "operand and a left operand of rank >= 2, got " + Arrays.toString(aShape) + " x "
                    + Arrays.toString(bShape));
        }
        long m = product(aShape, 0, aShape.length - 1), k = bShape[0], nn = bShape[1];
        NetworkKernels.MatMulPlan plan = owned.track(kernels.matmul(m, k, nn, false, false, false));
        Tensor lhs = value(n.input(0)), rhs = value(n.input(1)), y = value(n.output());
        if (gradients) {
            NetworkKernels.MatMulPlan dataPlan = owned.track(kernels.matmul(m, nn, k, false, true, false));
            NetworkKernels.MatMulPlan weightPlan = owned.track(kernels.matmul(k, m, nn, true, false, false));
            Tensor da = gradTarget(n.input(0)), db = gradTarget(n.input(1));
            Tensor dy = grads.get(n.output());
            addBackward(() -> {
                if (da != null) {
                    dataPlan.forward(dy, rhs, null, da);
                }
                if (db != null) {
                    weightPlan.forward(lhs, dy, null, db);
                }
            }, new String[] {n.input(0), n.input(1)}, new Tensor[] {da, db});
        }
        return () -> plan.forward(lhs, rhs, null, y);
    }

    @Override
    public void close() {
        owned.close();
    }
}
