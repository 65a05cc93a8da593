package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/**
 * ReduceMean, ReduceSum and ReduceMax over {@code axes} (the attribute, or the constant input 1 from opset
 * 13 for ReduceSum and 18 for the others; none = every axis unless noop_with_empty_axes), keepdims default
 * 1. An index map whose reduced axes read every coordinate: weight 1 / n (mean) or 1 (sum), or the maximum
 * (its gradient goes to the first maximal element).
 */
public final class ReduceOps implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.REDUCE_MEAN, OpType.REDUCE_SUM, OpType.REDUCE_MAX);
    }

    /** Whether each axis is reduced. */
    private static boolean[] reduced(Node n, ShapeContext in, int rank) {
        long[] axes = OpInputs.longs(n, in, 1, "axes");
        boolean[] out = new boolean[rank];
        if (axes == null || axes.length == 0) {
            if (n.attributes().getInt("noop_with_empty_axes", 0) == 0) {
                Arrays.fill(out, true);
            }
            return out;
        }
        for (int a : OpInputs.axes(n, axes, rank)) {
            out[a] = true;
        }
        return out;
    }

    /** The output shape with the reduced axes kept as 1. */
    private static long[] kept(long[] x, boolean[] reduced) {
        long[] out = x.clone();
        for (int i = 0; i < x.length; i++) {
            if (reduced[i]) {
                out[i] = 1;
            }
        }
        return out;
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        boolean[] r = reduced(n, in, x.length);
        long[] out = kept(x, r);
        if (n.attributes().getInt("keepdims", 1) != 0) {
            return out;
        }
        long[] squeezed = new long[x.length];
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (!r[i]) {
                squeezed[k++] = out[i];
            }
        }
        return Arrays.copyOf(squeezed, k);
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] x = on.shape(n.input(0));
        boolean[] r = reduced(n, on, x.length);
        boolean max = n.op() == OpType.REDUCE_MAX;
        long count = 1;
        for (int i = 0; i < x.length; i++) {
            count *= r[i] ? x[i] : 1;
        }
        SeparableMap.Axis[] axes = new SeparableMap.Axis[x.length];
        for (int i = 0; i < x.length; i++) {
            if (!r[i]) {
                continue;
            }
            int dim = (int) x[i];
            // the mean's 1 / n falls on the reduced axes' weights, whose product over a tap is 1 / count
            double w = n.op() == OpType.REDUCE_MEAN ? 1.0 / dim : 1.0;
            int[] all = new int[dim];
            double[] weights = new double[dim];
            for (int j = 0; j < dim; j++) {
                all[j] = j;
                weights[j] = w;
            }
            SeparableMap.Taps taps = new SeparableMap.Taps(all, weights);
            axes[i] = j -> taps;
        }
        if (count == 0) {
            throw OpShapes.unsupported(n, "a reduction over an empty axis");
        }
        return SeparableMap.of(n, x, kept(x, r), axes, 0f, max).lower(on, n.input(0), n.output());
    }
}
