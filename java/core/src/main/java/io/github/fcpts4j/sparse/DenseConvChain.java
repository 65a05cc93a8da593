package io.github.fcpts4j.sparse;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;

import java.util.ArrayList;
import java.util.List;

/**
 * The dense path of a {@link ConvChain}: one oneDNN convolution with the
 * weight packed once and the epilogue as post-ops,
 * {@code y = act(conv(x, W) + bias + residual)}, reading the executor's own
 * weight tensors (inputs: x, W, [bias], [residual]). Owns its plan (close it). One thread at a time: the
 * plan holds its reorder buffers and scratchpad.
 */
public final class DenseConvChain implements PlanLayer {
    private final ConvChain chain;
    private final List<String> inputs = new ArrayList<>();
    private final NetworkKernels.FusedConvPlan plan;
    private final boolean withBias;

    public DenseConvChain(Graph graph, ConvChain chain, long[] inputShape, Backend backend) {
        this.chain = chain;
        this.withBias = chain.bias() != null;
        inputs.add(chain.conv().input(0));
        inputs.add(chain.conv().input(1));
        if (withBias) {
            inputs.add(chain.bias());
        }
        if (chain.residual() != null) {
            inputs.add(chain.residual());
        }
        this.plan = backend.network().fusedConv(chain.geometry(graph, inputShape), withBias, chain.residual() != null,
                chain.activation(), chain.lo(), chain.hi());
    }

    @Override
    public List<String> nodes() {
        return chain.nodes().stream().map(Node::name).toList();
    }

    @Override
    public List<String> inputs() {
        return List.copyOf(inputs);
    }

    @Override
    public void forward(Tensor[] in, Tensor output) {
        Tensor bias = withBias ? in[2] : null;
        Tensor residual = chain.residual() == null ? null : in[in.length - 1];
        plan.forward(in[0], in[1], bias, residual, output);
    }

    @Override
    public void close() {
        plan.close();
    }
}
