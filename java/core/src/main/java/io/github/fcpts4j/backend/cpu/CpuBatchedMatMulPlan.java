package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;

import org.bytedeco.javacpp.FloatPointer;

/**
 * y[b] = op(a[b]) op(b[b]) on the CPU (see {@link NetworkKernels.BatchedMatMulPlan}): a oneDNN matmul
 * primitive with a batch dimension, built once per shape (native/src/dnnl_plans_cpu.cpp,
 * fcpts_batched_matmul_plan_create of native/include/fcpts/ops_cpu.h). A shared b is oneDNN's broadcast of a
 * batch-1 weights operand. Owns the primitive: close it (idempotent); use after close throws.
 */
public final class CpuBatchedMatMulPlan implements NetworkKernels.BatchedMatMulPlan {
    private final long aElements, bElements, yElements;
    private final CpuNatives.Status status = new CpuNatives.Status();
    private CpuNatives.DnnlPlan handle;

    public CpuBatchedMatMulPlan(long batch, long m, long k, long n, boolean transposeA, boolean transposeB,
                                boolean sharedB, int threads) {
        this.aElements = batch * m * k;
        this.bElements = (sharedB ? 1 : batch) * k * n;
        this.yElements = batch * m * n;
        CpuNatives.DnnlPlan h = new CpuNatives.DnnlPlan();
        try {
            CpuKernels.check(CpuNatives.fcpts_batched_matmul_plan_create(batch, m, k, n, transposeA ? 1 : 0,
                    transposeB ? 1 : 0, sharedB ? 1 : 0, threads, h, status), status,
                    "fcpts_batched_matmul_plan_create");
        } catch (RuntimeException e) {
            status.close();
            throw e;
        }
        this.handle = h;
    }

    private static FloatPointer host(Tensor t, long elements, String what) {
        if (t.size() != elements) {
            throw new IllegalArgumentException("batched matmul " + what + ": " + t + " is not " + elements
                    + " elements");
        }
        return t.storage(CpuStorage.class).pointer();
    }

    @Override
    public void forward(Tensor a, Tensor b, Tensor y) {
        if (handle == null) {
            throw new IllegalStateException("batched matmul plan used after close()");
        }
        CpuKernels.check(CpuNatives.fcpts_batched_matmul_forward(handle, host(a, aElements, "a"),
                host(b, bElements, "b"), host(y, yElements, "y"), status), status, "fcpts_batched_matmul_forward");
    }

    @Override
    public void close() {
        CpuNatives.DnnlPlan h = handle;
        handle = null;
        if (h != null) {
            CpuNatives.fcpts_dnnl_plan_destroy(h);
            status.close();
        }
    }
}
