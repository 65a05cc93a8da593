package io.github.fcpts4j.backend.cuda;

import static io.github.fcpts4j.backend.cuda.CudaErrors.checkCublas;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;

/**
 * y[m, n] = op(a) op(b) (+ bias[n]) through cublasSgemm on row-major data.
 * cuBLAS is column-major, and a row-major [r, c] matrix is the column-major
 * [c, r] matrix of its transpose, so the plan computes
 *   y^T (n x m) = op(b)^T (n x k) * op(a)^T (k x m)
 * with b first: opB = N / ldb = n for b [k, n] (T / ldb = k for b stored [n, k]),
 * opA = N / lda = k for a [m, k] (T / lda = m for a stored [k, m]), ldy = n.
 * The bias is added by the epilogue kernel over y viewed as [m, n, 1].
 */
final class CublasMatMulPlan implements NetworkKernels.MatMulPlan {
    private final CudaNetworkKernels kernels;
    private final int m, k, n, opA, opB, lda, ldb;
    private final boolean withBias;
    private boolean closed;

    CublasMatMulPlan(CudaNetworkKernels kernels, long m, long k, long n, boolean transposeA, boolean transposeB,
                     boolean withBias) {
        this.kernels = kernels;
        this.m = dim(m, "m");
        this.k = dim(k, "k");
        this.n = dim(n, "n");
        this.opA = transposeA ? CUBLAS_OP_T : CUBLAS_OP_N;
        this.opB = transposeB ? CUBLAS_OP_T : CUBLAS_OP_N;
        this.lda = Math.max(1, transposeA ? this.m : this.k);
        this.ldb = Math.max(1, transposeB ? this.k : this.n);
        this.withBias = withBias;
    }

    @Override
    public void forward(Tensor a, Tensor b, Tensor bias, Tensor y) {
        if (closed) {
            throw new IllegalStateException("matmul plan used after close()");
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            kernels.fill(y, 0f);
        } else {
            checkCublas(cublasSgemm_v2(kernels.cublas(), opB, opA, n, m, k, kernels.one(), CudaNetworkKernels.dev(b),
                    ldb, CudaNetworkKernels.dev(a), lda, kernels.zero(), CudaNetworkKernels.dev(y), n),
                    "cublasSgemm (" + m + " x " + k + " x " + n + ")");
        }
        if (withBias && bias != null) {
            kernels.call(CudaNatives.fcpts_conv_epilogue_cuda(CudaNetworkKernels.dev(y), CudaNetworkKernels.dev(bias),
                    null, m, n, 1, ConvActivation.NONE.ordinal(), 0, 0, kernels.stream(), kernels.status()),
                    "fcpts_conv_epilogue_cuda (matmul bias)");
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private static int dim(long v, String what) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, "matmul: " + what + " = " + v
                    + " does not fit cuBLAS's 32-bit sizes");
        }
        return (int) v;
    }
}
