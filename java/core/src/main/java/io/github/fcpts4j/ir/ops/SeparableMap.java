package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;

import java.util.Arrays;

/**
 * An index map ({@link NetworkKernels.IndexMapPlan}) that acts on each axis separately, built on the host:
 * along axis i, output coordinate j reads the input coordinates {@code taps(i, j)} with their weights, and an
 * output element reads the Cartesian product of its coordinates' taps with the product of their weights
 * (an axis with no taps at a coordinate makes the element the fill value). Axes before the first one that
 * moves anything are the map's outer slices. Resize (1 tap nearest, 2 linear), Pad, Slice, Gather with
 * constant indices and the reductions (all coordinates of a reduced axis, weight 1 or 1 / n) are such maps.
 */
final class SeparableMap {

    /** The taps of one output coordinate along one axis. */
    record Taps(int[] index, double[] weight) {
        static final Taps NONE = new Taps(new int[0], new double[0]);

        static Taps one(long index) {
            return new Taps(new int[] {(int) index}, new double[] {1});
        }
    }

    /** The taps along one axis, by output coordinate. */
    interface Axis {
        Taps at(long outCoordinate);
    }

    final long outer;
    final int inSize;
    final int outSize;
    final int[] rowPtr;
    final int[] cols;
    final float[] weights;
    final float fill;
    final boolean max;

    private SeparableMap(long outer, int inSize, int outSize, int[] rowPtr, int[] cols, float[] weights, float fill,
                         boolean max) {
        this.outer = outer;
        this.inSize = inSize;
        this.outSize = outSize;
        this.rowPtr = rowPtr;
        this.cols = cols;
        this.weights = weights;
        this.fill = fill;
        this.max = max;
    }

    /**
     * @param in   input shape
     * @param out  output shape, same rank
     * @param axes per axis its taps, or null where the axis is copied (then in[i] == out[i])
     */
    static SeparableMap of(Node n, long[] in, long[] out, Axis[] axes, float fill, boolean max) {
        int rank = in.length, first = 0;
        while (first < rank && axes[first] == null) {
            first++;
        }
        if (first == rank) {
            first = rank - 1;  // the identity: one map row per last-axis element
        }
        for (int i = 0; i < first; i++) {
            if (in[i] != out[i]) {
                throw new IllegalArgumentException(n.describe() + ": axis " + i + " is copied but " + in[i]
                        + " != " + out[i]);
            }
        }
        long outer = OpShapes.product(out, 0, first);
        long inSuffix = OpShapes.product(in, first, rank), outSuffix = OpShapes.product(out, first, rank);
        Taps[][] taps = new Taps[rank][];
        long tapCount = outSuffix;
        for (int i = first; i < rank; i++) {
            if (axes[i] == null && in[i] != out[i]) {
                throw new IllegalArgumentException(n.describe() + ": axis " + i + " is copied but " + in[i]
                        + " != " + out[i]);
            }
            taps[i] = new Taps[(int) out[i]];
            long most = 1;
            for (int j = 0; j < out[i]; j++) {
                taps[i][j] = axes[i] == null ? Taps.one(j) : axes[i].at(j);
                most = Math.max(most, taps[i][j].index().length);
            }
            tapCount = Math.multiplyExact(tapCount, most);
        }
        if (inSuffix > Integer.MAX_VALUE || tapCount > Integer.MAX_VALUE) {
            throw OpShapes.unsupported(n, "its index map over " + Arrays.toString(Arrays.copyOfRange(in, first, rank))
                    + " needs more than 2^31 entries");
        }
        long[] inStride = new long[rank];
        for (int i = rank - 1, s = 1; i >= first; i--) {
            inStride[i] = s;
            s *= in[i];
        }
        int[] rowPtr = new int[(int) outSuffix + 1];
        int[] cols = new int[(int) tapCount];
        float[] weights = new float[(int) tapCount];
        boolean weighted = false;
        int at = 0;
        int[] coord = new int[rank];
        int[] pick = new int[rank];
        for (int r = 0; r < outSuffix; r++) {
            rowPtr[r] = at;
            boolean empty = false;
            for (int i = first; i < rank; i++) {
                empty |= taps[i][coord[i]].index().length == 0;
            }
            if (!empty) {
                Arrays.fill(pick, 0);
                while (true) {
                    long col = 0;
                    double w = 1;
                    for (int i = first; i < rank; i++) {
                        Taps t = taps[i][coord[i]];
                        col += t.index()[pick[i]] * inStride[i];
                        w *= t.weight()[pick[i]];
                    }
                    cols[at] = (int) col;
                    weights[at] = (float) w;
                    weighted |= weights[at] != 1f;
                    at++;
                    int i = rank - 1;
                    while (i >= first && ++pick[i] == taps[i][coord[i]].index().length) {
                        pick[i--] = 0;
                    }
                    if (i < first) {
                        break;
                    }
                }
            }
            for (int i = rank - 1; i >= first && ++coord[i] == out[i]; i--) {
                coord[i] = 0;
            }
        }
        rowPtr[(int) outSuffix] = at;
        return new SeparableMap(outer, (int) inSuffix, (int) outSuffix, rowPtr, Arrays.copyOf(cols, at),
                weighted && !max ? Arrays.copyOf(weights, at) : null, fill, max);
    }

    /** Plans the map from {@code input} to {@code output} of {@code n}: forward, and backward into the input. */
    Runnable lower(Lowering on, String input, String output) {
        NetworkKernels.IndexMapPlan plan = on.track(on.kernels().indexMap(outer, inSize, outSize, rowPtr, cols,
                weights, fill, max));
        Tensor x = on.value(input), y = on.value(output);
        Tensor dx = on.gradientTarget(input);
        Tensor dy = on.gradient(output);
        if (dx != null) {
            on.backward(() -> plan.backward(dy, dx), new String[] {input}, new Tensor[] {dx});
        }
        return () -> plan.forward(x, y);
    }
}
