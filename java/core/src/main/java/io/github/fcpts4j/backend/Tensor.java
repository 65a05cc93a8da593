package io.github.fcpts4j.backend;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float32 tensor in row-major order whose memory belongs to a
 * {@link Backend}. Host data moves in and out only through
 * {@link #copyFrom(float[])} and {@link #toArray()}.
 *
 * <p>Close it (or allocate it inside a {@link TensorScope}) to free its memory
 * at once; close is idempotent and any use after close throws
 * {@link IllegalStateException}.
 */
public final class Tensor implements AutoCloseable {
    private final Backend backend;
    private final long[] shape;
    private final long elementCount;
    private TensorStorage storage;

    /** Called by backends: wraps freshly allocated storage. */
    public Tensor(Backend backend, long[] shape, TensorStorage storage) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.shape = shape.clone();
        this.elementCount = elementCount(shape);
        this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** Product of the dimensions; rejects negative dimensions and overflow. */
    public static long elementCount(long... shape) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + ": dimension " + i
                        + " is negative");
            }
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    public Backend backend() {
        return backend;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Number of float elements. */
    public long size() {
        return elementCount;
    }

    public boolean isClosed() {
        return storage == null;
    }

    /** Overwrites every element with {@code data} (whose length must equal {@link #size()}). */
    public void copyFrom(float[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length != elementCount) {
            throw new IllegalArgumentException("copyFrom: tensor " + Arrays.toString(shape) + " holds "
                    + elementCount + " floats, got an array of " + data.length);
        }
        live().write(data, 0, 0, data.length);
    }

    /** Writes {@code count} floats of {@code src} starting at {@code srcOffset} into elements from {@code index}. */
    public void write(long index, float[] src, int srcOffset, int count) {
        checkRange(index, count);
        Objects.checkFromIndexSize(srcOffset, count, src.length);
        live().write(src, srcOffset, index, count);
    }

    /** Reads {@code count} elements from {@code index} into {@code dst} starting at {@code dstOffset}. */
    public void read(long index, float[] dst, int dstOffset, int count) {
        checkRange(index, count);
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        live().read(index, dst, dstOffset, count);
    }

    /** A host copy of all elements (tensors of more than 2^31 - 1 elements must be read in parts). */
    public float[] toArray() {
        if (elementCount > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + elementCount + " floats does not fit one Java array");
        }
        float[] out = new float[(int) elementCount];
        live().read(0, out, 0, out.length);
        return out;
    }

    /**
     * The backend-specific storage, for backend implementations only.
     *
     * @throws IllegalArgumentException when the tensor belongs to another backend
     * @throws IllegalStateException    when the tensor is closed
     */
    public <S extends TensorStorage> S storage(Class<S> type) {
        TensorStorage s = live();
        if (!type.isInstance(s)) {
            throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " lives on backend '"
                    + backend.name() + "', not on the backend that needs " + type.getSimpleName());
        }
        return type.cast(s);
    }

    @Override
    public void close() {
        TensorStorage s = storage;
        storage = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + "@" + backend.name() + (isClosed() ? " (closed)" : "");
    }

    private TensorStorage live() {
        TensorStorage s = storage;
        if (s == null) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape) + " on '" + backend.name()
                    + "' was used after close()");
        }
        return s;
    }

    private void checkRange(long index, int count) {
        if (index < 0 || count < 0 || index > elementCount - count) {
            throw new IndexOutOfBoundsException("elements [" + index + ", " + index + " + " + count
                    + ") are outside tensor " + Arrays.toString(shape) + " of " + elementCount + " floats");
        }
    }
}
