package io.github.fcpts4j.ir;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Concrete shapes of every value of a graph for given input shapes (batch
 * resolved), following the ONNX operator definitions. An inconsistency (a
 * conv whose channels do not match its weight, shapes that do not broadcast,
 * a reshape that changes the element count, ...) is an {@code INVALID_MODEL}
 * error naming the node and both shapes.
 */
public final class ShapeInference {
    private ShapeInference() {
    }

    /**
     * @param inputShapes concrete shape per graph input name (no -1 left)
     * @return shape of every graph input, initializer and node output
     */
    public static Map<String, long[]> infer(Graph graph, Map<String, long[]> inputShapes) {
        Map<String, long[]> shapes = new HashMap<>();
        for (ValueInfo in : graph.inputs()) {
            long[] given = inputShapes.get(in.name());
            if (given == null) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, "no shape given for graph input '" + in.name() + "'");
            }
            long[] declared = in.shape();
            if (declared.length != given.length) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, "input '" + in.name() + "' is declared "
                        + Arrays.toString(declared) + ", got " + Arrays.toString(given));
            }
            for (int i = 0; i < given.length; i++) {
                if (given[i] < 0 || (declared[i] >= 0 && declared[i] != given[i])) {
                    throw new FcptsException(ErrorCode.INVALID_MODEL, "input '" + in.name() + "' is declared "
                            + Arrays.toString(declared) + ", got " + Arrays.toString(given));
                }
            }
            shapes.put(in.name(), given.clone());
        }
        graph.initializers().forEach((name, data) -> shapes.putIfAbsent(name, data.dims()));
        for (Node node : graph.nodes()) {
            shapes.put(node.output(), outputShape(node, graph.initializers(), shapes));
        }
        return shapes;
    }

    /**
     * Shape of one node's output from the shapes of its inputs ({@code shapes})
     * and the constant tensors it may read ({@code constants}: Reshape targets).
     */
    public static long[] outputShape(Node n, Map<String, TensorData> constants, Map<String, long[]> shapes) {
        long[] x = shapes.get(n.input(0));
        Attributes a = n.attributes();
        switch (n.op()) {
            case RELU, CLIP, LEAKY_RELU, SIGMOID, HARD_SIGMOID, HARD_SWISH, SOFTMAX:
                return x.clone();
            case BATCH_NORMALIZATION:
                for (int i = 1; i <= 4; i++) {
                    requireShape(n, shapes.get(n.input(i)), new long[] {x[1]}, "parameter " + i);
                }
                return x.clone();
            case ADD, SUB, MUL, DIV:
                return broadcast(n, x, shapes.get(n.input(1)));
            case CONV:
                return conv(n, x, shapes.get(n.input(1)), n.input(2).isEmpty() ? null : shapes.get(n.input(2)));
            case MAX_POOL, AVERAGE_POOL:
                return pool(n, x);
            case GLOBAL_AVERAGE_POOL: {
                long[] out = x.clone();
                Arrays.fill(out, 2, out.length, 1);
                return out;
            }
            case FLATTEN: {
                int axis = (int) normalizeAxis(n, a.getInt("axis", 1), x.length + 1);
                long outer = 1, inner = 1;
                for (int i = 0; i < x.length; i++) {
                    if (i < axis) {
                        outer *= x[i];
                    } else {
                        inner *= x[i];
                    }
                }
                return new long[] {outer, inner};
            }
            case RESHAPE:
                return reshape(n, constants, x);
            case TRANSPOSE: {
                long[] perm = a.getInts("perm", null);
                long[] out = new long[x.length];
                for (int i = 0; i < x.length; i++) {
                    out[i] = x[perm == null ? x.length - 1 - i : (int) perm[i]];
                }
                return out;
            }
            case CONCAT:
                return concat(n, shapes);
            case GEMM:
                return gemm(n, x, shapes.get(n.input(1)), n.input(2).isEmpty() ? null : shapes.get(n.input(2)));
            case MATMUL:
                return matmul(n, x, shapes.get(n.input(1)));
            default:
                throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": no shape rule");
        }
    }

    private static FcptsException bad(Node n, String what) {
        return new FcptsException(ErrorCode.INVALID_MODEL, n.describe() + ": " + what);
    }

    private static void requireShape(Node n, long[] actual, long[] expected, String what) {
        if (!Arrays.equals(actual, expected)) {
            throw bad(n, what + " has shape " + Arrays.toString(actual) + ", expected " + Arrays.toString(expected));
        }
    }

    static long normalizeAxis(Node n, long axis, int rank) {
        long r = axis < 0 ? axis + rank : axis;
        if (r < 0 || r >= rank) {
            throw bad(n, "axis " + axis + " is out of range for rank " + rank);
        }
        return r;
    }

    /** Numpy-style broadcast of two shapes. */
    static long[] broadcast(Node n, long[] x, long[] y) {
        int rank = Math.max(x.length, y.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long dx = i < rank - x.length ? 1 : x[i - (rank - x.length)];
            long dy = i < rank - y.length ? 1 : y[i - (rank - y.length)];
            if (dx != dy && dx != 1 && dy != 1) {
                throw bad(n, "shapes " + Arrays.toString(x) + " and " + Arrays.toString(y) + " do not broadcast");
            }
            out[i] = dx == 1 ? dy : dx;
        }
        return out;
    }

    private static long[] conv(Node n, long[] x, long[] w, long[] bias) {
        Attributes a = n.attributes();
        int spatial = x.length - 2;
        if (spatial < 1 || w.length != x.length) {
            throw bad(n, "input " + Arrays.toString(x) + " and weight " + Arrays.toString(w) + " ranks do not match");
        }
        long group = a.getInt("group", 1);
        if (x[1] != w[1] * group || w[0] % group != 0) {
            throw bad(n, "input channels " + x[1] + " do not match weight " + Arrays.toString(w) + " with group "
                    + group);
        }
        if (bias != null) {
            requireShape(n, bias, new long[] {w[0]}, "bias");
        }
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        long[] declared = a.getInts("kernel_shape", null);
        if (declared != null && !Arrays.equals(declared, kernel)) {
            throw bad(n, "kernel_shape " + Arrays.toString(declared) + " differs from weight " + Arrays.toString(w));
        }
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[0];
        long[][] window = Windows.of(n, x, kernel, false);
        for (int i = 0; i < spatial; i++) {
            out[2 + i] = window[i][0];
        }
        return out;
    }

    private static long[] pool(Node n, long[] x) {
        long[] kernel = n.attributes().getInts("kernel_shape", null);
        if (kernel == null || kernel.length != x.length - 2) {
            throw bad(n, "kernel_shape " + Arrays.toString(kernel) + " does not fit input " + Arrays.toString(x));
        }
        long[] out = x.clone();
        long[][] window = Windows.of(n, x, kernel, n.attributes().getInt("ceil_mode", 0) != 0);
        for (int i = 0; i < kernel.length; i++) {
            out[2 + i] = window[i][0];
        }
        return out;
    }

    private static long[] reshape(Node n, Map<String, TensorData> constants, long[] x) {
        TensorData target = constants.get(n.input(1));
        if (target == null) {
            throw bad(n, "target shape '" + n.input(1) + "' is not a constant (shape subgraphs must be folded first)");
        }
        long[] spec = target.longs();
        boolean allowZero = n.attributes().getInt("allowzero", 0) != 0;
        long total = TensorData.size(x), known = 1;
        int unknown = -1;
        long[] out = new long[spec.length];
        for (int i = 0; i < spec.length; i++) {
            if (spec[i] == -1) {
                if (unknown >= 0) {
                    throw bad(n, "target shape " + Arrays.toString(spec) + " has two -1");
                }
                unknown = i;
                continue;
            }
            out[i] = spec[i] == 0 && !allowZero ? x[i] : spec[i];
            known *= out[i];
        }
        if (unknown >= 0) {
            if (known == 0 || total % known != 0) {
                throw bad(n, "cannot reshape " + Arrays.toString(x) + " to " + Arrays.toString(spec));
            }
            out[unknown] = total / known;
        } else if (known != total) {
            throw bad(n, "cannot reshape " + Arrays.toString(x) + " (" + total + " elements) to "
                    + Arrays.toString(spec));
        }
        return out;
    }

    private static long[] concat(Node n, Map<String, long[]> shapes) {
        List<String> ins = n.inputs();
        long[] first = shapes.get(ins.get(0));
        int axis = (int) normalizeAxis(n, n.attributes().getInt("axis", 0), first.length);
        long[] out = first.clone();
        out[axis] = 0;
        for (String in : ins) {
            long[] s = shapes.get(in);
            for (int i = 0; i < first.length; i++) {
                if (s.length != first.length || (i != axis && s[i] != first[i])) {
                    throw bad(n, "inputs " + Arrays.toString(first) + " and " + Arrays.toString(s)
                            + " differ outside axis " + axis);
                }
            }
            out[axis] += s[axis];
        }
        return out;
    }

    private static long[] gemm(Node n, long[] a, long[] b, long[] c) {
        if (a.length != 2 || b.length != 2) {
            throw bad(n, "operands must be 2-D, got " + Arrays.toString(a) + " and " + Arrays.toString(b));
        }
        boolean ta = n.attributes().getInt("transA", 0) != 0, tb = n.attributes().getInt("transB", 0) != 0;
        long m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
        long kb = tb ? b[1] : b[0], cols = tb ? b[0] : b[1];
        if (k != kb) {
            throw bad(n, "inner dimensions differ: A " + Arrays.toString(a) + (ta ? "^T" : "") + ", B "
                    + Arrays.toString(b) + (tb ? "^T" : ""));
        }
        long[] out = {m, cols};
        if (c != null && !Arrays.equals(broadcast(n, out, c), out)) {
            throw bad(n, "C " + Arrays.toString(c) + " does not broadcast to " + Arrays.toString(out));
        }
        return out;
    }

    private static long[] matmul(Node n, long[] a, long[] b) {
        if (a.length < 1 || b.length < 1) {
            throw bad(n, "MatMul of a scalar");
        }
        long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
        if (a2[a2.length - 1] != b2[b2.length - 2]) {
            throw bad(n, "inner dimensions differ: " + Arrays.toString(a) + " x " + Arrays.toString(b));
        }
        long[] batch = broadcast(n, Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a2[a2.length - 2];
        out[batch.length + 1] = b2[b2.length - 1];
        if (a.length == 1) {
            out = dropAxis(out, out.length - 2);
        }
        if (b.length == 1) {
            out = dropAxis(out, out.length - 1);
        }
        return out;
    }

    private static long[] dropAxis(long[] s, int axis) {
        long[] out = new long[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != axis) {
                out[j++] = s[i];
            }
        }
        return out;
    }
}
