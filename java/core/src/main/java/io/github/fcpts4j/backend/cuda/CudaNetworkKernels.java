package io.github.fcpts4j.backend.cuda;

import static io.github.fcpts4j.backend.cuda.CudaErrors.checkCublas;
import static io.github.fcpts4j.backend.cuda.CudaErrors.checkCudnn;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Broadcast;
import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.WindowGeometry;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * GPU network operators: cuDNN convolutions ({@link CudnnConvPlan}), cuBLAS
 * matrix products ({@link CublasMatMulPlan}, batched: {@link CudaBatchedMatMulPlan}), index maps
 * ({@link CudaIndexMapPlan}) and the small kernels of
 * libfcpts_cuda (cuda-kernels/*.cu, C ABI in native/include/fcpts/ops_cuda.h),
 * all queued on the backend's one stream. Only the losses synchronize (they
 * return the loss value to the host). The cuDNN and cuBLAS handles are created
 * on first use, so a network without convolutions never loads cuDNN.
 * Single-threaded, like the backend that owns it.
 */
final class CudaNetworkKernels implements NetworkKernels, AutoCloseable {
    private final CudaMemoryPool pool;
    private final CUstream_st stream;
    private final boolean allowTf32;
    private final CudaNatives.Status status = new CudaNatives.Status();
    private final FloatPointer one = new FloatPointer(1f), zero = new FloatPointer(0f);
    private final DoublePointer hostLoss = new DoublePointer(1);
    private cudnnContext cudnnHandle;
    private cublasContext cublasHandle;
    private CudaBuffer workspace;
    private final java.util.Map<String, CudnnConvPlan.Choice> algorithms = new java.util.HashMap<>();
    private boolean closed;

    CudaNetworkKernels(CudaMemoryPool pool, CUstream_st stream, boolean allowTf32) {
        this.pool = pool;
        this.stream = stream;
        this.allowTf32 = allowTf32;
    }

    // ---- shared by the plans of this package ----

    static FloatPointer dev(Tensor t) {
        return t == null ? null : t.storage(CudaStorage.class).buffer().floats();
    }

    CUstream_st stream() {
        live();
        return stream;
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("cuda network kernels used after their backend was closed");
        }
    }

    /**
     * The workspace shared by the cuDNN plans of this backend, at least {@code bytes} long: grown (the old
     * block back to the pool) when a plan needs more. Safe to share because every plan runs on the one
     * stream: work queued with the old block is ordered before any later use of its memory.
     */
    CudaBuffer workspace(long bytes) {
        live();
        if (workspace == null || workspace.bytes() < bytes) {
            CudaBuffer old = workspace;
            workspace = null;
            if (old != null) {
                old.close();
            }
            workspace = buffer(bytes, "the cuDNN workspace");
        }
        return workspace;
    }

    /** The cuDNN algorithm chosen for {@code key} (direction and geometry), searched on first use only. */
    CudnnConvPlan.Choice algorithm(String key, java.util.function.Supplier<CudnnConvPlan.Choice> search) {
        live();
        CudnnConvPlan.Choice c = algorithms.get(key);
        if (c == null) {
            c = search.get();
            algorithms.put(key, c);
        }
        return c;
    }

    /** Runs {@code call}; after an out-of-memory failure frees the pool's cached blocks and runs it once more. */
    void retryAfterTrim(Runnable call) {
        try {
            call.run();
        } catch (FcptsException e) {
            if (e.code() != ErrorCode.OUT_OF_MEMORY || pool.bytesCached() == 0) {
                throw e;
            }
            org.bytedeco.cuda.global.cudart.cudaGetLastError();
            pool.trim();
            call.run();
        }
    }

    CudaNatives.Status status() {
        return status;
    }

    boolean allowTf32() {
        return allowTf32;
    }

    /** Host scalars 1 and 0 for the alpha / beta arguments of cuDNN and cuBLAS. */
    FloatPointer one() {
        return one;
    }

    FloatPointer zero() {
        return zero;
    }

    CudaBuffer buffer(long bytes, String purpose) {
        return new CudaBuffer(pool, bytes, purpose);
    }

    void call(int rc, String function) {
        CudaKernels.check(rc, status, function);
    }

    cudnnContext cudnn() {
        live();
        if (cudnnHandle == null) {
            cudnnContext h = new cudnnContext();
            try {
                checkCudnn(cudnn.cudnnCreate(h), "cudnnCreate");
            } catch (LinkageError e) {
                throw new FcptsException(ErrorCode.BACKEND_UNAVAILABLE, "cuDNN 9 could not be loaded (libcudnn.so.9 "
                        + "must be on the library path): " + e, e);
            }
            try {
                checkCudnn(cudnn.cudnnSetStream(h, stream), "cudnnSetStream");
            } catch (RuntimeException e) {
                cudnn.cudnnDestroy(h);
                throw e;
            }
            cudnnHandle = h;
        }
        return cudnnHandle;
    }

    cublasContext cublas() {
        live();
        if (cublasHandle == null) {
            cublasContext h = new cublasContext();
            try {
                checkCublas(cublas.cublasCreate_v2(h), "cublasCreate");
            } catch (LinkageError e) {
                throw new FcptsException(ErrorCode.BACKEND_UNAVAILABLE, "cuBLAS could not be loaded "
                        + "(libcublas.so.13 must be on the library path): " + e, e);
            }
            try {
                checkCublas(cublas.cublasSetStream_v2(h, stream), "cublasSetStream");
                checkCublas(cublas.cublasSetMathMode(h, allowTf32 ? cublas.CUBLAS_TF32_TENSOR_OP_MATH
                        : cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            } catch (RuntimeException e) {
                cublas.cublasDestroy_v2(h);
                throw e;
            }
            cublasHandle = h;
        }
        return cublasHandle;
    }

    // ---- plans ----

    @Override
    public ConvPlan conv(WindowGeometry geometry, boolean withBias, boolean constantWeights) {
        return new CudnnConvPlan(this, geometry, withBias, false, !constantWeights, ConvActivation.NONE, 0, 0);
    }

    @Override
    public FusedConvPlan fusedConv(WindowGeometry geometry, boolean withBias, boolean withResidual,
                                   ConvActivation activation, float lo, float hi) {
        return new CudnnConvPlan(this, geometry, withBias, withResidual, false, activation, lo, hi);
    }

    @Override
    public SparseConvPlan sparseConv(WindowGeometry geometry, int[] rowPtr, int[] colIdx, float[] values, float[] bias,
                                     boolean withResidual, ConvActivation activation, float lo, float hi) {
        return new CusparseConvPlan(this, geometry, rowPtr, colIdx, values, bias, withResidual, activation, lo, hi);
    }

    /** No sparse fully connected kernel on cuda yet: the dense cuBLAS product runs instead. */
    @Override
    public SparseLinearPlan sparseLinear(long batch, long in, long out, int[] rowPtr, int[] colIdx, float[] values,
                                         float[] bias) {
        throw new UnsupportedOperationException("cuda has no sparse fully connected kernel; check "
                + "supportsSparseLinear()");
    }

    @Override
    public boolean supportsSparseLinear() {
        return false;
    }

    /** cuSPARSE path: ungrouped convolutions (im2col + SpMM). */
    @Override
    public boolean supportsSparseConv(WindowGeometry geometry) {
        return geometry.groups() == 1;
    }

    @Override
    public PoolPlan pool(WindowGeometry geometry, Pool kind) {
        long[] g = geometry.toArray();
        return new PoolPlan() {
            private final LongPointer hostGeometry = new LongPointer(g);
            private boolean closed;

            @Override
            public void forward(Tensor x, Tensor y) {
                live();
                call(CudaNatives.fcpts_pool_forward_cuda(hostGeometry, kind.ordinal(), dev(x), dev(y), stream(), status),
                        "fcpts_pool_forward_cuda");
            }

            @Override
            public void backward(Tensor x, Tensor dy, Tensor dx) {
                live();
                call(CudaNatives.fcpts_pool_backward_cuda(hostGeometry, kind.ordinal(), dev(x), dev(dy), dev(dx),
                        stream(), status), "fcpts_pool_backward_cuda");
            }

            private void live() {
                if (closed) {
                    throw new IllegalStateException("pooling plan used after close()");
                }
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    hostGeometry.close();
                }
            }
        };
    }

    @Override
    public MatMulPlan matmul(long m, long k, long n, boolean transposeA, boolean transposeB, boolean withBias) {
        return new CublasMatMulPlan(this, m, k, n, transposeA, transposeB, withBias);
    }

    // ---- elementwise and layout ----

    @Override
    public void unary(Unary op, float alpha, float beta, Tensor x, Tensor y) {
        call(CudaNatives.fcpts_unary_cuda(op.ordinal(), alpha, beta, dev(x), dev(y), x.size(), stream(), status),
                "fcpts_unary_cuda");
    }

    @Override
    public void binary(Binary op, Tensor a, long[] aShape, Tensor b, long[] bShape, Tensor y, long[] yShape) {
        try (LongPointer as = new LongPointer(Broadcast.strides(aShape, yShape));
             LongPointer bs = new LongPointer(Broadcast.strides(bShape, yShape));
             LongPointer dims = new LongPointer(yShape)) {
            call(CudaNatives.fcpts_binary_cuda(op.ordinal(), dev(a), as, dev(b), bs, dev(y), dims, yShape.length,
                    stream(), status), "fcpts_binary_cuda");
        }
    }

    @Override
    public void batchNorm(Tensor x, long n, long c, long spatial, Tensor gamma, Tensor beta, Tensor mean,
                          Tensor variance, float epsilon, Tensor y) {
        call(CudaNatives.fcpts_batchnorm_inference_cuda(dev(x), n, c, spatial, dev(gamma), dev(beta), dev(mean),
                dev(variance), epsilon, dev(y), stream(), status), "fcpts_batchnorm_inference_cuda");
    }

    @Override
    public void batchNormTraining(Tensor x, long n, long c, long spatial, Tensor gamma, Tensor beta,
                                  Tensor runningMean, Tensor runningVariance, float momentum, float epsilon, Tensor y,
                                  Tensor saveMean, Tensor saveInvStd) {
        call(CudaNatives.fcpts_batchnorm_training_cuda(dev(x), n, c, spatial, dev(gamma), dev(beta), dev(runningMean),
                dev(runningVariance), momentum, epsilon, dev(y), dev(saveMean), dev(saveInvStd), stream(), status),
                "fcpts_batchnorm_training_cuda");
    }

    @Override
    public void globalAveragePool(Tensor x, long planes, long spatial, Tensor y) {
        call(CudaNatives.fcpts_global_avg_pool_cuda(dev(x), planes, spatial, dev(y), stream(), status),
                "fcpts_global_avg_pool_cuda");
    }

    @Override
    public void softmax(Tensor x, long outer, long axis, long inner, Tensor y) {
        call(CudaNatives.fcpts_softmax_cuda(dev(x), outer, axis, inner, dev(y), stream(), status),
                "fcpts_softmax_cuda");
    }

    @Override
    public void transpose(Tensor x, long[] xShape, long[] perm, Tensor y) {
        try (LongPointer dims = new LongPointer(xShape); LongPointer p = new LongPointer(perm)) {
            call(CudaNatives.fcpts_transpose_cuda(dev(x), dims, p, xShape.length, dev(y), stream(), status),
                    "fcpts_transpose_cuda");
        }
    }

    @Override
    public void concatPiece(Tensor x, long outer, long block, Tensor y, long yBlock, long offset) {
        call(CudaNatives.fcpts_concat_piece_cuda(dev(x), outer, block, dev(y), yBlock, offset, stream(), status),
                "fcpts_concat_piece_cuda");
    }

    @Override
    public void fill(Tensor y, float value) {
        call(CudaNatives.fcpts_fill_cuda(dev(y), y.size(), value, stream(), status), "fcpts_fill_cuda");
    }

    @Override
    public void columnSum(Tensor x, long rows, long cols, Tensor out) {
        call(CudaNatives.fcpts_column_sum_cuda(dev(x), rows, cols, dev(out), stream(), status),
                "fcpts_column_sum_cuda");
    }

    // ---- backward ----

    @Override
    public void unaryBackward(Unary op, float alpha, float beta, Tensor x, Tensor dy, Tensor dx) {
        call(CudaNatives.fcpts_unary_backward_cuda(op.ordinal(), alpha, beta, dev(x), dev(dy), dev(dx), x.size(),
                stream(), status), "fcpts_unary_backward_cuda");
    }

    @Override
    public void binaryBackward(Binary op, Tensor a, long[] aShape, Tensor b, long[] bShape, Tensor dy, long[] yShape,
                               Tensor da, Tensor db) {
        try (LongPointer as = new LongPointer(Broadcast.strides(aShape, yShape));
             LongPointer bs = new LongPointer(Broadcast.strides(bShape, yShape));
             LongPointer dims = new LongPointer(yShape)) {
            call(CudaNatives.fcpts_binary_backward_cuda(op.ordinal(), dev(a), as, dev(b), bs, dev(dy), dims,
                    yShape.length, dev(da), dev(db), stream(), status), "fcpts_binary_backward_cuda");
        }
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, long n, long c, long spatial, Tensor gamma, Tensor mean,
                                  Tensor variance, float epsilon, Tensor dx, Tensor dgamma, Tensor dbeta) {
        call(CudaNatives.fcpts_batchnorm_backward_cuda(dev(x), dev(dy), n, c, spatial, dev(gamma), dev(mean),
                dev(variance), epsilon, dev(dx), dev(dgamma), dev(dbeta), stream(), status),
                "fcpts_batchnorm_backward_cuda");
    }

    @Override
    public void batchNormTrainingBackward(Tensor x, Tensor dy, long n, long c, long spatial, Tensor gamma,
                                          Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta) {
        call(CudaNatives.fcpts_batchnorm_training_backward_cuda(dev(x), dev(dy), n, c, spatial, dev(gamma),
                dev(saveMean), dev(saveInvStd), dev(dx), dev(dgamma), dev(dbeta), stream(), status),
                "fcpts_batchnorm_training_backward_cuda");
    }

    @Override
    public void globalAveragePoolBackward(Tensor dy, long planes, long spatial, Tensor dx) {
        call(CudaNatives.fcpts_global_avg_pool_backward_cuda(dev(dy), planes, spatial, dev(dx), stream(), status),
                "fcpts_global_avg_pool_backward_cuda");
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, long outer, long axis, long inner, Tensor dx) {
        call(CudaNatives.fcpts_softmax_backward_cuda(dev(y), dev(dy), outer, axis, inner, dev(dx), stream(), status),
                "fcpts_softmax_backward_cuda");
    }

    @Override
    public void slicePiece(Tensor dy, long outer, long block, long yBlock, long offset, Tensor dx) {
        call(CudaNatives.fcpts_slice_piece_cuda(dev(dy), outer, block, yBlock, offset, dev(dx), stream(), status),
                "fcpts_slice_piece_cuda");
    }

    // ---- losses: the only calls that wait for the device (they return the loss) ----

    @Override
    public double crossEntropy(Tensor logits, long[] labels, long n, long classes, Tensor grad) {
        try (CudaBuffer deviceLabels = buffer((long) labels.length * Long.BYTES, "cross-entropy labels");
             LongPointer hostLabels = new LongPointer(labels);
             CudaBuffer rows = buffer(Math.max(1, n) * Double.BYTES, "per-row losses");
             CudaBuffer loss = buffer(Double.BYTES, "loss")) {
            CudaErrors.check(cudaMemcpyAsync(deviceLabels.at(0), hostLabels, (long) labels.length * Long.BYTES,
                    cudaMemcpyHostToDevice, stream()), "cudaMemcpyAsync of " + labels.length + " labels");
            call(CudaNatives.fcpts_cross_entropy_cuda(dev(logits), deviceLabels.longs(), n, classes, rows.doubles(),
                    loss.doubles(), dev(grad), stream(), status), "fcpts_cross_entropy_cuda");
            return download(loss);
        }
    }

    @Override
    public double klDistill(Tensor student, Tensor teacher, long n, long classes, float temperature, Tensor grad) {
        try (CudaBuffer rows = buffer(Math.max(1, n) * Double.BYTES, "per-row losses");
             CudaBuffer loss = buffer(Double.BYTES, "loss")) {
            call(CudaNatives.fcpts_kl_distill_cuda(dev(student), dev(teacher), n, classes, temperature, rows.doubles(),
                    loss.doubles(), dev(grad), stream(), status), "fcpts_kl_distill_cuda");
            return download(loss);
        }
    }

    @Override
    public double mse(Tensor a, Tensor b, long n, long features, Tensor grad) {
        try (CudaBuffer rows = buffer(Math.max(1, n) * Double.BYTES, "per-row losses");
             CudaBuffer loss = buffer(Double.BYTES, "loss")) {
            call(CudaNatives.fcpts_mse_cuda(dev(a), dev(b), n, features, rows.doubles(), loss.doubles(), dev(grad),
                    stream(), status), "fcpts_mse_cuda");
            return download(loss);
        }
    }

    private double download(CudaBuffer loss) {
        CudaErrors.check(cudaMemcpyAsync(hostLoss, loss.at(0), Double.BYTES, cudaMemcpyDeviceToHost, stream()),
                "cudaMemcpyAsync of the loss to the host");
        CudaErrors.check(cudaStreamSynchronize(stream()), "cudaStreamSynchronize after the loss");
        return hostLoss.get();
    }

    // ---- optimizer updates ----

    @Override
    public void maskedCopy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long count, float threshold,
                           Tensor keep, long keepOffset) {
        NetworkKernels.checkMaskedCopy(src, srcOffset, dst, dstOffset, count, keep, keepOffset);
        call(CudaNatives.fcpts_masked_copy_cuda(at(src, srcOffset), keep == null ? null : at(keep, keepOffset),
                at(dst, dstOffset), count, threshold, stream(), status), "fcpts_masked_copy_cuda");
    }

    /** Device address of element {@code offset} of t. */
    private static FloatPointer at(Tensor t, long offset) {
        return new FloatPointer(t.storage(CudaStorage.class).buffer().at(offset * Float.BYTES));
    }

    @Override
    public void sgdStep(Tensor weights, Tensor gradients, Tensor velocity, Tensor mask, float lr, float momentum,
                        float weightDecay) {
        call(CudaNatives.fcpts_sgd_step_cuda(dev(weights), dev(gradients), dev(velocity), dev(mask), weights.size(),
                lr, momentum, weightDecay, stream(), status), "fcpts_sgd_step_cuda");
    }

    @Override
    public void adamStep(Tensor weights, Tensor gradients, Tensor firstMoment, Tensor secondMoment, Tensor mask,
                         float lr, float beta1, float beta2, float epsilon, float weightDecay, long step) {
        call(CudaNatives.fcpts_adam_step_cuda(dev(weights), dev(gradients), dev(firstMoment), dev(secondMoment),
                dev(mask), weights.size(), lr, beta1, beta2, epsilon, weightDecay, step, stream(), status),
                "fcpts_adam_step_cuda");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (workspace != null) {
            workspace.close();
            workspace = null;
        }
        if (cudnnHandle != null) {
            cudnn.cudnnDestroy(cudnnHandle);
            cudnnHandle = null;
        }
        if (cublasHandle != null) {
            cublas.cublasDestroy_v2(cublasHandle);
            cublasHandle = null;
        }
        one.close();
        zero.close();
        hostLoss.close();
        status.close();
    }

    // ---- the real-models kernels: index maps, batched products, layer norm ----

    @Override
    public BatchedMatMulPlan batchedMatmul(long batch, long m, long k, long n, boolean transposeA,
                                           boolean transposeB, boolean sharedB) {
        return new CudaBatchedMatMulPlan(this, batch, m, k, n, transposeA, transposeB, sharedB);
    }

    @Override
    public IndexMapPlan indexMap(long outer, long inSize, long outSize, int[] rowPtr, int[] cols, float[] weights,
                                 float fill, boolean max) {
        live();
        return new CudaIndexMapPlan(this, outer, inSize, outSize, rowPtr, cols, weights, fill, max);
    }

    @Override
    public void layerNorm(Tensor x, long rows, long cols, Tensor gamma, Tensor beta, float epsilon, Tensor y,
                          Tensor saveMean, Tensor saveInvStd) {
        call(CudaNatives.fcpts_layer_norm_cuda(dev(x), rows, cols, dev(gamma), dev(beta), epsilon, dev(y),
                dev(saveMean), dev(saveInvStd), stream(), status), "fcpts_layer_norm_cuda");
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor dy, long rows, long cols, Tensor gamma, Tensor saveMean,
                                  Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta) {
        call(CudaNatives.fcpts_layer_norm_backward_cuda(dev(x), dev(dy), rows, cols, dev(gamma), dev(saveMean),
                dev(saveInvStd), dev(dx), dev(dgamma), dev(dbeta), stream(), status),
                "fcpts_layer_norm_backward_cuda");
    }
}
