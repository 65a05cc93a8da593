package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Split along one axis into consecutive blocks (sizes from input 1 (opset 13+), the {@code split} attribute,
 * or equal parts: {@code num_outputs} (opset 18) or the number of outputs, the last one smaller when the
 * axis does not divide): output i is block i; dx is the outputs' gradients put back in place.
 */
public final class SplitOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.SPLIT);
    }

    private static long[] sizes(Node n, ShapeContext in, long[] x, int axis) {
        long[] split = OpInputs.longs(n, in, 1, "split");
        long dim = x[axis];
        if (split == null) {
            int parts = (int) n.attributes().getInt("num_outputs", n.outputs().size());
            long each = (dim + parts - 1) / parts;
            split = new long[parts];
            for (int i = 0; i < parts; i++) {
                split[i] = Math.max(0, Math.min(each, dim - i * each));
            }
        }
        if (split.length != n.outputs().size() || Arrays.stream(split).sum() != dim
                || Arrays.stream(split).anyMatch(s -> s < 0)) {
            throw OpShapes.bad(n, "split " + Arrays.toString(split) + " does not cut axis " + axis + " of "
                    + Arrays.toString(x) + " into " + n.outputs().size() + " outputs");
        }
        return split;
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        return outputShapes(n, in).get(0);
    }

    @Override
    public List<long[]> outputShapes(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        int axis = (int) OpShapes.normalizeAxis(n, n.attributes().getInt("axis", 0), x.length);
        List<long[]> out = new ArrayList<>();
        for (long size : sizes(n, in, x, axis)) {
            long[] s = x.clone();
            s[axis] = size;
            out.add(s);
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0));
        int axis = (int) OpShapes.normalizeAxis(n, n.attributes().getInt("axis", 0), xShape.length);
        long[] sizes = sizes(n, on, xShape, axis);
        long inner = OpShapes.product(xShape, axis + 1, xShape.length), outer = OpShapes.product(xShape, 0, axis);
        long xBlock = xShape[axis] * inner;
        Tensor x = on.value(n.input(0));
        Tensor dx = on.gradientTarget(n.input(0));
        List<Runnable> pieces = new ArrayList<>();
        List<Runnable> back = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < sizes.length; i++) {
            String name = n.outputs().get(i);
            long block = sizes[i] * inner, at = offset;
            offset += block;
            if (name.isEmpty() || block == 0) {
                continue;
            }
            Tensor y = on.value(name);
            Tensor dy = on.gradient(name);
            pieces.add(() -> on.kernels().slicePiece(x, outer, block, xBlock, at, y));
            if (dx != null) {
                back.add(() -> on.kernels().concatPiece(dy, outer, block, dx, xBlock, at));
            }
        }
        if (dx != null) {
            boolean covered = Arrays.stream(sizes).allMatch(s -> s > 0)
                    && n.outputs().stream().noneMatch(String::isEmpty);
            on.backward(() -> {
                if (!covered) {
                    on.kernels().fill(dx, 0f);
                }
                back.forEach(Runnable::run);
            }, new String[] {n.input(0)}, new Tensor[] {dx});
        }
        return () -> pieces.forEach(Runnable::run);
    }
}
