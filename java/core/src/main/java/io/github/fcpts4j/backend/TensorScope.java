package io.github.fcpts4j.backend;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Owns temporaries: everything allocated or tracked through a scope is closed,
 * newest first, when the scope closes (use with try-with-resources). If several
 * closes fail, the first failure is thrown with the others suppressed.
 */
public final class TensorScope implements AutoCloseable {
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private boolean closed;

    /** Allocates a zero-filled tensor on {@code backend} that this scope will close. */
    public Tensor allocate(Backend backend, long... shape) {
        return track(backend.allocate(shape));
    }

    /** Uploads {@code data} to {@code backend} as a tensor that this scope will close. */
    public Tensor upload(Backend backend, float[] data, long... shape) {
        return track(backend.upload(data, shape));
    }

    /** Takes ownership of {@code resource}; returns it for chaining. */
    public <T extends AutoCloseable> T track(T resource) {
        if (closed) {
            throw new IllegalStateException("TensorScope used after close()");
        }
        owned.push(resource);
        return resource;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                RuntimeException wrapped = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
