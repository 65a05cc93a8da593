package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;

/**
 * What an {@link OpDefinition} lowers onto: the executor's tensors for every value, its backend's kernels,
 * and, when it computes gradients, the gradient buffers and the backward schedule. Implemented by the
 * execution engine; an op definition never sees how buffers are planned or gradients summed.
 */
public interface Lowering extends ShapeContext {

    NetworkKernels kernels();

    /** Copies {@code src} into {@code dst} on the backend (same element count). */
    void copy(Tensor src, Tensor dst);

    /** The tensor of a float value (graph input, weight or node output). */
    Tensor value(String name);

    /** {@link #value}, or null for an omitted optional input (""). */
    Tensor optional(String name);


    /** Whether the executor computes gradients (then {@link #backward} steps run). */
    boolean gradients();

    /** d loss / d {@code value} of a node's output (null without gradients). */
    Tensor gradient(String value);

    /**
     * Where this node's backward writes d loss / d {@code input} (null without gradients, for an omitted
     * input or a value that gets no gradient); pass it to {@link #backward} with the input's name.
     */
    Tensor gradientTarget(String input);

    /**
     * Registers this node's backward step: {@code compute} writes into {@code targets} (from
     * {@link #gradientTarget} of {@code inputs}, in the same order); the executor then sums them into
     * the inputs' gradients. Ignored without gradients.
     */
    void backward(Runnable compute, String[] inputs, Tensor[] targets);

    /** A tensor owned by the executor (scratch space, saved statistics). */
    Tensor allocate(long... shape);

    /** Makes the executor own {@code resource} (a plan): closed with it. */
    <T extends AutoCloseable> T track(T resource);

    /** Input {@code input} of {@code n} as a scalar constant, {@code fallback} when omitted. */
    float constantScalar(Node n, int input, float fallback);

    /** Whether the weights never change (serving): plans may keep pre-packed copies; no training mode. */
    boolean constantWeights();

    /** Run-time mode, read when a step runs: BatchNorm with batch statistics (training) or running ones. */
    boolean training();

    /** Run-time BatchNorm momentum: the executor's override if one is set, else {@code graphMomentum}. */
    float batchNormMomentum(float graphMomentum);
}
