package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.Arrays;
import java.util.List;

/**
 * Gather on data with constant indices: y = x[..., idx[j...], ...] along {@code axis} (negative indices count
 * from the end), output shape x[:axis] + idx.shape + x[axis+1:]. An index map over the gathered axis, seen
 * as one axis of idx.size entries; dx adds dy back at the gathered positions (repeats summed).
 */
public final class GatherOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.GATHER);
    }

    private static long[] indices(Node n, ShapeContext in, long dim) {
        TensorData t = in.constant(n.input(1));
        if (t == null) {
            throw OpShapes.unsupported(n, "indices '" + n.input(1) + "' must be a constant");
        }
        long[] idx = OpInputs.integers(n, t, "indices '" + n.input(1) + "'");
        for (int i = 0; i < idx.length; i++) {
            long v = idx[i] < 0 ? idx[i] + dim : idx[i];
            if (v < 0 || v >= dim) {
                throw OpShapes.bad(n, "index " + idx[i] + " is out of range for a dimension of " + dim);
            }
            idx[i] = v;
        }
        return idx;
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0)), idx = in.shape(n.input(1));
        int axis = (int) OpShapes.normalizeAxis(n, n.attributes().getInt("axis", 0), x.length);
        indices(n, in, x[axis]);
        long[] out = new long[x.length - 1 + idx.length];
        System.arraycopy(x, 0, out, 0, axis);
        System.arraycopy(idx, 0, out, axis, idx.length);
        System.arraycopy(x, axis + 1, out, axis + idx.length, x.length - axis - 1);
        if (out.length == 0 || Arrays.stream(out).anyMatch(d -> d == 0)) {
            throw OpShapes.unsupported(n, "a Gather with an empty or scalar result " + Arrays.toString(out));
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] x = on.shape(n.input(0));
        int axis = (int) OpShapes.normalizeAxis(n, n.attributes().getInt("axis", 0), x.length);
        long[] idx = indices(n, on, x[axis]);
        long[] y = x.clone();
        y[axis] = idx.length;  // the index dimensions flattened into one axis: the same element order
        SeparableMap.Axis[] axes = new SeparableMap.Axis[x.length];
        axes[axis] = j -> SeparableMap.Taps.one(idx[(int) j]);
        return SeparableMap.of(n, x, y, axes, 0f, false).lower(on, n.input(0), n.output());
    }
}
