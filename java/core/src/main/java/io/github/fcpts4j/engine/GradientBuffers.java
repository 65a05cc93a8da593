package io.github.fcpts4j.engine;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.NetworkKernels.Binary;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Gradient accumulation of an executor: one gradient buffer per float value, and the backward steps in
 * forward order. A value read by one node gets its gradient written straight into its buffer; a value read
 * by several (or also a graph output / observed) gets each reader's contribution in a scratch tensor that
 * is added to its buffer right after that reader's step, so d loss / d v = sum over readers.
 */
final class GradientBuffers {
    private final Backend backend;
    private final NetworkKernels kernels;
    private final TensorScope scope;
    private final Map<String, long[]> shapes;
    private final Map<String, Integer> readers;
    private final Map<String, Tensor> grads = new HashMap<>();
    private final List<Runnable> steps = new ArrayList<>();

    /**
     * @param readers how many nodes read each value, plus one for a graph output or an observed value
     */
    GradientBuffers(Backend backend, TensorScope scope, Map<String, long[]> shapes, Map<String, Integer> readers) {
        this.backend = backend;
        this.kernels = backend.network();
        this.scope = scope;
        this.shapes = shapes;
        this.readers = readers;
    }

    /** Allocates a gradient buffer for each of {@code values}. */
    void allocate(Map<String, Tensor> values) {
        values.forEach((name, t) -> grads.put(name, scope.allocate(backend, t.shape())));
    }

    /** The gradient buffer of {@code value}, or null. */
    Tensor of(String value) {
        return grads.get(value);
    }

    /** Where a node's backward writes its contribution to d loss / d {@code value} (null if none). */
    Tensor target(String value) {
        if (value.isEmpty() || !grads.containsKey(value)) {
            return null;
        }
        return readers.getOrDefault(value, 0) == 1 ? grads.get(value) : scope.allocate(backend, shapes.get(value));
    }

    /** Adds a node's backward step: {@code compute} fills {@code targets}, which are then summed into place. */
    void add(Runnable compute, String[] inputs, Tensor[] targets) {
        List<Runnable> commits = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            commits.add(accumulate(inputs[i], targets[i]));
        }
        steps.add(() -> {
            compute.run();
            commits.forEach(Runnable::run);
        });
    }

    private Runnable accumulate(String value, Tensor target) {
        if (target == null || target == grads.get(value)) {
            return () -> { };
        }
        Tensor g = grads.get(value);
        long[] s = shapes.get(value);
        return () -> kernels.binary(Binary.ADD, g, s, target, s, g, s);
    }

    /** Zeroes every gradient, seeds {@code seeded} with {@code seed}, and runs the steps in reverse order. */
    void run(Set<String> seeded, Consumer<String> seed) {
        grads.values().forEach(g -> kernels.fill(g, 0f));
        seeded.forEach(seed);
        for (int i = steps.size() - 1; i >= 0; i--) {
            steps.get(i).run();
        }
    }
}
