package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;

/**
 * The always-available backend: host memory and the OpenMP / oneDNN kernels of
 * libfcpts_cpu, run with a fixed thread count chosen when it is opened.
 */
public final class CpuBackend implements Backend {
    private final int threads;
    private final CpuNetworkKernels network;
    /** Every calling thread's status and shape records, for the network kernels and copy. */
    private final CallRecords calls = new CallRecords();
    private boolean closed;

    CpuBackend(int requestedThreads) {
        this.threads = requestedThreads > 0 ? requestedThreads : CpuKernels.defaultThreads();
        this.network = new CpuNetworkKernels(threads, calls);
    }

    /** OpenMP threads every kernel of this backend uses. */
    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu: " + threads + " OpenMP threads; " + CpuKernels.buildInfo();
    }

    @Override
    public Tensor allocate(long... shape) {
        requireOpen();
        return new Tensor(this, shape, new CpuStorage(Tensor.elementCount(shape)));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        requireOpen();
        if (src.size() != dst.size()) {
            throw new IllegalArgumentException("copy: source holds " + src.size() + " floats, destination "
                    + dst.size());
        }
        CpuNatives.Status status = calls.get().status();
        CpuKernels.check(CpuNatives.fcpts_parallel_copy_cpu(src.storage(CpuStorage.class).pointer(),
                dst.storage(CpuStorage.class).pointer(), src.size() * Float.BYTES, threads, status), status,
                "fcpts_parallel_copy_cpu");
    }

    @Override
    public KdeKernel kdeKernel(SegmentLayout layout) {
        requireOpen();
        return new CpuKdeKernel(layout, threads);
    }

    @Override
    public NetworkKernels network() {
        requireOpen();
        return network;
    }

    /** Yes: see {@link CallRecords} (per-thread status and shape records) and the plans, each owning its scratch. */
    @Override
    public boolean concurrentExecutors() {
        return true;
    }

    @Override
    public void synchronize() {
        requireOpen();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            calls.release();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cpu backend used after close()");
        }
    }
}
