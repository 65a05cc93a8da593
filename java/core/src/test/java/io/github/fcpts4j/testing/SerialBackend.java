package io.github.fcpts4j.testing;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;

/**
 * A backend that runs on another (the cpu) but says it cannot run executors concurrently, as cuda says
 * ({@link Backend#concurrentExecutors()} false), so that the serialized paths of a plan can be tested without a
 * GPU. Everything else goes to the wrapped backend; closing this one leaves that open. Subclasses may hook
 * {@link #synchronize}.
 */
public class SerialBackend implements Backend {
    private final Backend inner;

    public SerialBackend(Backend inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String description() {
        return "serial " + inner.description();
    }

    @Override
    public Tensor allocate(long... shape) {
        return inner.allocate(shape);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        inner.copy(src, dst);
    }

    @Override
    public KdeKernel kdeKernel(SegmentLayout layout) {
        return inner.kdeKernel(layout);
    }

    @Override
    public NetworkKernels network() {
        return inner.network();
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public void close() {
    }
}
