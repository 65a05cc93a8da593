package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/**
 * Slice on data: along each listed axis, out coordinate j reads start + j step (ONNX clamping of starts and
 * ends for positive and negative steps; starts, ends, axes, steps from constant inputs 1-4, or attributes
 * before opset 10). An index map; dx scatters dy back (zeros elsewhere).
 */
public final class SliceOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.SLICE);
    }

    /** Per axis {start, step, count}, or null where the axis is whole. */
    private static long[][] ranges(Node n, ShapeContext in, long[] x) {
        long[] starts = OpInputs.longs(n, in, 1, "starts"), ends = OpInputs.longs(n, in, 2, "ends");
        if (starts == null || ends == null || starts.length != ends.length) {
            throw OpShapes.bad(n, "starts and ends must be given with equal lengths");
        }
        long[] axes = OpInputs.longs(n, in, 3, "axes"), steps = OpInputs.longs(n, in, 4, "steps");
        long[][] out = new long[x.length][];
        for (int i = 0; i < starts.length; i++) {
            int axis = (int) OpShapes.normalizeAxis(n, axes == null ? i : axes[i], x.length);
            long step = steps == null ? 1 : steps[i], dim = x[axis];
            if (step == 0) {
                throw OpShapes.bad(n, "step 0 on axis " + axis);
            }
            if (out[axis] != null) {
                throw OpShapes.bad(n, "axis " + axis + " is sliced twice");
            }
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            long count;
            if (step > 0) {
                start = Math.max(0, Math.min(dim, start));
                end = Math.max(0, Math.min(dim, end));
                count = Math.max(0, (end - start + step - 1) / step);
            } else {
                start = Math.max(0, Math.min(dim - 1, start));
                end = Math.max(-1, Math.min(dim - 1, end));
                count = Math.max(0, (start - end - step - 1) / -step);
            }
            out[axis] = new long[] {start, step, count};
        }
        return out;
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        long[][] r = ranges(n, in, x);
        long[] out = x.clone();
        for (int i = 0; i < x.length; i++) {
            if (r[i] != null) {
                out[i] = r[i][2];
            }
        }
        if (Arrays.stream(out).anyMatch(d -> d == 0)) {
            throw OpShapes.unsupported(n, "an empty slice " + Arrays.toString(out));
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] x = on.shape(n.input(0)), y = on.shape(n.output());
        long[][] r = ranges(n, on, x);
        SeparableMap.Axis[] axes = new SeparableMap.Axis[x.length];
        for (int i = 0; i < x.length; i++) {
            long[] range = r[i];
            if (range != null && !(range[0] == 0 && range[1] == 1 && range[2] == x[i])) {
                axes[i] = j -> SeparableMap.Taps.one(range[0] + j * range[1]);
            }
        }
        return SeparableMap.of(n, x, y, axes, 0f, false).lower(on, n.input(0), n.output());
    }
}
