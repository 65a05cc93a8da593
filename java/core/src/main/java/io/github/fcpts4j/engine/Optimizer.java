package io.github.fcpts4j.engine;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum or Adam over the parameters of a {@link NetworkExecutor},
 * updated in place on its backend from the gradients of the last backward
 * (formulas: native/include/fcpts/optim_cpu.h). Per-group weight decay and
 * learning-rate scale; an optional 0/1 mask per parameter is the gradient
 * masking hook: masked weights get no update, so pruned weights stay zero.
 * Owns its state buffers; close it.
 */
public final class Optimizer implements AutoCloseable {

    /** The update rule and its constants. */
    public sealed interface Rule permits Sgd, Adam {
    }

    /** SGD with (heavy-ball) momentum, PyTorch semantics. */
    public record Sgd(float momentum) implements Rule {
    }

    /** Adam with bias correction. */
    public record Adam(float beta1, float beta2, float epsilon) implements Rule {
        public static Adam defaults() {
            return new Adam(0.9f, 0.999f, 1e-8f);
        }
    }

    private record Slot(Tensor weights, Tensor gradients, Tensor first, Tensor second, Tensor mask, float weightDecay,
                        float lrScale) {
    }

    private final NetworkKernels kernels;
    private final Rule rule;
    private final TensorScope state = new TensorScope();
    private final List<Slot> slots = new ArrayList<>();
    private long steps;

    /**
     * @param masks optional 0/1 masks by parameter name (same shape as the parameter); others are unmasked
     */
    public Optimizer(NetworkExecutor network, Rule rule, List<ParameterGroup> groups, Map<String, Tensor> masks) {
        this.rule = rule;
        this.kernels = network.backend().network();
        try {
            for (ParameterGroup g : groups) {
                for (String p : g.parameters()) {
                    Tensor w = network.value(p);
                    Tensor first = state.allocate(network.backend(), w.shape());
                    Tensor second = rule instanceof Adam ? state.allocate(network.backend(), w.shape()) : null;
                    Tensor mask = masks.get(p);
                    if (mask != null && mask.size() != w.size()) {
                        throw new IllegalArgumentException("mask of '" + p + "' holds " + mask.size()
                                + " values, the parameter " + w.size());
                    }
                    slots.add(new Slot(w, network.gradientTensor(p), first, second, mask, g.weightDecay(),
                            g.learningRateScale()));
                }
            }
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    /** Applies one update with learning rate {@code lr} (times each group's scale). */
    public void step(float lr) {
        steps++;
        for (Slot s : slots) {
            float rate = lr * s.lrScale;
            if (rule instanceof Sgd sgd) {
                kernels.sgdStep(s.weights, s.gradients, s.first, s.mask, rate, sgd.momentum(), s.weightDecay);
            } else {
                Adam adam = (Adam) rule;
                kernels.adamStep(s.weights, s.gradients, s.first, s.second, s.mask, rate, adam.beta1(), adam.beta2(),
                        adam.epsilon(), s.weightDecay, steps);
            }
        }
    }

    /** Number of updates applied so far. */
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        state.close();
    }
}
