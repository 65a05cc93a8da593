package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/**
 * LayerNormalization (opset 17) over the axes from {@code axis} (default -1) on: each of the rows (the
 * product of the leading axes) is normalized over its cols values, y = (x - mu) / sqrt(var + eps) gamma +
 * beta with the biased variance, gamma (Scale, input 1) and beta (B, input 2, optional) of the normalized
 * shape. Gradients to x, gamma and beta from the saved mean and 1 / sqrt(var + eps). The optional Mean and
 * InvStdDev outputs are not supported. The decomposed ReduceMean / Sub / Pow / ReduceMean / Add / Sqrt /
 * Div form that exporters write is fused into this op at import.
 */
public final class LayerNormOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.LAYER_NORMALIZATION);
    }

    private static int axis(Node n, long[] x) {
        return (int) OpShapes.normalizeAxis(n, n.attributes().getInt("axis", -1), x.length);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        long cols = OpShapes.product(x, axis(n, x), x.length);
        for (int i = 1; i <= 2; i++) {
            if (!n.input(i).isEmpty() && OpShapes.product(in.shape(n.input(i)), 0, in.shape(n.input(i)).length) != cols) {
                throw OpShapes.bad(n, (i == 1 ? "Scale " : "B ") + Arrays.toString(in.shape(n.input(i)))
                        + " does not have the normalized size " + cols);
            }
        }
        if (n.outputs().size() > 1 && n.outputs().subList(1, n.outputs().size()).stream().anyMatch(o -> !o.isEmpty())) {
            throw OpShapes.unsupported(n, "the Mean and InvStdDev outputs of LayerNormalization");
        }
        return x.clone();
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0));
        int axis = axis(n, xShape);
        long rows = OpShapes.product(xShape, 0, axis), cols = OpShapes.product(xShape, axis, xShape.length);
        float eps = n.attributes().getFloat("epsilon", 1e-5f);
        Tensor x = on.value(n.input(0)), gamma = on.value(n.input(1)), beta = on.optional(n.input(2));
        Tensor y = on.value(n.output());
        Tensor mean = on.allocate(rows), invStd = on.allocate(rows);
        Tensor dx = on.gradientTarget(n.input(0)), dgamma = on.gradientTarget(n.input(1));
        Tensor dbeta = on.gradientTarget(n.input(2));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> on.kernels().layerNormBackward(x, dy, rows, cols, gamma, mean, invStd, dx, dgamma, dbeta),
                new String[] {n.input(0), n.input(1), n.input(2)}, new Tensor[] {dx, dgamma, dbeta});
        return () -> on.kernels().layerNorm(x, rows, cols, gamma, beta, eps, y, mean, invStd);
    }
}
