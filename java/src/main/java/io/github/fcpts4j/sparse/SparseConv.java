package io.github.fcpts4j.sparse;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.cpu.CpuSparseConvPlan;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.Windows;

/**
 * One 2-D convolution with a pruned weight, computed on the CPU from its CSR
 * form (sparse runtime, issue 5): per image and group,
 * <pre>
 *   Y_g [C_out/g, OH*OW] = W_g (CSR) x im2col(x_g) [C_in/g * k_h * k_w, OH*OW]  (+ bias)
 * </pre>
 * A 1x1 convolution with stride 1 and no padding skips im2col (the input
 * planes already are the columns). Built once per layer and input shape;
 * owns a native plan (close it).
 */
public final class SparseConv implements AutoCloseable {
    private final CsrMatrix weight;
    private final float[] bias;
    private final long[] inputShape;
    private final int groups;
    private final long kh;
    private final long kw;
    private final long[][] windows;
    private final CpuSparseConvPlan plan;

    /**
     * @param inputShape [N, C, H, W] of the conv's input
     * @param threads    OpenMP threads (0 = all)
     */
    public SparseConv(Graph graph, Node conv, long[] inputShape, int threads) {
        if (conv.op() != OpType.CONV || inputShape.length != 4) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, conv.describe()
                    + ": the sparse runtime handles 2-D Conv only");
        }
        TensorData w = graph.initializer(conv.input(1)).orElseThrow(() -> new FcptsException(
                ErrorCode.UNSUPPORTED_MODEL, conv.describe() + ": weight '" + conv.input(1) + "' is not a constant"));
        long[] d = w.dims();
        this.groups = (int) conv.attributes().getInt("group", 1);
        this.kh = d[2];
        this.kw = d[3];
        this.weight = CsrMatrix.of(w.floats(), (int) d[0], (int) (d[1] * d[2] * d[3]));
        this.bias = conv.inputs().size() > 2 && !conv.input(2).isEmpty()
                ? graph.initializer(conv.input(2)).orElseThrow().floats() : null;
        this.inputShape = inputShape.clone();
        this.windows = Windows.of(conv, inputShape, new long[] {kh, kw}, false);
        if (inputShape[1] != d[1] * groups) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, conv.describe() + ": input has " + inputShape[1]
                    + " channels, weight expects " + d[1] * groups);
        }
        this.plan = new CpuSparseConvPlan(new CpuSparseConvPlan.Geometry(inputShape[0], inputShape[1],
                inputShape[2], inputShape[3], kh, kw, windows[0][3], windows[1][3], windows[0][1], windows[1][1],
                windows[0][4], windows[1][4], windows[0][0], windows[1][0], groups), weight.rows(), weight.columns(),
                weight.rowPtr(), weight.colIdx(), weight.values(), bias, threads);
    }

    public CsrMatrix weight() {
        return weight;
    }

    /** [N, C_out, OH, OW]. */
    public long[] outputShape() {
        return new long[] {inputShape[0], weight.rows(), windows[0][0], windows[1][0]};
    }

    /** y = conv(x), x [N, C, H, W] row-major; returns y [N, C_out, OH, OW]. */
    public float[] forward(float[] x) {
        long[] out = outputShape();
        float[] y = new float[(int) (out[0] * out[1] * out[2] * out[3])];
        plan.forward(x, y);
        return y;
    }

    /** Writes conv(x) into {@code y} (no allocation; for benchmarks and executors). */
    public void forward(float[] x, float[] y) {
        plan.forward(x, y);
    }

    @Override
    public void close() {
        plan.close();
    }
}
