package io.github.fcpts4j.engine;

import java.util.List;
import java.util.Set;

/**
 * How a {@link NetworkExecutor} is compiled.
 *
 * @param gradients       allocate gradient buffers and plan the backward pass
 * @param observed        intermediate values kept readable after a run, as graph outputs are (and, with
 *                        gradients, accepting a gradient seed)
 * @param overrides       chains of nodes computed by the given code instead of the engine's kernels
 *                        (inference only)
 * @param constantWeights the weights never change (serving): plans may keep pre-packed copies; no
 *                        training mode (inference only)
 */
public record ExecutorOptions(boolean gradients, Set<String> observed, List<LayerOverride> overrides,
                              boolean constantWeights) {

    public ExecutorOptions {
        observed = Set.copyOf(observed);
        overrides = List.copyOf(overrides);
        if (gradients && (!overrides.isEmpty() || constantWeights)) {
            throw new IllegalArgumentException("layer overrides and constant weights are for inference executors only");
        }
    }

    /** Forward only, weights writable (evaluation, a teacher network). */
    public static ExecutorOptions inference() {
        return new ExecutorOptions(false, Set.of(), List.of(), false);
    }

    /** Forward and backward (training, the pruned student). */
    public static ExecutorOptions training() {
        return new ExecutorOptions(true, Set.of(), List.of(), false);
    }

    /** Serving: constant weights, and {@code overrides} in place of the engine's kernels. */
    public static ExecutorOptions serving(List<LayerOverride> overrides) {
        return new ExecutorOptions(false, Set.of(), overrides, true);
    }

    /** These options, also keeping {@code values} readable (and seedable with gradients). */
    public ExecutorOptions observing(Set<String> values) {
        return new ExecutorOptions(gradients, values, overrides, constantWeights);
    }
}
