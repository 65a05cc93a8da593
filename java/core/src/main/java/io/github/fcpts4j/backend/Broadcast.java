package io.github.fcpts4j.backend;

/** Numpy broadcasting as element strides, the form the binary kernels of both backends take. */
public final class Broadcast {
    private Broadcast() {
    }

    /** Row-major element strides of {@code shape} right-aligned to {@code target}, 0 on broadcast axes. */
    public static long[] strides(long[] shape, long[] target) {
        return strides(shape, target, new long[target.length]);
    }

    /** As {@link #strides(long[], long[])}, into the first {@code target.length} entries of {@code out}. */
    public static long[] strides(long[] shape, long[] target, long[] out) {
        long stride = 1;
        for (int i = target.length - 1, j = shape.length - 1; i >= 0; i--, j--) {
            long dim = j >= 0 ? shape[j] : 1;
            out[i] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        return out;
    }
}
