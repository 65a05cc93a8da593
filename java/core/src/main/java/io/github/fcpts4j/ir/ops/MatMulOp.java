package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/**
 * MatMul with numpy semantics (batch axes broadcast, 1-D operands promoted and the axis dropped again). The
 * right operand (input 1) is the prunable weight when it is a constant; each weight does one MAC per output
 * row. Lowered for a 2-D right operand and a left operand of rank >= 2, read as [rows, k], and for two
 * operands with the same batch axes (attention scores and their use), as batched products.
 */
public final class MatMulOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.MATMUL);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] a = in.shape(n.input(0)), b = in.shape(n.input(1));
        if (a.length < 1 || b.length < 1) {
            throw OpShapes.bad(n, "MatMul of a scalar");
        }
        long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
        if (a2[a2.length - 1] != b2[b2.length - 2]) {
            throw OpShapes.bad(n, "inner dimensions differ: " + Arrays.toString(a) + " x " + Arrays.toString(b));
        }
        long[] batch = OpShapes.broadcast(n, Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a2[a2.length - 2];
        out[batch.length + 1] = b2[b2.length - 1];
        if (a.length == 1) {
            out = OpShapes.dropAxis(out, out.length - 2);
        }
        if (b.length == 1) {
            out = OpShapes.dropAxis(out, out.length - 1);
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] aShape = on.shape(n.input(0)), bShape = on.shape(n.input(1));
        if (bShape.length > 2 && aShape.length == bShape.length
                && Arrays.equals(Arrays.copyOf(aShape, aShape.length - 2), Arrays.copyOf(bShape, bShape.length - 2))) {
            return batched(n, on, aShape, bShape);
        }
        if (bShape.length != 2 || aShape.length < 2) {
            throw OpShapes.unsupported(n, "MatMul needs a 2-D right operand and a left operand of rank >= 2, got "
                    + Arrays.toString(aShape) + " x " + Arrays.toString(bShape));
        }
        NetworkKernels kernels = on.kernels();
        long m = OpShapes.product(aShape, 0, aShape.length - 1), k = bShape[0], nn = bShape[1];
        NetworkKernels.MatMulPlan plan = on.track(kernels.matmul(m, k, nn, false, false, false));
        Tensor lhs = on.value(n.input(0)), rhs = on.value(n.input(1)), y = on.value(n.output());
        if (on.gradients()) {
            NetworkKernels.MatMulPlan dataPlan = on.track(kernels.matmul(m, nn, k, false, true, false));
            NetworkKernels.MatMulPlan weightPlan = on.track(kernels.matmul(k, m, nn, true, false, false));
            Tensor da = on.gradientTarget(n.input(0)), db = on.gradientTarget(n.input(1));
            Tensor dy = on.gradient(n.output());
            on.backward(() -> {
                if (da != null) {
                    dataPlan.forward(dy, rhs, null, da);
                }
                if (db != null) {
                    weightPlan.forward(lhs, dy, null, db);
                }
            }, new String[] {n.input(0), n.input(1)}, new Tensor[] {da, db});
        }
        return () -> plan.forward(lhs, rhs, null, y);
    }

    /** A [..., m, k] x B [..., k, n] with equal batch axes (attention): batched products forward and back. */
    private static Runnable batched(Node n, Lowering on, long[] aShape, long[] bShape) {
        NetworkKernels kernels = on.kernels();
        int r = aShape.length;
        long batch = OpShapes.product(aShape, 0, r - 2), m = aShape[r - 2], k = aShape[r - 1], nn = bShape[r - 1];
        NetworkKernels.BatchedMatMulPlan plan = on.track(kernels.batchedMatmul(batch, m, k, nn, false, false, false));
        Tensor lhs = on.value(n.input(0)), rhs = on.value(n.input(1)), y = on.value(n.output());
        if (on.gradients()) {
            // dA = dY B^T, dB = A^T dY, per batch entry
            NetworkKernels.BatchedMatMulPlan dataPlan = on.track(kernels.batchedMatmul(batch, m, nn, k, false, true,
                    false));
            NetworkKernels.BatchedMatMulPlan weightPlan = on.track(kernels.batchedMatmul(batch, k, m, nn, true, false,
                    false));
            Tensor da = on.gradientTarget(n.input(0)), db = on.gradientTarget(n.input(1));
            Tensor dy = on.gradient(n.output());
            on.backward(() -> {
                if (da != null) {
                    dataPlan.forward(dy, rhs, da);
                }
                if (db != null) {
                    weightPlan.forward(lhs, dy, db);
                }
            }, new String[] {n.input(0), n.input(1)}, new Tensor[] {da, db});
        }
        return () -> plan.forward(lhs, rhs, y);
    }

    @Override
    public int weightInput() {
        return 1;
    }

    @Override
    public long macsPerWeight(long[] inputShape, long[] outputShape) {
        return OpShapes.product(outputShape, 0, outputShape.length - 1);
    }

    @Override
    public LinearForm linearForm(Node n) {
        return new LinearForm(false, false, 1f, 1f, -1);
    }
}
