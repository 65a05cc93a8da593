package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/** Transpose: y[i_perm(0), ..., i_perm(r-1)] = x[i_0, ..., i_r-1] (default perm reverses); dx = dy transposed back. */
public final class TransposeOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.TRANSPOSE);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        long[] perm = perm(n, x.length);
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[(int) perm[i]];
        }
        return out;
    }

    /** The permutation: attribute {@code perm}, by default the reversed axes; it must permute [0, rank). */
    private static long[] perm(Node n, int rank) {
        long[] perm = n.attributes().getInts("perm", null);
        if (perm == null) {
            perm = new long[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
        }
        boolean[] seen = new boolean[rank];
        boolean permutes = perm.length == rank;
        for (int i = 0; i < perm.length && permutes; i++) {
            permutes = perm[i] >= 0 && perm[i] < rank && !seen[(int) perm[i]];
            seen[permutes ? (int) perm[i] : 0] = true;
        }
        if (!permutes) {
            throw OpShapes.bad(n, "perm " + Arrays.toString(perm) + " is not a permutation of the " + rank + " axes");
        }
        return perm;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0));
        long[] perm = perm(n, xShape.length);
        long[] p = perm, inverse = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[(int) perm[i]] = i;
        }
        long[] yShape = on.shape(n.output());
        Tensor x = on.value(n.input(0)), y = on.value(n.output());
        Tensor dx = on.gradientTarget(n.input(0));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> on.kernels().transpose(dy, yShape, inverse, dx), new String[] {n.input(0)},
                new Tensor[] {dx});
        return () -> on.kernels().transpose(x, xShape, p, y);
    }
}
