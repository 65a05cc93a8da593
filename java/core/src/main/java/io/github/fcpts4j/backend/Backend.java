package io.github.fcpts4j.backend;

/**
 * A compute backend: owns device (or host) memory and runs the kernels of
 * fcpts4j. Found through {@link Backends}; {@code cpu} is always present,
 * {@code cuda} only where a driver and a device answer.
 *
 * <p>A backend and everything it allocates are single-threaded objects: use
 * one from one thread at a time, except where {@link #concurrentExecutors()} says
 * that separate executors may run at once. Closing a backend does not close tensors it
 * handed out; close those first (a {@link TensorScope} does it for you).
 */
public interface Backend extends AutoCloseable {

    /** Short name used for selection: {@code "cpu"} or {@code "cuda"}. */
    String name();

    /** One line for humans: device, threads, native library build. */
    String description();

    /** A zero-filled float32 tensor of the given shape (every dimension >= 0). */
    Tensor allocate(long... shape);

    /** A tensor holding a copy of {@code data}; its length must equal the product of {@code shape}. */
    default Tensor upload(float[] data, long... shape) {
        Tensor tensor = allocate(shape);
        try {
            tensor.copyFrom(data);
            return tensor;
        } catch (RuntimeException e) {
            tensor.close();
            throw e;
        }
    }

    /** Copies every element of {@code src} into {@code dst} (same element count, both of this backend). */
    void copy(Tensor src, Tensor dst);

    /**
     * A plan for the fused KDE-CDF pass over the prunable weights laid out as
     * {@code layout}; it owns its native workspace and must be closed.
     */
    KdeKernel kdeKernel(SegmentLayout layout);

    /**
     * The network operators of the execution engine on this backend.
     *
     * @throws io.github.fcpts4j.FcptsException with {@code NOT_IMPLEMENTED} where the backend has none yet
     */
    NetworkKernels network();

    /**
     * Whether work on disjoint tensors and plans (two {@link io.github.fcpts4j.engine.NetworkExecutor}s, each
     * with its own buffers and plans, possibly reading the same constant weight tensors) may be submitted from
     * several threads at the same time. The cpu backend: yes (each call fills its own status record, every
     * plan's scratch memory is its own). The cuda backend: no (one stream, shared library handles, an
     * algorithm cache and a memory pool without locks), so its users serialize.
     */
    default boolean concurrentExecutors() {
        return false;
    }

    /** Waits until all queued work of this backend has finished (a no-op on the CPU). */
    void synchronize();

    /**
     * Milliseconds the work queued by {@code work} takes on this backend: wall time around it on the cpu;
     * on cuda the time between two CUDA events recorded on the backend's stream before and after it (the
     * device's own clock: launch gaps included, host work before the first launch not).
     */
    default double elapsedMillis(Runnable work) {
        synchronize();
        long start = System.nanoTime();
        work.run();
        synchronize();
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    void close();
}
