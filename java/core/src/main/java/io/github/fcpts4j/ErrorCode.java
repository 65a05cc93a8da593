package io.github.fcpts4j;

/**
 * What went wrong, as a stable code that callers can switch on. Native status
 * codes (native/include/fcpts/status.h) map onto the first entries one to one.
 */
public enum ErrorCode {
    /** A value passed by the caller is outside what the operation accepts. */
    INVALID_ARGUMENT,
    /** The CUDA runtime or a CUDA library reported an error. */
    CUDA_ERROR,
    /** An allocation failed (host or device). */
    OUT_OF_MEMORY,
    /** The native library was built without the requested capability (for example, no CUDA compiler). */
    NOT_COMPILED,
    /** An unexpected native failure; the message carries the details. */
    INTERNAL,
    /**
     * A value is NaN or infinite where finite values are needed: a parameter of the model, a gradient, an input
     * sample or a model output; the message names the tensor.
     */
    NON_FINITE_INPUT,
    /** The requested backend is not available on this machine. */
    BACKEND_UNAVAILABLE,
    /** A native library could not be loaded. */
    NATIVE_LOAD_FAILED,
    /** A model file or graph is malformed: corrupt bytes, dangling edges, inconsistent shapes. */
    INVALID_MODEL,
    /** A well-formed model uses operators or features fcpts4j does not support. */
    UNSUPPORTED_MODEL,
    /** The operation exists in fcpts4j but not yet on the chosen backend; the message says what to use instead. */
    NOT_IMPLEMENTED,
    /**
     * A caller cancelled a long-running operation (for example a pruning run through its progress listener, or a
     * thread interrupted while it waited for a {@link io.github.fcpts4j.sparse.SparsePlan}'s execution context).
     */
    CANCELLED,
    /** The optimization diverged (its loss grew without bound); a smaller learning rate may converge. */
    DIVERGED,
    /**
     * An object made for one thread at a time (a {@link io.github.fcpts4j.engine.NetworkExecutor}) was used by
     * a second thread while a call of the first was in flight; the message names both threads.
     */
    CONCURRENT_USE,
    /**
     * An object was used after its {@code close()} (a {@link io.github.fcpts4j.sparse.SparsePlan} run); the
     * message names the object. Java only: no native status maps to it.
     */
    CLOSED;

    /** Maps a native {@code fcpts_status_code} to its enum value (unknown codes become {@link #INTERNAL}). */
    public static ErrorCode fromNative(int code) {
        switch (code) {
            case 1: return INVALID_ARGUMENT;
            case 2: return CUDA_ERROR;
            case 3: return OUT_OF_MEMORY;
            case 4: return NOT_COMPILED;
            default: return INTERNAL;
        }
    }
}
