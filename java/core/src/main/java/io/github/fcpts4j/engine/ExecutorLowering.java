package io.github.fcpts4j.engine;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ops.Lowering;

import java.util.Map;

/**
 * An executor's side of op lowering: its value tensors, its gradient buffers (null without gradients),
 * the scope that owns what ops allocate, and the run-time mode (training, BatchNorm momentum) that their
 * steps read when they run.
 */
final class ExecutorLowering implements Lowering {
    private final Graph graph;
    private final Backend backend;
    private final Map<String, long[]> shapes;
    private final Map<String, Tensor> values;
    private final GradientBuffers grads;
    private final TensorScope scope;
    private final boolean constantWeights;
    private boolean training;
    private Float momentumOverride;

    ExecutorLowering(Graph graph, Backend backend, Map<String, long[]> shapes, Map<String, Tensor> values,
                     GradientBuffers grads, TensorScope scope, boolean constantWeights) {
        this.graph = graph;
        this.backend = backend;
        this.shapes = shapes;
        this.values = values;
        this.grads = grads;
        this.scope = scope;
        this.constantWeights = constantWeights;
    }

    void setTraining(boolean training) {
        this.training = training;
    }

    void setMomentumOverride(Float momentum) {
        this.momentumOverride = momentum;
    }

    @Override
    public NetworkKernels kernels() {
        return backend.network();
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        backend.copy(src, dst);
    }

    @Override
    public Tensor value(String name) {
        Tensor t = values.get(name);
        if (t == null) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, "value '" + name
                    + "' is not a float tensor of graph '" + graph.name() + "'");
        }
        return t;
    }

    @Override
    public Tensor optional(String name) {
        return name.isEmpty() ? null : value(name);
    }

    @Override
    public long[] shape(String value) {
        return shapes.get(value);
    }

    @Override
    public TensorData constant(String value) {
        return value.isEmpty() ? null : graph.initializer(value).orElse(null);
    }

    @Override
    public boolean gradients() {
        return grads != null;
    }

    @Override
    public Tensor gradient(String value) {
        return grads == null ? null : grads.of(value);
    }

    @Override
    public Tensor gradientTarget(String input) {
        return grads == null ? null : grads.target(input);
    }

    @Override
    public void backward(Runnable compute, String[] inputs, Tensor[] targets) {
        if (grads != null) {
            grads.add(compute, inputs, targets);
        }
    }

    @Override
    public Tensor allocate(long... shape) {
        return scope.allocate(backend, shape);
    }

    @Override
    public <T extends AutoCloseable> T track(T resource) {
        return scope.track(resource);
    }

    @Override
    public float constantScalar(Node n, int input, float fallback) {
        String name = n.input(input);
        if (name.isEmpty()) {
            return fallback;
        }
        TensorData c = graph.initializer(name).orElseThrow(() -> new FcptsException(ErrorCode.UNSUPPORTED_MODEL,
                n.describe() + ": input " + input + " ('" + name + "') must be a constant"));
        return (float) c.get(0);
    }

    @Override
    public boolean constantWeights() {
        return constantWeights;
    }

    @Override
    public boolean training() {
        return training;
    }

    @Override
    public float batchNormMomentum(float graphMomentum) {
        return momentumOverride != null ? momentumOverride : graphMomentum;
    }
}
