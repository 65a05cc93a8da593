package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Concat along one axis: each input is a block of the output; its gradient is that block of dy. */
public final class ConcatOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.CONCAT);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        List<String> ins = n.inputs();
        long[] first = in.shape(n.input(0));
        int axis = (int) OpShapes.normalizeAxis(n, n.attributes().getInt("axis", 0), first.length);
        long[] out = first.clone();
        out[axis] = 0;
        for (String value : ins) {
            long[] s = in.shape(value);
            for (int i = 0; i < first.length; i++) {
                if (s.length != first.length || (i != axis && s[i] != first[i])) {
                    throw OpShapes.bad(n, "inputs " + Arrays.toString(first) + " and " + Arrays.toString(s)
                            + " differ outside axis " + axis);
                }
            }
            out[axis] += s[axis];
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] yShape = on.shape(n.output());
        int ax = OpShapes.axis(n.attributes().getInt("axis", 0), yShape.length);
        long inner = OpShapes.product(yShape, ax + 1, yShape.length), outer = OpShapes.product(yShape, 0, ax);
        long yBlock = yShape[ax] * inner;
        Tensor y = on.value(n.output());
        Tensor dy = on.gradient(n.output());
        List<Runnable> pieces = new ArrayList<>();
        long offset = 0;
        for (String in : n.inputs()) {
            long block = on.shape(in)[ax] * inner, at = offset;
            Tensor x = on.value(in);
            Tensor dx = on.gradientTarget(in);
            pieces.add(() -> on.kernels().concatPiece(x, outer, block, y, yBlock, at));
            on.backward(() -> on.kernels().slicePiece(dy, outer, block, yBlock, at, dx), new String[] {in},
                    new Tensor[] {dx});
            offset += block;
        }
        return () -> pieces.forEach(Runnable::run);
    }
}
