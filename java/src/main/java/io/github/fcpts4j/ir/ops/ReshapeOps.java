package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.Arrays;
import java.util.List;

/**
 * Flatten and Reshape: the same elements in the same order under a new shape, so forward and backward are
 * copies. Reshape's target (input 1) must be a constant: ONNX's 0 (copy the dimension, unless allowzero)
 * and one -1 (inferred) are resolved here.
 */
public final class ReshapeOps implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.FLATTEN, OpType.RESHAPE);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        return n.op() == OpType.FLATTEN ? flatten(n, x) : reshape(n, in.constant(n.input(1)), x);
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
        long[] spec = target.longs();
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
