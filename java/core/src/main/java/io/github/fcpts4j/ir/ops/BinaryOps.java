package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.NetworkKernels.Binary;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.List;
import java.util.Map;

/**
 * Elementwise ops of two inputs with numpy broadcasting, y = a (op) b, and their gradients summed over the
 * broadcast axes. Equal gives 1 or 0 (ONNX's bool, held as float like every tensor) and no gradient. An Add
 * can take a convolution's residual into its fused epilogue.
 */
public final class BinaryOps implements OpDefinition {
    private static final Map<OpType, Binary> KERNELS = Map.of(OpType.ADD, Binary.ADD, OpType.SUB, Binary.SUB,
            OpType.MUL, Binary.MUL, OpType.DIV, Binary.DIV, OpType.EQUAL, Binary.EQUAL);

    @Override
    public List<OpType> ops() {
        return List.of(OpType.ADD, OpType.SUB, OpType.MUL, OpType.DIV, OpType.EQUAL);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        return OpShapes.broadcast(n, in.shape(n.input(0)), in.shape(n.input(1)));
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        Binary op = KERNELS.get(n.op());
        Tensor lhs = on.value(n.input(0)), rhs = on.value(n.input(1)), y = on.value(n.output());
        long[] ls = on.shape(n.input(0)), rs = on.shape(n.input(1)), ys = on.shape(n.output());
        int rank = ys.length;
        long[] lp = OpShapes.padded(ls, rank), rp = OpShapes.padded(rs, rank);
        Tensor da = on.gradientTarget(n.input(0)), db = on.gradientTarget(n.input(1));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> on.kernels().binaryBackward(op, lhs, lp, rhs, rp, dy, ys, da, db),
                new String[] {n.input(0), n.input(1)}, new Tensor[] {da, db});
        return () -> on.kernels().binary(op, lhs, lp, rhs, rp, y, ys);
    }

    @Override
    public Epilogue epilogue(OpType op) {
        return op == OpType.ADD ? Epilogue.RESIDUAL : Epilogue.NONE;
    }
}
