package io.github.fcpts4j.backend.cuda;

import static io.github.fcpts4j.backend.cuda.CudaErrors.checkCublas;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.cublasSgemmStridedBatched;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;

/**
 * y[b] = op(a[b]) op(b[b]) for b < batch through one cublasSgemmStridedBatched call on row-major data, the
 * batched form of {@link CublasMatMulPlan}: per batch entry the column-major product
 *   y[b]^T (n x m) = op(b[b])^T (n x k) * op(a[b])^T (k x m)
 * with b first (opB = N / ldb = n for b [k, n], T / ldb = k for b stored [n, k]; opA = N / lda = k for a
 * [m, k], T / lda = m for a stored [k, m]; ldy = n), strides m k (a), k n (b; 0 when b is shared by every
 * batch entry) and m n (y) elements. Forward only (the backward is more batched products). No native state:
 * close only marks the plan closed.
 */
final class CudaBatchedMatMulPlan implements NetworkKernels.BatchedMatMulPlan {
    private final CudaNetworkKernels kernels;
    private final int batch, m, k, n, opA, opB, lda, ldb;
    private final long strideA, strideB, strideY;
    private final boolean sharedB;
    private boolean closed;

    CudaBatchedMatMulPlan(CudaNetworkKernels kernels, long batch, long m, long k, long n, boolean transposeA,
                          boolean transposeB, boolean sharedB) {
        this.kernels = kernels;
        this.batch = dim(batch, "batch");
        this.m = dim(m, "m");
        this.k = dim(k, "k");
        this.n = dim(n, "n");
        if (batch == 0 || m == 0 || k == 0 || n == 0) {
            throw new IllegalArgumentException("batched matmul dims must be > 0 (batch " + batch + ", m " + m
                    + ", k " + k + ", n " + n + ")");   // as the CPU plan
        }
        this.opA = transposeA ? CUBLAS_OP_T : CUBLAS_OP_N;
        this.opB = transposeB ? CUBLAS_OP_T : CUBLAS_OP_N;
        this.lda = transposeA ? this.m : this.k;
        this.ldb = transposeB ? this.k : this.n;
        this.strideA = m * k;
        this.strideB = sharedB ? 0 : k * n;
        this.strideY = m * n;
        this.sharedB = sharedB;
    }

    @Override
    public void forward(Tensor a, Tensor b, Tensor y) {
        if (closed) {
            throw new IllegalStateException("batched matmul plan used after close()");
        }
        check(a, (long) batch * strideA, "a");
        check(b, sharedB ? (long) k * n : (long) batch * strideB, "b");
        check(y, (long) batch * strideY, "y");
        checkCublas(cublasSgemmStridedBatched(kernels.cublas(), opB, opA, n, m, k, kernels.one(),
                CudaNetworkKernels.dev(b), ldb, strideB, CudaNetworkKernels.dev(a), lda, strideA, kernels.zero(),
                CudaNetworkKernels.dev(y), n, strideY, batch),
                "cublasSgemmStridedBatched (" + batch + " x " + m + " x " + k + " x " + n + ")");
    }

    private static void check(Tensor t, long elements, String what) {
        if (t.size() != elements) {
            throw new IllegalArgumentException("batched matmul " + what + ": " + t + " is not " + elements
                    + " elements");
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private static int dim(long v, String what) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, "batched matmul: " + what + " = " + v
                    + " does not fit cuBLAS's 32-bit sizes");
        }
        return (int) v;
    }
}
