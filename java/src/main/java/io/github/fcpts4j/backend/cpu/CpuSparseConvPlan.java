package io.github.fcpts4j.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * A sparse 2-D convolution on the CPU with everything native built once: the
 * CSR weight, the bias, an im2col buffer and the input / output staging
 * buffers (native/include/fcpts/sparse_cpu.h). Per call the input is copied
 * in and the output out; in between, per image and group, im2col then CSR x
 * dense (1x1 stride-1 unpadded convolutions skip im2col). Owns its native
 * memory: close it; use after close throws.
 */
public final class CpuSparseConvPlan implements AutoCloseable {
    /** Input [n, c, h, w], kernel, stride, padding (top, left) and dilation of the convolution. */
    public record Geometry(long n, long c, long h, long w, long kh, long kw, long strideH, long strideW,
                           long padTop, long padLeft, long dilationH, long dilationW, long outH, long outW,
                           int groups) {
    }

    private final Geometry g;
    private final int rows;
    private final int threads;
    private final boolean pointwise;
    private IntPointer rowPtr;
    private IntPointer colIdx;
    private FloatPointer values;
    private FloatPointer bias;
    private FloatPointer input;
    private FloatPointer col;
    private FloatPointer output;
    private final CpuNatives.Status status = new CpuNatives.Status();

    /**
     * @param rowPtr  [rows + 1], colIdx / values [nnz]: the weight [c_out, c_in / groups x kh x kw] in CSR
     * @param bias    [c_out] or null
     */
    public CpuSparseConvPlan(Geometry g, int rows, int columns, int[] rowPtr, int[] colIdx, float[] values,
                             float[] bias, int threads) {
        this.g = g;
        this.rows = rows;
        this.threads = threads;
        this.pointwise = g.kh() == 1 && g.kw() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padTop() == 0
                && g.padLeft() == 0 && g.outH() == g.h() && g.outW() == g.w();
        this.rowPtr = new IntPointer(rowPtr);
        this.colIdx = new IntPointer(Math.max(1, colIdx.length)).put(colIdx);
        this.values = new FloatPointer(Math.max(1, values.length)).put(values);
        this.bias = bias == null ? null : new FloatPointer(bias);
        this.input = new FloatPointer(g.n() * g.c() * g.h() * g.w());
        this.col = pointwise ? null : new FloatPointer((long) columns * g.outH() * g.outW());
        this.output = new FloatPointer(g.n() * rows * g.outH() * g.outW());
    }

    /** y [n, c_out, outH, outW] = conv(x [n, c, h, w]). */
    public void forward(float[] x, float[] y) {
        if (input == null) {
            throw new IllegalStateException("sparse conv plan is closed");
        }
        input.put(x, 0, (int) (g.n() * g.c() * g.h() * g.w()));
        long positions = g.outH() * g.outW(), cinPerGroup = g.c() / g.groups(), coutPerGroup = rows / g.groups();
        for (long image = 0; image < g.n(); image++) {
            for (int group = 0; group < g.groups(); group++) {
                long xOffset = (image * g.c() + group * cinPerGroup) * g.h() * g.w();
                FloatPointer columnsOf = pointwise ? input.getPointer(xOffset) : col;
                if (!pointwise) {
                    CpuKernels.check(CpuNatives.fcpts_im2col_cpu(input.getPointer(xOffset), cinPerGroup, g.h(),
                            g.w(), g.kh(), g.kw(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(),
                            g.dilationW(), g.outH(), g.outW(), col, threads, status), status, "fcpts_im2col_cpu");
                }
                long rowBegin = group * coutPerGroup;
                CpuKernels.check(CpuNatives.fcpts_csr_spmm_cpu(rowBegin, rowBegin + coutPerGroup, rowPtr, colIdx,
                        values, bias, columnsOf, positions, output.getPointer((image * rows + rowBegin) * positions),
                        threads, status), status, "fcpts_csr_spmm_cpu");
            }
        }
        output.get(y, 0, (int) (g.n() * rows * positions));
    }

    @Override
    public void close() {
        for (org.bytedeco.javacpp.Pointer p : new org.bytedeco.javacpp.Pointer[] {rowPtr, colIdx, values, bias,
                input, col, output, status}) {
            if (p != null) {
                p.close();
            }
        }
        rowPtr = null;
        colIdx = null;
        values = null;
        bias = null;
        input = null;
        col = null;
        output = null;
    }
}
