package io.github.fcpts4j.backend;

/**
 * The memory behind a {@link Tensor}, implemented by each backend (host memory
 * for cpu, device memory for cuda). A storage is owned by exactly one tensor,
 * which closes it. Indices and counts are in float elements; bounds are
 * checked by {@link Tensor} before these are called.
 */
public abstract class TensorStorage implements AutoCloseable {

    /** Copies {@code count} floats from {@code src[srcOffset..]} into elements {@code [dstIndex..]}. */
    protected abstract void write(float[] src, int srcOffset, long dstIndex, int count);

    /** Copies {@code count} floats from elements {@code [srcIndex..]} into {@code dst[dstOffset..]}. */
    protected abstract void read(long srcIndex, float[] dst, int dstOffset, int count);

    /** Frees the memory; called once by the owning tensor. */
    @Override
    public abstract void close();
}
