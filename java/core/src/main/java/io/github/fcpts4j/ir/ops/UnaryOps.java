package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels.Unary;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Elementwise ops of one input, y = f(x; alpha, beta), and their gradient dx = f'(x) dy: one row per op
 * mapping it to its native kernel ({@link Unary}, math in native/include/fcpts/ops.def) and to where its
 * two parameters come from. Relu and Clip can also close a fused convolution epilogue.
 */
public final class UnaryOps implements OpDefinition {

    /** Where an op's alpha and beta come from (attributes or constant inputs). */
    private interface Parameters {
        float[] of(Node n, Lowering on);
    }

    private record Row(Unary kernel, Parameters parameters, ConvActivation epilogue) {
    }

    private static final Parameters NONE = (n, on) -> new float[] {0, 0};
    private final Map<OpType, Row> rows = new EnumMap<>(OpType.class);

    UnaryOps() {
        row(OpType.RELU, Unary.RELU, NONE, ConvActivation.RELU);
        row(OpType.CLIP, Unary.CLIP, (n, on) -> new float[] {on.constantScalar(n, 1, Float.NEGATIVE_INFINITY),
                on.constantScalar(n, 2, Float.POSITIVE_INFINITY)}, ConvActivation.CLIP);
        row(OpType.LEAKY_RELU, Unary.LEAKY_RELU, (n, on) -> new float[] {n.attributes().getFloat("alpha", 0.01f), 0},
                null);
        row(OpType.SIGMOID, Unary.SIGMOID, NONE, null);
        row(OpType.HARD_SIGMOID, Unary.HARD_SIGMOID, (n, on) -> new float[] {n.attributes().getFloat("alpha", 0.2f),
                n.attributes().getFloat("beta", 0.5f)}, null);
        row(OpType.HARD_SWISH, Unary.HARD_SWISH, NONE, null);
        row(OpType.TANH, Unary.TANH, NONE, null);
        row(OpType.EXP, Unary.EXP, NONE, null);
        row(OpType.SQRT, Unary.SQRT, NONE, null);
        row(OpType.ERF, Unary.ERF, NONE, null);
        row(OpType.POW, Unary.POW, (n, on) -> new float[] {exponent(n, on), 0}, null);
    }

    /** Pow's exponent: input 1 must be a one-element constant (x^c is then elementwise in x alone). */
    private static float exponent(Node n, Lowering on) {
        TensorData c = on.constant(n.input(1));
        if (c == null || c.size() != 1) {
            throw OpShapes.unsupported(n, "Pow needs a one-element constant exponent, got '" + n.input(1) + "'");
        }
        return (float) c.get(0);
    }

    private void row(OpType op, Unary kernel, Parameters parameters, ConvActivation epilogue) {
        rows.put(op, new Row(kernel, parameters, epilogue));
    }

    @Override
    public List<OpType> ops() {
        return List.copyOf(rows.keySet());
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        if (n.op() == OpType.POW) {
            TensorData c = in.constant(n.input(1));
            if (c == null || c.size() != 1) {
                throw OpShapes.unsupported(n, "Pow needs a one-element constant exponent, got '" + n.input(1) + "'");
            }
        }
        return in.shape(n.input(0)).clone();
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        Row row = rows.get(n.op());
        float[] p = row.parameters().of(n, on);
        float alpha = p[0], beta = p[1];
        Unary op = row.kernel();
        Tensor x = on.value(n.input(0)), y = on.value(n.output());
        Tensor dx = on.gradientTarget(n.input(0));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> on.kernels().unaryBackward(op, alpha, beta, x, dy, dx), new String[] {n.input(0)},
                new Tensor[] {dx});
        return () -> on.kernels().unary(op, alpha, beta, x, y);
    }

    /** Clip before opset 11 had its bounds as attributes; now they are inputs 1 and 2. */
    @Override
    public Node fromOpset(Node n, int opset, Map<String, TensorData> newConstants) {
        if (n.op() != OpType.CLIP || opset >= 11) {
            return n;
        }
        String min = n.name() + "__min", max = n.name() + "__max";
        newConstants.put(min, TensorData.ofFloats(new long[0], new float[] {n.attributes().getFloat("min",
                -Float.MAX_VALUE)}));
        newConstants.put(max, TensorData.ofFloats(new long[0], new float[] {n.attributes().getFloat("max",
                Float.MAX_VALUE)}));
        return new Node(n.name(), n.op(), List.of(n.input(0), min, max), n.outputs(), Attributes.empty());
    }

    @Override
    public Epilogue epilogue(OpType op) {
        ConvActivation act = rows.get(op).epilogue();
        return act == null ? Epilogue.NONE : Epilogue.activation(act);
    }
}
