package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * A sparse fully connected layer on the CPU, a native plan built once
 * (native/include/fcpts/sparse_cpu.h): {@code y [batch, out] = x [batch, in] W^T + bias}
 * with W [out, in] in CSR, on cpu tensors in place. Owns its native memory:
 * close it; use after close throws.
 */
public final class CpuSparseLinearPlan implements NetworkKernels.SparseLinearPlan {
    private CpuNatives.SparseLinearHandle handle;
    private final CpuNatives.Status status = new CpuNatives.Status();

    /** @param bias [out] or null */
    public CpuSparseLinearPlan(long batch, long in, long out, int[] rowPtr, int[] colIdx, float[] values, float[] bias,
                               int threads) {
        CpuNatives.SparseLinearHandle h = new CpuNatives.SparseLinearHandle();
        try (IntPointer rp = new IntPointer(rowPtr);
             IntPointer ci = new IntPointer(Math.max(1, colIdx.length)).put(colIdx);
             FloatPointer v = new FloatPointer(Math.max(1, values.length)).put(values);
             FloatPointer b = bias == null ? null : new FloatPointer(bias)) {
            CpuKernels.check(CpuNatives.fcpts_sparse_linear_create(batch, in, out, rp, ci, v, b, threads, h, status),
                    status, "fcpts_sparse_linear_create");
        }
        this.handle = h;
    }

    /** y = x W^T + bias on cpu tensors. */
    @Override
    public void forward(Tensor x, Tensor y) {
        if (handle == null) {
            throw new IllegalStateException("sparse linear plan is closed");
        }
        CpuKernels.check(CpuNatives.fcpts_sparse_linear_forward(handle, x.storage(CpuStorage.class).pointer(),
                y.storage(CpuStorage.class).pointer(), status), status, "fcpts_sparse_linear_forward");
    }

    @Override
    public void close() {
        CpuNatives.SparseLinearHandle h = handle;
        handle = null;
        if (h != null) {
            CpuNatives.fcpts_sparse_linear_destroy(h);
            status.close();
        }
    }
}
