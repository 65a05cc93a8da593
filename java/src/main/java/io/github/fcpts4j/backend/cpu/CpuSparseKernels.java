package io.github.fcpts4j.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Host-array entry points of the CPU sparse kernels (native/include/fcpts/sparse_cpu.h):
 * im2col and CSR x dense. Arrays are copied into native memory per call; the
 * sparse runtime's plans will keep them native. Threads: 0 = all.
 */
public final class CpuSparseKernels {
    private CpuSparseKernels() {
    }

    /** col [channels * kh * kw, outH * outW] of one image's channels x [channels, h, w] starting at xOffset. */
    public static void im2col(float[] x, int xOffset, long channels, long h, long w, long kh, long kw, long strideH,
                              long strideW, long padTop, long padLeft, long dilationH, long dilationW, long outH,
                              long outW, float[] col, int threads) {
        try (PointerScope scope = new PointerScope()) {
            FloatPointer in = new FloatPointer(channels * h * w);
            in.put(x, xOffset, (int) (channels * h * w));
            FloatPointer out = new FloatPointer(col.length);
            CpuNatives.Status status = new CpuNatives.Status();
            CpuKernels.check(CpuNatives.fcpts_im2col_cpu(in, channels, h, w, kh, kw, strideH, strideW, padTop,
                    padLeft, dilationH, dilationW, outH, outW, out, threads, status), status, "fcpts_im2col_cpu");
            out.get(col);
        }
    }

    /**
     * y[(m - rowBegin) * n + j] = bias[m] + sum over row m of values[p] * b[colIdx[p] * n + j], written into
     * {@code y} at {@code yOffset}; bias may be null.
     */
    public static void csrTimesDense(int rowBegin, int rowEnd, int[] rowPtr, int[] colIdx, float[] values,
                                     float[] bias, float[] b, int n, float[] y, int yOffset, int threads) {
        try (PointerScope scope = new PointerScope()) {
            IntPointer rp = new IntPointer(rowPtr), ci = new IntPointer(Math.max(1, colIdx.length));
            ci.put(colIdx);
            FloatPointer v = new FloatPointer(Math.max(1, values.length));
            v.put(values);
            FloatPointer bp = bias == null ? null : new FloatPointer(bias);
            FloatPointer dense = new FloatPointer(b);
            FloatPointer out = new FloatPointer((long) (rowEnd - rowBegin) * n);
            CpuNatives.Status status = new CpuNatives.Status();
            CpuKernels.check(CpuNatives.fcpts_csr_spmm_cpu(rowBegin, rowEnd, rp, ci, v, bp, dense, n, out, threads,
                    status), status, "fcpts_csr_spmm_cpu");
            out.get(y, yOffset, (rowEnd - rowBegin) * n);
        }
    }
}
