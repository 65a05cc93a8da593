package io.github.fcpts4j.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable constant tensor (a weight, a bias, a shape vector). Float data
 * lives in {@code floats}, integer and boolean data in {@code longs}; the other
 * array is null. Row-major; a scalar has no dimensions.
 */
public final class TensorData {
    private final DataType type;
    private final long[] dims;
    private final float[] floats;
    private final long[] longs;

    private TensorData(DataType type, long[] dims, float[] floats, long[] longs) {
        this.type = type;
        this.dims = dims.clone();
        this.floats = floats;
        this.longs = longs;
        long n = size(dims);
        long have = floats != null ? floats.length : longs.length;
        if (n != have) {
            throw new IllegalArgumentException("tensor " + Arrays.toString(dims) + " needs " + n + " elements, got "
                    + have);
        }
    }

    public static TensorData ofFloats(long[] dims, float[] data) {
        return new TensorData(DataType.FLOAT, dims, data.clone(), null);
    }

    public static TensorData ofLongs(DataType type, long[] dims, long[] data) {
        if (type == DataType.FLOAT || type == DataType.DOUBLE) {
            throw new IllegalArgumentException("ofLongs takes an integer or boolean type, got " + type);
        }
        return new TensorData(type, dims, null, data.clone());
    }

    /** A 1-D int64 tensor, the form of every shape vector. */
    public static TensorData int64Vector(long... values) {
        return ofLongs(DataType.INT64, new long[] {values.length}, values);
    }

    public static long size(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("constant tensor with unknown dimension " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DataType type() {
        return type;
    }

    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long size() {
        return floats != null ? floats.length : longs.length;
    }

    public boolean isFloat() {
        return floats != null;
    }

    /** A copy of the float data; throws for integer tensors. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor of type " + type + " has no float data");
        }
        return floats.clone();
    }

    /** A copy of the integer data; throws for float tensors. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor of type " + type + " has no integer data");
        }
        return longs.clone();
    }

    /** How many elements are exactly zero (-0 included): a pruned weight's pruned count. */
    public long zeros() {
        long z = 0;
        for (int i = 0; i < size(); i++) {
            z += get(i) == 0 ? 1 : 0;
        }
        return z;
    }

    /** Element i as a double, whatever the type. */
    public double get(int i) {
        return floats != null ? floats[i] : longs[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && type == t.type && Arrays.equals(dims, t.dims)
                && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(dims), Arrays.hashCode(floats), Arrays.hashCode(longs));
    }

    @Override
    public String toString() {
        return type + Arrays.toString(dims);
    }
}
