package io.github.fcpts4j.sparse;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.backend.cpu.CpuSparseConvPlan;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.List;

/**
 * One 2-D convolution with a pruned weight and its fused epilogue, computed
 * from the weight's CSR form (sparse runtime):
 * <pre>
 *   y = act( W (CSR) * x + bias + residual )      (a {@link ConvChain})
 * </pre>
 * On the CPU the input is staged once per call as phase planes of the padded
 * input, so every stored weight multiplies a contiguous run of it, for any
 * stride (native/include/fcpts/sparse_cpu.h); on cuda it is im2col + cuSPARSE
 * SpMM (native/include/fcpts/sparse_cuda.h). Built once per layer
 * and input shape; as a {@link io.github.fcpts4j.engine.LayerOverride} it replaces the chain's nodes in an
 * inference executor. Owns a native plan (close it). One thread at a time: the plan stages every call's
 * input in a buffer of its own ({@link SparsePlan} gives each concurrent caller its own layers).
 */
public final class SparseConv implements PlanLayer {
    private final ConvChain chain;
    private final CsrMatrix weight;
    private final long[] outputShape;
    private final NetworkKernels.SparseConvPlan plan;

    /** The conv alone, without epilogue. */
    public SparseConv(Graph graph, Node conv, long[] inputShape, int threads) {
        this(graph, ConvChain.of(conv), inputShape, threads);
    }

    /**
     * On the CPU, with host-array {@link #forward(float[])} available.
     *
     * @param inputShape [N, C, H, W] of the conv's input
     * @param threads    OpenMP threads (0 = all)
     */
    public SparseConv(Graph graph, ConvChain chain, long[] inputShape, int threads) {
        this(graph, chain, inputShape, (g, w, bias) -> new CpuSparseConvPlan(g, w.rowPtr(), w.colIdx(), w.values(),
                bias, chain.residual() != null, chain.activation(), chain.lo(), chain.hi(), threads));
    }

    /** On {@code backend}'s tensors (cpu: the native CSR kernel; cuda: cuSPARSE SpMM, groups 1). */
    public SparseConv(Graph graph, ConvChain chain, long[] inputShape, Backend backend) {
        this(graph, chain, inputShape, (g, w, bias) -> backend.network().sparseConv(g, w.rowPtr(), w.colIdx(),
                w.values(), bias, chain.residual() != null, chain.activation(), chain.lo(), chain.hi()));
    }

    private interface PlanFactory {
        NetworkKernels.SparseConvPlan make(WindowGeometry g, CsrMatrix weight, float[] bias);
    }

    private SparseConv(Graph graph, ConvChain chain, long[] inputShape, PlanFactory factory) {
        Node conv = chain.conv();
        if (conv.op() != OpType.CONV || inputShape.length != 4) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, conv.describe()
                    + ": the sparse runtime handles 2-D Conv only");
        }
        TensorData w = graph.initializer(conv.input(1)).orElseThrow(() -> new FcptsException(
                ErrorCode.UNSUPPORTED_MODEL, conv.describe() + ": weight '" + conv.input(1) + "' is not a constant"));
        long[] d = w.dims();
        long groups = conv.attributes().getInt("group", 1);
        if (inputShape[1] != d[1] * groups) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, conv.describe() + ": input has " + inputShape[1]
                    + " channels, weight expects " + d[1] * groups);
        }
        this.chain = chain;
        this.weight = CsrMatrix.of(w.floats(), (int) d[0], (int) (d[1] * d[2] * d[3]));
        float[] bias = chain.bias() == null ? null : graph.initializer(chain.bias()).orElseThrow().floats();
        WindowGeometry g = chain.geometry(graph, inputShape);
        this.outputShape = new long[] {g.batch(), g.outChannels(), g.outHeight(), g.outWidth()};
        this.plan = factory.make(g, weight, bias);
    }

    public CsrMatrix weight() {
        return weight;
    }

    public ConvChain chain() {
        return chain;
    }

    /** [N, C_out, OH, OW]. */
    public long[] outputShape() {
        return outputShape.clone();
    }

    /** y = conv(x) (+ bias, activation; not for chains with a residual), x [N, C, H, W] row-major. */
    public float[] forward(float[] x) {
        float[] y = new float[(int) (outputShape[0] * outputShape[1] * outputShape[2] * outputShape[3])];
        forward(x, y);
        return y;
    }

    /** Writes the chain's output for x into {@code y} (no allocation; for benchmarks; CPU plans only). */
    public void forward(float[] x, float[] y) {
        if (!(plan instanceof CpuSparseConvPlan cpuPlan)) {
            throw new IllegalStateException(chain.conv().describe() + ": host arrays go through a CPU plan only; "
                    + "run a device plan on tensors");
        }
        cpuPlan.forward(x, y);
    }

    @Override
    public List<String> nodes() {
        return chain.nodes().stream().map(Node::name).toList();
    }

    @Override
    public List<String> inputs() {
        return chain.inputs();
    }

    @Override
    public void forward(Tensor[] inputs, Tensor output) {
        plan.forward(inputs[0], inputs.length > 1 ? inputs[1] : null, output);
    }

    @Override
    public void close() {
        plan.close();
    }
}
