package io.github.fcpts4j.sparse;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.cpu.CpuSparseLinearPlan;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ops.LinearForm;
import io.github.fcpts4j.ir.ops.Ops;

import java.util.List;

/**
 * A fully connected layer with a pruned constant weight, computed from CSR by
 * the backend's sparse kernel (sparse runtime; the CPU has one): ONNX {@code Gemm} ({@code Y = alpha A B' + beta C},
 * transA = 0, C absent or a constant of one value per output) or
 * {@code MatMul} with a constant right operand, on a 2-D input
 * [batch, in]: {@code y[n, m] = bias[m] + sum_k W[m, k] x[n, k]} with
 * W = alpha B' and bias = beta C. Owns a native plan (close it).
 */
public final class SparseLinear implements PlanLayer {
    private final Node node;
    private final CsrMatrix weight;
    private final NetworkKernels.SparseLinearPlan plan;

    /** Whether {@code n} is a layer this class computes (input shape [batch, in], constant weight). */
    public static boolean supports(Graph g, Node n, long[] inputShape) {
        LinearForm form = Ops.of(n.op()).linearForm(n);
        if (form == null || form.transA() || inputShape.length != 2
                || g.initializer(n.input(1)).map(d -> !d.isFloat() || d.rank() != 2).orElse(true)) {
            return false;
        }
        if (form.bias() < 0) {
            return true;
        }
        long outputs = g.initializer(n.input(1)).orElseThrow().dims()[form.transB() ? 0 : 1];
        return g.initializer(n.input(form.bias())).map(c -> c.isFloat() && c.size() == outputs).orElse(false);
    }

    /**
     * On the CPU with {@code threads} OpenMP threads (0 = all).
     *
     * @param inputShape [batch, in] of the layer's input
     */
    public SparseLinear(Graph g, Node n, long[] inputShape, int threads) {
        this(g, n, inputShape, (batch, in, out, w, bias) -> new CpuSparseLinearPlan(batch, in, out, w.rowPtr(),
                w.colIdx(), w.values(), bias, threads));
    }

    /** On {@code backend}'s tensors; only where {@code backend.network().supportsSparseLinear()}. */
    public SparseLinear(Graph g, Node n, long[] inputShape, Backend backend) {
        this(g, n, inputShape, (batch, in, out, w, bias) -> backend.network().sparseLinear(batch, in, out,
                w.rowPtr(), w.colIdx(), w.values(), bias));
    }

    private interface PlanFactory {
        NetworkKernels.SparseLinearPlan make(long batch, long in, long out, CsrMatrix weight, float[] bias);
    }

    private SparseLinear(Graph g, Node n, long[] inputShape, PlanFactory factory) {
        if (!supports(g, n, inputShape)) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, n.describe() + ": the sparse runtime handles Gemm "
                    + "(transA = 0, per-output bias) and MatMul with a constant 2-D weight on a 2-D input");
        }
        LinearForm form = Ops.of(n.op()).linearForm(n);
        TensorData b = g.initializer(n.input(1)).orElseThrow();
        boolean transB = form.transB();
        float alpha = form.alpha(), beta = form.beta();
        long[] d = b.dims();
        int out = (int) (transB ? d[0] : d[1]), in = (int) (transB ? d[1] : d[0]);
        if (inputShape[1] != in) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, n.describe() + ": input has " + inputShape[1]
                    + " features, weight expects " + in);
        }
        float[] src = b.floats(), w = new float[out * in];
        for (int m = 0; m < out; m++) {
            for (int k = 0; k < in; k++) {
                w[m * in + k] = alpha * (transB ? src[m * in + k] : src[k * out + m]);
            }
        }
        float[] bias = null;
        if (form.bias() >= 0) {
            bias = g.initializer(n.input(form.bias())).orElseThrow().floats();
            for (int m = 0; m < bias.length; m++) {
                bias[m] *= beta;
            }
        }
        this.node = n;
        this.weight = CsrMatrix.of(w, out, in);
        this.plan = factory.make(inputShape[0], in, out, weight, bias);
    }

    public CsrMatrix weight() {
        return weight;
    }

    @Override
    public List<String> nodes() {
        return List.of(node.name());
    }

    @Override
    public List<String> inputs() {
        return List.of(node.input(0));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor output) {
        plan.forward(inputs[0], output);
    }

    @Override
    public void close() {
        plan.close();
    }
}
