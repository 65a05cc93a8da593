package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.WindowGeometry;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * A sparse 2-D convolution on the CPU, a native plan built once per layer
 * (native/include/fcpts/sparse_cpu.h): CSR weight with per-weight input
 * offsets, staging buffer (the padded input in stride x stride phase planes),
 * fused epilogue {@code y = act(conv(x) + bias + residual)}. Runs on cpu
 * tensors in place, or on host arrays through staging buffers made on first
 * use. Owns its native memory: close it; use after close throws.
 */
public final class CpuSparseConvPlan implements NetworkKernels.SparseConvPlan {
    private final WindowGeometry g;
    private final boolean withResidual;
    private CpuNatives.SparseConvHandle handle;
    private FloatPointer hostIn;
    private FloatPointer hostOut;
    private final CpuNatives.Status status = new CpuNatives.Status();

    /**
     * @param rowPtr       [outChannels + 1], colIdx / values [nnz]: the weight [c_out, c_in / groups x kh x kw] in CSR
     * @param bias         [c_out] or null
     * @param withResidual whether {@link #forward(Tensor, Tensor, Tensor)} adds a residual input
     * @param clipLo       lower bound of {@link ConvActivation#CLIP} (ignored otherwise)
     */
    public CpuSparseConvPlan(WindowGeometry g, int[] rowPtr, int[] colIdx, float[] values, float[] bias,
                             boolean withResidual, ConvActivation activation, float clipLo, float clipHi, int threads) {
        this.g = g;
        this.withResidual = withResidual;
        CpuNatives.SparseConvHandle h = new CpuNatives.SparseConvHandle();
        try (LongPointer geometry = new LongPointer(g.toArray());
             IntPointer rp = new IntPointer(rowPtr);
             IntPointer ci = new IntPointer(Math.max(1, colIdx.length)).put(colIdx);
             FloatPointer v = new FloatPointer(Math.max(1, values.length)).put(values);
             FloatPointer b = bias == null ? null : new FloatPointer(bias)) {
            CpuKernels.check(CpuNatives.fcpts_sparse_conv_create(geometry, rp, ci, v, b, activation.ordinal(),
                    clipLo, clipHi, threads, h, status), status, "fcpts_sparse_conv_create");
        }
        this.handle = h;
    }

    private CpuNatives.SparseConvHandle live() {
        if (handle == null) {
            throw new IllegalStateException("sparse conv plan is closed");
        }
        return handle;
    }

    /** y = act(conv(x) + bias + residual) on cpu tensors; residual null unless the plan was made with one. */
    @Override
    public void forward(Tensor x, Tensor residual, Tensor y) {
        if ((residual != null) != withResidual) {
            throw new IllegalArgumentException("sparse conv plan " + (withResidual ? "needs" : "takes no")
                    + " residual input");
        }
        CpuKernels.check(CpuNatives.fcpts_sparse_conv_forward(live(), x.storage(CpuStorage.class).pointer(),
                residual == null ? null : residual.storage(CpuStorage.class).pointer(),
                y.storage(CpuStorage.class).pointer(), status), status, "fcpts_sparse_conv_forward");
    }

    /** y [n, c_out, outH, outW] = act(conv(x [n, c, h, w]) + bias), host arrays (a plan without residual). */
    public void forward(float[] x, float[] y) {
        live();
        if (withResidual) {
            throw new IllegalArgumentException("sparse conv plan needs a residual input: use the tensor form");
        }
        long in = g.batch() * g.channels() * g.height() * g.width();
        long out = g.batch() * g.outChannels() * g.outHeight() * g.outWidth();
        if (hostIn == null) {
            hostIn = new FloatPointer(in);
            hostOut = new FloatPointer(out);
        }
        hostIn.put(x, 0, (int) in);
        CpuKernels.check(CpuNatives.fcpts_sparse_conv_forward(handle, hostIn, null, hostOut, status), status,
                "fcpts_sparse_conv_forward");
        hostOut.get(y, 0, (int) out);
    }

    @Override
    public void close() {
        CpuNatives.SparseConvHandle h = handle;
        handle = null;
        if (h != null) {
            CpuNatives.fcpts_sparse_conv_destroy(h);
        }
        for (FloatPointer p : new FloatPointer[] {hostIn, hostOut}) {
            if (p != null) {
                p.close();
            }
        }
        hostIn = null;
        hostOut = null;
        status.close();
    }
}
