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
 * Forward pass of a graph on a backend, for fixed input shapes: compiled once
 * (shapes inferred, weights uploaded, one tensor per value, oneDNN plans built
 * per node), then run any number of times. Inference semantics (BatchNorm with
 * running statistics, no dropout). Owns every tensor and plan it made; close it.
 *
 * <p>Not yet: backward, a lifetime-based buffer planner (every value keeps its
 * own tensor), Gemm with alpha != 1 or a scaled C, MatMul with a batched right
 * operand, pooling that combines ceil_mode with count_include_pad.
 */
public final class ForwardExecutor implements AutoCloseable {
    private final Graph graph;
    private final Backend backend;
    private final NetworkKernels kernels;
    private final Map<String, long[]> shapes;
    private final TensorScope owned = new TensorScope();
    private final Map<String, Tensor> values = new HashMap<>();
    private final List<Runnable> steps = new ArrayList<>();

    private ForwardExecutor(Graph graph, Backend backend, Map<String, long[]> inputShapes) {
        this.graph = graph;
        this.backend = backend;
        this.kernels = backend.network();
        this.shapes = ShapeInference.infer(graph, inputShapes);
    }

    /** Compiles {@code graph} for {@code inputShapes} (one concrete shape per graph input). */
    public static ForwardExecutor compile(Graph graph, Backend backend, Map<String, long[]> inputShapes) {
        ForwardExecutor e = new ForwardExecutor(graph, backend, inputShapes);
        try {
            e.build();
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
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
            values.put(node.output(), owned.allocate(backend, shapes.get(node.output())));
            steps.add(compile(node));
        }
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
            tensor(in.name()).copyFrom(data);
        }
        for (Runnable step : steps) {
            step.run();
        }
        backend.synchronize();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (ValueInfo o : graph.outputs()) {
            out.put(o.name(), tensor(o.name()).toArray());
        }
        return out;
    }

    private Tensor tensor(String value) {
        Tensor t = values.get(value);
        if (t == null) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, "value '" + value
                    + "' is an integer constant used as a float tensor");
        }
        return t;
    }

    private Tensor optional(String value) {
        return value.isEmpty() ? null : tensor(value);
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

    private Runnable compile(Node n) {
        Tensor y = tensor(n.output());
        long[] yShape = shapes.get(n.output());
        long[] xShape = shapes.get(n.input(0));
        Attributes a = n.attributes();
        switch (n.op()) {
            case RELU:
                return unary(n, Unary.RELU, 0, 0);
            case CLIP:
                return unary(n, Unary.CLIP, a.has("min") ? a.getFloat("min", 0) : constantScalar(n, 1,
                        Float.NEGATIVE_INFINITY), a.has("max") ? a.getFloat("max", 0) : constantScalar(n, 2,
                        Float.POSITIVE_INFINITY));
            case LEAKY_RELU:
                return unary(n, Unary.LEAKY_RELU, a.getFloat("alpha", 0.01f), 0);
            case SIGMOID:
                return unary(n, Unary.SIGMOID, 0, 0);
            case HARD_SIGMOID:
                return unary(n, Unary.HARD_SIGMOID, a.getFloat("alpha", 0.2f), a.getFloat("beta", 0.5f));
            case HARD_SWISH:
                return unary(n, Unary.HARD_SWISH, 0, 0);
            case ADD, SUB, MUL, DIV: {
                Binary op = Binary.valueOf(n.op().name());
                Tensor lhs = tensor(n.input(0)), rhs = tensor(n.input(1));
                long[] ls = xShape, rs = shapes.get(n.input(1));
                return () -> kernels.binary(op, lhs, ls, rhs, rs, y, yShape);
            }
            case CONV:
                return conv(n, xShape, yShape, y);
            case MAX_POOL, AVERAGE_POOL:
                return pool(n, xShape, yShape, y);
            case BATCH_NORMALIZATION: {
                Tensor x = tensor(n.input(0)), g = tensor(n.input(1)), b = tensor(n.input(2));
                Tensor mean = tensor(n.input(3)), var = tensor(n.input(4));
                float eps = a.getFloat("epsilon", 1e-5f);
                long spatial = product(xShape, 2, xShape.length);
                return () -> kernels.batchNorm(x, xShape[0], xShape[1], spatial, g, b, mean, var, eps, y);
            }
            case GLOBAL_AVERAGE_POOL: {
                Tensor x = tensor(n.input(0));
                return () -> kernels.globalAveragePool(x, xShape[0] * xShape[1], product(xShape, 2, xShape.length), y);
            }
            case FLATTEN, RESHAPE: {
                Tensor x = tensor(n.input(0));
                return () -> backend.copy(x, y);
            }
            case TRANSPOSE: {
                Tensor x = tensor(n.input(0));
                long[] perm = a.getInts("perm", null);
                if (perm == null) {
                    perm = new long[xShape.length];
                    for (int i = 0; i < perm.length; i++) {
                        perm[i] = perm.length - 1 - i;
                    }
                }
                long[] p = perm;
                return () -> kernels.transpose(x, xShape, p, y);
            }
            case CONCAT:
                return concat(n, yShape, y);
            case SOFTMAX: {
                Tensor x = tensor(n.input(0));
                int axis = (int) (a.getInt("axis", -1) < 0 ? a.getInt("axis", -1) + xShape.length : a.getInt("axis",
                        -1));
                long outer = product(xShape, 0, axis), inner = product(xShape, axis + 1, xShape.length);
                return () -> kernels.softmax(x, outer, xShape[axis], inner, y);
            }
            case GEMM:
                return gemm(n, xShape, yShape, y);
            case MATMUL:
                return matmul(n, xShape, yShape, y);
            default:
                throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": no forward kernel");
        }
    }

    private Runnable unary(Node n, Unary op, float alpha, float beta) {
        Tensor x = tensor(n.input(0)), y = tensor(n.output());
        return () -> kernels.unary(op, alpha, beta, x, y);
    }

    private static void require2d(Node n, long[] xShape) {
        if (xShape.length != 4) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": only 2-D (NCHW) windows are "
                    + "supported, input is " + Arrays.toString(xShape));
        }
    }

    private Runnable conv(Node n, long[] xShape, long[] yShape, Tensor y) {
        require2d(n, xShape);
        long[] wShape = shapes.get(n.input(1));
        long[][] win = Windows.of(n, xShape, Arrays.copyOfRange(wShape, 2, 4), false);
        WindowGeometry g = new WindowGeometry(xShape[0], xShape[1], xShape[2], xShape[3], yShape[1], yShape[2],
                yShape[3], wShape[2], wShape[3], win[0][3], win[1][3], win[0][4], win[1][4], win[0][1], win[1][1],
                win[0][2], win[1][2], n.attributes().getInt("group", 1));
        Tensor bias = optional(n.input(2));
        NetworkKernels.ConvPlan plan = owned.track(kernels.conv(g, bias != null));
        Tensor x = tensor(n.input(0)), w = tensor(n.input(1));
        return () -> plan.forward(x, w, bias, y);
    }

    private Runnable pool(Node n, long[] xShape, long[] yShape, Tensor y) {
        require2d(n, xShape);
        if (n.outputs().size() > 1 && !n.outputs().get(1).isEmpty()) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": MaxPool indices output");
        }
        Attributes a = n.attributes();
        long[] kernel = a.getInts("kernel_shape", null);
        long[][] win = Windows.of(n, xShape, kernel, a.getInt("ceil_mode", 0) != 0);
        Pool kind = n.op().name().equals("MAX_POOL") ? Pool.MAX
                : a.getInt("count_include_pad", 0) != 0 ? Pool.AVERAGE_INCLUDE_PAD : Pool.AVERAGE_EXCLUDE_PAD;
        // ceil_mode: widen the end padding so that oneDNN's floor formula yields the same output size
        long[] padEnd = new long[2];
        for (int i = 0; i < 2; i++) {
            long effective = (win[i][5] - 1) * win[i][4] + 1;
            padEnd[i] = (win[i][0] - 1) * win[i][3] + effective - xShape[2 + i] - win[i][1];
            if (padEnd[i] != win[i][2] && kind == Pool.AVERAGE_INCLUDE_PAD) {
                throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe()
                        + ": ceil_mode together with count_include_pad");
            }
        }
        WindowGeometry g = new WindowGeometry(xShape[0], xShape[1], xShape[2], xShape[3], xShape[1], yShape[2],
                yShape[3], kernel[0], kernel[1], win[0][3], win[1][3], win[0][4], win[1][4], win[0][1], win[1][1],
                padEnd[0], padEnd[1], 1);
        NetworkKernels.PoolPlan plan = owned.track(kernels.pool(g, kind));
        Tensor x = tensor(n.input(0));
        return () -> plan.forward(x, y);
    }

    private Runnable concat(Node n, long[] yShape, Tensor y) {
        int axis = (int) (n.attributes().getInt("axis", 0) < 0 ? n.attributes().getInt("axis", 0) + yShape.length
                : n.attributes().getInt("axis", 0));
        long inner = product(yShape, axis + 1, yShape.length), outer = product(yShape, 0, axis);
        long yBlock = yShape[axis] * inner;
        List<Runnable> pieces = new ArrayList<>();
        long offset = 0;
        for (String in : n.inputs()) {
            long block = shapes.get(in)[axis] * inner, at = offset;
            Tensor x = tensor(in);
            pieces.add(() -> kernels.concatPiece(x, outer, block, y, yBlock, at));
            offset += block;
        }
        return () -> pieces.forEach(Runnable::run);
    }

    private Runnable gemm(Node n, long[] aShape, long[] yShape, Tensor y) {
        Attributes a = n.attributes();
        if (a.getFloat("alpha", 1f) != 1f || a.getFloat("beta", 1f) != 1f) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": alpha and beta other than 1");
        }
        boolean ta = a.getInt("transA", 0) != 0, tb = a.getInt("transB", 0) != 0;
        long k = ta ? aShape[0] : aShape[1];
        Tensor c = optional(n.input(2));
        long[] cShape = c == null ? null : shapes.get(n.input(2));
        boolean biasRow = c != null && product(cShape, 0, cShape.length) == yShape[1]
                && cShape[cShape.length - 1] == yShape[1];
        NetworkKernels.MatMulPlan plan = owned.track(kernels.matmul(yShape[0], k, yShape[1], ta, tb, biasRow));
        Tensor lhs = tensor(n.input(0)), rhs = tensor(n.input(1));
        if (c == null || biasRow) {
            return () -> plan.forward(lhs, rhs, biasRow ? c : null, y);
        }
        return () -> {
            plan.forward(lhs, rhs, null, y);
            kernels.binary(Binary.ADD, y, yShape, c, cShape, y, yShape);
        };
    }

    private Runnable matmul(Node n, long[] aShape, long[] yShape, Tensor y) {
        long[] bShape = shapes.get(n.input(1));
        if (bShape.length != 2 || aShape.length < 2) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": MatMul needs a 2-D right "
                    + "operand and a left operand of rank >= 2, got " + Arrays.toString(aShape) + " x "
                    + Arrays.toString(bShape));
        }
        long m = product(aShape, 0, aShape.length - 1);
        NetworkKernels.MatMulPlan plan = owned.track(kernels.matmul(m, bShape[0], bShape[1], false, false, false));
        Tensor lhs = tensor(n.input(0)), rhs = tensor(n.input(1));
        return () -> plan.forward(lhs, rhs, null, y);
    }

    @Override
    public void close() {
        owned.close();
    }
}
