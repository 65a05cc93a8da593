package io.github.fcpts4j.prune;

/**
 * Observes a pruning run, once per optimization step, on the thread that runs
 * it. Return {@code false} to cancel: the run stops after the current step and
 * {@link Pruner#run()} throws an {@link io.github.fcpts4j.FcptsException} with
 * code {@link io.github.fcpts4j.ErrorCode#CANCELLED}; nothing is exported.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Called after every step; return true to go on, false to cancel. */
    boolean onIteration(IterationStats stats);

    /**
     * Called when a run starts over from the dense model (a diverged loss, at a smaller weight lr), with the
     * reason; the iteration count starts again at 1.
     */
    default void onRestart(String reason) {
    }

    /** A listener that observes nothing and never cancels. */
    static ProgressListener none() {
        return s -> true;
    }
}
