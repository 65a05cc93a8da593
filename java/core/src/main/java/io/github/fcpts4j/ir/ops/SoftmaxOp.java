package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.List;
import java.util.Map;

/**
 * Softmax over one axis (opset 13 semantics): y = e^(x - max) / sum e^(x - max); dx = y (dy - sum(y dy)).
 * Older opsets' default axis 1 is made explicit at import (the same as their 2-D coercion for the 2-D
 * inputs classifier heads feed it).
 */
public final class SoftmaxOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.SOFTMAX);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        return in.shape(n.input(0)).clone();
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0));
        Tensor x = on.value(n.input(0)), y = on.value(n.output());
        int ax = OpShapes.axis(n.attributes().getInt("axis", -1), xShape.length);
        long outer = OpShapes.product(xShape, 0, ax), inner = OpShapes.product(xShape, ax + 1, xShape.length);
        Tensor dx = on.gradientTarget(n.input(0));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> on.kernels().softmaxBackward(y, dy, outer, xShape[ax], inner, dx),
                new String[] {n.input(0)}, new Tensor[] {dx});
        return () -> on.kernels().softmax(x, outer, xShape[ax], inner, y);
    }

    @Override
    public Node fromOpset(Node n, int opset, Map<String, TensorData> newConstants) {
        if (n.attributes().has("axis")) {
            return n;
        }
        return new Node(n.name(), n.op(), n.inputs(), n.outputs(), n.attributes().with("axis", opset < 13 ? 1L : -1L));
    }
}
