package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.Arrays;
import java.util.List;

/**
 * Flatten, Reshape, Squeeze, Unsqueeze and Cast between float types: the same elements in the same order
 * under a new shape (or type: every float type is computed in fp32), so forward and backward are copies.
 * Reshape's target (input 1) must be a constant: ONNX's 0 (copy the dimension, unless allowzero) and one
 * -1 (inferred) are resolved here. Squeeze / Unsqueeze take their axes from the attribute (opset &lt; 13) or
 * the constant input 1. Cast to an integer or boolean type is not a copy and is refused.
 */
public final class ReshapeOps implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.FLATTEN, OpType.RESHAPE, OpType.SQUEEZE, OpType.UNSQUEEZE, OpType.CAST);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        return switch (n.op()) {
            case FLATTEN -> flatten(n, x);
            case RESHAPE -> reshape(n, in.constant(n.input(1)), x);
            case SQUEEZE -> squeeze(n, OpInputs.longs(n, in, 1, "axes"), x);
            case UNSQUEEZE -> unsqueeze(n, OpInputs.longs(n, in, 1, "axes"), x);
            case CAST -> cast(n, x);
            default -> throw new IllegalStateException(n.describe() + " is not a reshape");
        };
    }

    /** ONNX TensorProto data types that fcpts4j holds as fp32: FLOAT, FLOAT16, DOUBLE, BFLOAT16. */
    private static final List<Long> FLOAT_TYPES = List.of(1L, 10L, 11L, 16L);

    private static long[] cast(Node n, long[] x) {
        long to = n.attributes().getInt("to", -1);
        if (!FLOAT_TYPES.contains(to)) {
            throw OpShapes.unsupported(n, "Cast to ONNX type " + to + " on data (fcpts4j computes every tensor "
                    + "in fp32; casts to float types only)");
        }
        return x.clone();
    }

    private static long[] squeeze(Node n, long[] axes, long[] x) {
        boolean[] drop = new boolean[x.length];
        if (axes == null) {
            for (int i = 0; i < x.length; i++) {
                drop[i] = x[i] == 1;
            }
        } else {
            for (int a : OpInputs.axes(n, axes, x.length)) {
                if (x[a] != 1) {
                    throw OpShapes.bad(n, "cannot squeeze axis " + a + " of " + Arrays.toString(x));
                }
                drop[a] = true;
            }
        }
        long[] out = new long[x.length];
        int r = 0;
        for (int i = 0; i < x.length; i++) {
            if (!drop[i]) {
                out[r++] = x[i];
            }
        }
        return Arrays.copyOf(out, r);
    }

    private static long[] unsqueeze(Node n, long[] axes, long[] x) {
        if (axes == null) {
            throw OpShapes.bad(n, "no axes");
        }
        int rank = x.length + axes.length;
        boolean[] added = new boolean[rank];
        for (int a : OpInputs.axes(n, axes, rank)) {
            added[a] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = added[i] ? 1 : x[j++];
        }
        return out;
    }

    private static long[] flatten(Node n, long[] x) {
        int axis = (int) OpShapes.normalizeAxis(n, n.attributes().getInt("axis", 1), x.length + 1);
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

    private static long[] reshape(Node n, TensorData target, long[] x) {
        if (target == null) {
            throw OpShapes.bad(n, "target shape '" + n.input(1) + "' is not a constant (shape subgraphs must be "
                    + "folded first)");
        }
        long[] spec = OpInputs.integers(n, target, "target shape '" + n.input(1) + "'");
        boolean allowZero = n.attributes().getInt("allowzero", 0) != 0;
        long total = TensorData.size(x), known = 1;
        int unknown = -1;
        long[] out = new long[spec.length];
        for (int i = 0; i < spec.length; i++) {
            if (spec[i] == -1) {
                if (unknown >= 0) {
                    throw OpShapes.bad(n, "target shape " + Arrays.toString(spec) + " has two -1");
                }
                unknown = i;
                continue;
            }
            if (spec[i] < -1 || (spec[i] == 0 && !allowZero && i >= x.length)) {
                throw OpShapes.bad(n, "target shape " + Arrays.toString(spec) + " has entry " + spec[i] + " at "
                        + i + ", which does not fit input " + Arrays.toString(x));
            }
            out[i] = spec[i] == 0 && !allowZero ? x[i] : spec[i];
            known *= out[i];
        }
        if (unknown >= 0) {
            if (known == 0 || total % known != 0) {
                throw OpShapes.bad(n, "cannot reshape " + Arrays.toString(x) + " to " + Arrays.toString(spec));
            }
            out[unknown] = total / known;
        } else if (known != total) {
            throw OpShapes.bad(n, "cannot reshape " + Arrays.toString(x) + " (" + total + " elements) to "
                    + Arrays.toString(spec));
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        Tensor x = on.value(n.input(0)), y = on.value(n.output());
        Tensor dx = on.gradientTarget(n.input(0));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> on.copy(dy, dx), new String[] {n.input(0)}, new Tensor[] {dx});
        return () -> on.copy(x, y);
    }

    @Override
    public boolean shapeInput(int i) {
        return i == 1;
    }
}
