package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Node;

import java.util.Arrays;

/** Shape arithmetic the op definitions share (numpy broadcasting, axes, products) and their error messages. */
public final class OpShapes {
    private OpShapes() {
    }

    /** An {@code INVALID_MODEL} error naming the node. */
    public static FcptsException bad(Node n, String what) {
        return new FcptsException(ErrorCode.INVALID_MODEL, n.describe() + ": " + what);
    }

    /** An {@code UNSUPPORTED_MODEL} error naming the node: valid ONNX that fcpts4j does not run. */
    public static FcptsException unsupported(Node n, String what) {
        return new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": " + what);
    }

    static void requireShape(Node n, long[] actual, long[] expected, String what) {
        if (!Arrays.equals(actual, expected)) {
            throw bad(n, what + " has shape " + Arrays.toString(actual) + ", expected " + Arrays.toString(expected));
        }
    }

    /** {@code axis} in [0, rank) (negative counts from the end), or an error naming the node. */
    public static long normalizeAxis(Node n, long axis, int rank) {
        long r = axis < 0 ? axis + rank : axis;
        if (r < 0 || r >= rank) {
            throw bad(n, "axis " + axis + " is out of range for rank " + rank);
        }
        return r;
    }

    /** Numpy-style broadcast of two shapes. */
    public static long[] broadcast(Node n, long[] x, long[] y) {
        int rank = Math.max(x.length, y.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long dx = i < rank - x.length ? 1 : x[i - (rank - x.length)];
            long dy = i < rank - y.length ? 1 : y[i - (rank - y.length)];
            if (dx != dy && dx != 1 && dy != 1) {
                throw bad(n, "shapes " + Arrays.toString(x) + " and " + Arrays.toString(y) + " do not broadcast");
            }
            out[i] = dx == 1 ? dy : dx;
        }
        return out;
    }

    /** {@code shape} with leading 1s up to {@code rank} (numpy alignment). */
    static long[] padded(long[] shape, int rank) {
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }

    static long[] dropAxis(long[] s, int axis) {
        long[] out = new long[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != axis) {
                out[j++] = s[i];
            }
        }
        return out;
    }

    /** Product of {@code s[from..to)}. */
    static long product(long[] s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= s[i];
        }
        return p;
    }

    /** A (possibly negative) axis as an index, unchecked. */
    static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static void require2d(Node n, long[] xShape) {
        if (xShape.length != 4) {
            throw unsupported(n, "only 2-D (NCHW) windows are supported, input is " + Arrays.toString(xShape));
        }
    }
}
