package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.NetworkKernels.Binary;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/**
 * Gemm: Y[m, n] = op(A) op(B) + C with op = transpose when transA / transB (C broadcast to [m, n]). B
 * (input 1) is the prunable weight; each weight does one MAC per output row. Not supported: alpha or beta
 * other than 1, gradients through transA = 1.
 */
public final class GemmOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.GEMM);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] a = in.shape(n.input(0)), b = in.shape(n.input(1));
        long[] c = n.input(2).isEmpty() ? null : in.shape(n.input(2));
        if (a.length != 2 || b.length != 2) {
            throw OpShapes.bad(n, "operands must be 2-D, got " + Arrays.toString(a) + " and " + Arrays.toString(b));
        }
        boolean ta = n.attributes().getInt("transA", 0) != 0, tb = n.attributes().getInt("transB", 0) != 0;
        long m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
        long kb = tb ? b[1] : b[0], cols = tb ? b[0] : b[1];
        if (k != kb) {
            throw OpShapes.bad(n, "inner dimensions differ: A " + Arrays.toString(a) + (ta ? "^T" : "") + ", B "
                    + Arrays.toString(b) + (tb ? "^T" : ""));
        }
        long[] out = {m, cols};
        if (c != null && !Arrays.equals(OpShapes.broadcast(n, out, c), out)) {
            throw OpShapes.bad(n, "C " + Arrays.toString(c) + " does not broadcast to " + Arrays.toString(out));
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        Attributes a = n.attributes();
        if (a.getFloat("alpha", 1f) != 1f || a.getFloat("beta", 1f) != 1f) {
            throw OpShapes.unsupported(n, "alpha and beta other than 1");
        }
        boolean ta = a.getInt("transA", 0) != 0, tb = a.getInt("transB", 0) != 0;
        if (ta && on.gradients()) {
            throw OpShapes.unsupported(n, "gradients through transA = 1");
        }
        NetworkKernels kernels = on.kernels();
        long[] aShape = on.shape(n.input(0)), yShape = on.shape(n.output());
        long m = yShape[0], nn = yShape[1], k = ta ? aShape[0] : aShape[1];
        Tensor c = on.optional(n.input(2));
        long[] cShape = c == null ? null : on.shape(n.input(2));
        boolean biasRow = c != null && OpShapes.product(cShape, 0, cShape.length) == nn
                && cShape[cShape.length - 1] == nn;
        NetworkKernels.MatMulPlan plan = on.track(kernels.matmul(m, k, nn, ta, tb, biasRow));
        Tensor lhs = on.value(n.input(0)), rhs = on.value(n.input(1)), y = on.value(n.output());
        if (on.gradients()) {
            // dA[m,k] = dY[m,n] op(B)^T; dB = (op(A)^T dY) stored as B is (transposed again when transB)
            NetworkKernels.MatMulPlan dataPlan = on.track(kernels.matmul(m, nn, k, false, !tb, false));
            NetworkKernels.MatMulPlan weightPlan = on.track(tb ? kernels.matmul(nn, m, k, true, false, false)
                    : kernels.matmul(k, m, nn, true, false, false));
            Tensor da = on.gradientTarget(n.input(0)), db = on.gradientTarget(n.input(1));
            Tensor dc = on.gradientTarget(n.input(2));
            Tensor dy = on.gradient(n.output());
            on.backward(() -> {
                if (da != null) {
                    dataPlan.forward(dy, rhs, null, da);
                }
                if (db != null) {
                    if (tb) {
                        weightPlan.forward(dy, lhs, null, db);
                    } else {
                        weightPlan.forward(lhs, dy, null, db);
                    }
                }
                if (dc != null) {
                    if (biasRow) {
                        kernels.columnSum(dy, m, nn, dc);
                    } else {
                        kernels.binaryBackward(Binary.ADD, y, yShape, c, OpShapes.padded(cShape, 2), dy, yShape,
                                null, dc);
                    }
                }
            }, new String[] {n.input(0), n.input(1), n.input(2)}, new Tensor[] {da, db, dc});
        }
        if (c == null || biasRow) {
            return () -> plan.forward(lhs, rhs, biasRow ? c : null, y);
        }
        long[] cp = OpShapes.padded(cShape, 2);
        return () -> {
            plan.forward(lhs, rhs, null, y);
            kernels.binary(Binary.ADD, y, yShape, c, cp, y, yShape);
        };
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
        Attributes a = n.attributes();
        return new LinearForm(a.getInt("transA", 0) != 0, a.getInt("transB", 0) != 0, a.getFloat("alpha", 1f),
                a.getFloat("beta", 1f), n.inputs().size() > 2 && !n.input(2).isEmpty() ? 2 : -1);
    }
}
