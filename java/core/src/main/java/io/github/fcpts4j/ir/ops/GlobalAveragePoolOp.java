package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/** GlobalAveragePool: y[n, c, 1, ..., 1] = mean of x[n, c, ...]; dx = dy / spatial size everywhere. */
public final class GlobalAveragePoolOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.GLOBAL_AVERAGE_POOL);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] out = in.shape(n.input(0)).clone();
        if (out.length < 3) {
            throw OpShapes.bad(n, "input " + Arrays.toString(out) + " has no spatial axes (rank below 3)");
        }
        Arrays.fill(out, 2, out.length, 1);
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0));
        Tensor x = on.value(n.input(0)), y = on.value(n.output());
        long planes = xShape[0] * xShape[1], spatial = OpShapes.product(xShape, 2, xShape.length);
        Tensor dx = on.gradientTarget(n.input(0));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> on.kernels().globalAveragePoolBackward(dy, planes, spatial, dx), new String[] {n.input(0)},
                new Tensor[] {dx});
        return () -> on.kernels().globalAveragePool(x, planes, spatial, y);
    }
}
