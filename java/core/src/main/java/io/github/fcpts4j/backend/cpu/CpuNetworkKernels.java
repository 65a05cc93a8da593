package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.WindowGeometry;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * CPU network operators: oneDNN plans (native/src/dnnl_plans_cpu.cpp) and the
 * OpenMP loops of libfcpts_cpu (native/src/elementwise_ops_cpu.cpp,
 * normalization_ops_cpu.cpp, layout_ops_cpu.cpp, losses_cpu.cpp, ...; index maps: CpuIndexMapPlan;
 * batched matrix products: CpuBatchedMatMulPlan), each call
 * checked through {@link CpuKernels#check}. Calls on distinct tensors and plans may run from several threads at
 * once (each thread fills its own status record); one plan is used by one thread at a time.
 */
final class CpuNetworkKernels implements NetworkKernels {
    /** enum fcpts_conv_flags of ops_cpu.h. */
    private static final int CONV_BIAS = 1, CONV_CONSTANT_WEIGHTS = 2, CONV_RESIDUAL = 4;
    private final int threads;
    /** The calling thread's error status and shape arguments (the backend's; it frees them on close). */
    private final CallRecords calls;

    CpuNetworkKernels(int threads, CallRecords calls) {
        this.threads = threads;
        this.calls = calls;
    }

    private CpuNatives.Status status() {
        return calls.get().status();
    }

    private static FloatPointer host(Tensor t) {
        return t == null ? null : t.storage(CpuStorage.class).pointer();
    }

    /** A oneDNN plan owned by one Java object: close destroys it, use after close fails. */
    private final class Plan implements ConvPlan, FusedConvPlan, PoolPlan, MatMulPlan {
        private final String kind;
        private CpuNatives.DnnlPlan handle;

        Plan(String kind, CpuNatives.DnnlPlan handle) {
            this.kind = kind;
            this.handle = handle;
        }

        private CpuNatives.DnnlPlan live() {
            if (handle == null) {
                throw new IllegalStateException(kind + " plan used after close()");
            }
            return handle;
        }

        @Override
        public void forward(Tensor x, Tensor weight, Tensor bias, Tensor residual, Tensor y) {
            CpuKernels.check(CpuNatives.fcpts_conv_forward(live(), host(x), host(weight), host(bias), host(residual),
                    host(y), status()), status(), "fcpts_conv_forward");
        }

        @Override
        public void forward(Tensor x, Tensor weight, Tensor bias, Tensor y) {
            if (kind.equals("convolution")) {
                forward(x, weight, bias, null, y);
            } else {
                CpuKernels.check(CpuNatives.fcpts_matmul_forward(live(), host(x), host(weight), host(bias), host(y),
                        status()), status(), "fcpts_matmul_forward");
            }
        }

        @Override
        public void backward(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight, Tensor dbias) {
            CpuKernels.check(CpuNatives.fcpts_conv_backward(live(), host(x), host(weight), host(dy), host(dx),
                    host(dweight), host(dbias), status()), status(), "fcpts_conv_backward");
        }

        @Override
        public void backward(Tensor x, Tensor dy, Tensor dx) {
            CpuKernels.check(CpuNatives.fcpts_pool_backward(live(), host(x), host(dy), host(dx), status()), status(),
                    "fcpts_pool_backward");
        }

        @Override
        public void forward(Tensor x, Tensor y) {
            CpuKernels.check(CpuNatives.fcpts_pool_forward(live(), host(x), host(y), status()), status(),
                    "fcpts_pool_forward");
        }

        @Override
        public void close() {
            CpuNatives.DnnlPlan h = handle;
            handle = null;
            if (h != null) {
                CpuNatives.fcpts_dnnl_plan_destroy(h);
            }
        }
    }

    @Override
    public ConvPlan conv(WindowGeometry geometry, boolean withBias, boolean constantWeights) {
        CpuNatives.DnnlPlan handle = new CpuNatives.DnnlPlan();
        try (LongPointer g = new LongPointer(geometry.toArray())) {
            CpuKernels.check(CpuNatives.fcpts_conv_plan_create(g,
                    (withBias ? CONV_BIAS : 0) | (constantWeights ? CONV_CONSTANT_WEIGHTS : 0),
                    ConvActivation.NONE.ordinal(), 0, 0, threads, handle, status()), status(),
                    "fcpts_conv_plan_create");
        }
        return new Plan("convolution", handle);
    }

    @Override
    public FusedConvPlan fusedConv(WindowGeometry geometry, boolean withBias, boolean withResidual,
                                   ConvActivation activation, float lo, float hi) {
        CpuNatives.DnnlPlan handle = new CpuNatives.DnnlPlan();
        int flags = (withBias ? CONV_BIAS : 0) | CONV_CONSTANT_WEIGHTS | (withResidual ? CONV_RESIDUAL : 0);
        try (LongPointer g = new LongPointer(geometry.toArray())) {
            CpuKernels.check(CpuNatives.fcpts_conv_plan_create(g, flags, activation.ordinal(), lo, hi, threads,
                    handle, status()), status(), "fcpts_conv_plan_create");
        }
        return new Plan("convolution", handle);
    }

    @Override
    public SparseLinearPlan sparseLinear(long batch, long in, long out, int[] rowPtr, int[] colIdx, float[] values,
                                         float[] bias) {
        return new CpuSparseLinearPlan(batch, in, out, rowPtr, colIdx, values, bias, threads);
    }

    @Override
    public boolean supportsSparseLinear() {
        return true;
    }

    @Override
    public SparseConvPlan sparseConv(WindowGeometry geometry, int[] rowPtr, int[] colIdx, float[] values, float[] bias,
                                     boolean withResidual, ConvActivation activation, float lo, float hi) {
        return new CpuSparseConvPlan(geometry, rowPtr, colIdx, values, bias, withResidual, activation, lo, hi,
                threads);
    }

    @Override
    public boolean supportsSparseConv(WindowGeometry geometry) {
        return true;
    }

    @Override
    public PoolPlan pool(WindowGeometry geometry, Pool kind) {
        CpuNatives.DnnlPlan handle = new CpuNatives.DnnlPlan();
        try (LongPointer g = new LongPointer(geometry.toArray())) {
            CpuKernels.check(CpuNatives.fcpts_pool_plan_create(g, kind.ordinal(), threads, handle, status()), status(),
                    "fcpts_pool_plan_create");
        }
        return new Plan("pooling", handle);
    }

    @Override
    public MatMulPlan matmul(long m, long k, long n, boolean transposeA, boolean transposeB, boolean withBias) {
        CpuNatives.DnnlPlan handle = new CpuNatives.DnnlPlan();
        CpuKernels.check(CpuNatives.fcpts_matmul_plan_create(m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0,
                withBias ? 1 : 0, threads, handle, status()), status(), "fcpts_matmul_plan_create");
        return new Plan("matmul", handle);
    }

    @Override
    public void unary(Unary op, float alpha, float beta, Tensor x, Tensor y) {
        CpuKernels.check(CpuNatives.fcpts_unary_cpu(op.ordinal(), alpha, beta, host(x), host(y), x.size(), threads,
                status()), status(), "fcpts_unary_cpu");
    }

    @Override
    public void binary(Binary op, Tensor a, long[] aShape, Tensor b, long[] bShape, Tensor y, long[] yShape) {
        CallRecords.Records r = calls.get();
        CpuKernels.check(CpuNatives.fcpts_binary_cpu(op.ordinal(), host(a), r.strides(0, aShape, yShape), host(b),
                r.strides(1, bShape, yShape), host(y), r.longs(2, yShape), yShape.length, threads, r.status()),
                r.status(), "fcpts_binary_cpu");
    }

    @Override
    public void batchNorm(Tensor x, long n, long c, long spatial, Tensor gamma, Tensor beta, Tensor mean,
                          Tensor variance, float epsilon, Tensor y) {
        CpuKernels.check(CpuNatives.fcpts_batchnorm_inference_cpu(host(x), n, c, spatial, host(gamma), host(beta),
                host(mean), host(variance), epsilon, host(y), threads, status()), status(),
                "fcpts_batchnorm_inference_cpu");
    }

    @Override
    public void globalAveragePool(Tensor x, long planes, long spatial, Tensor y) {
        CpuKernels.check(CpuNatives.fcpts_global_avg_pool_cpu(host(x), planes, spatial, host(y), threads, status()),
                status(), "fcpts_global_avg_pool_cpu");
    }

    @Override
    public void softmax(Tensor x, long outer, long axis, long inner, Tensor y) {
        CpuKernels.check(CpuNatives.fcpts_softmax_cpu(host(x), outer, axis, inner, host(y), threads, status()),
                status(), "fcpts_softmax_cpu");
    }

    @Override
    public void transpose(Tensor x, long[] xShape, long[] perm, Tensor y) {
        CallRecords.Records r = calls.get();
        CpuKernels.check(CpuNatives.fcpts_transpose_cpu(host(x), r.longs(0, xShape), r.longs(1, perm), xShape.length,
                host(y), threads, r.status()), r.status(), "fcpts_transpose_cpu");
    }

    @Override
    public void concatPiece(Tensor x, long outer, long block, Tensor y, long yBlock, long offset) {
        CpuKernels.check(CpuNatives.fcpts_concat_piece_cpu(host(x), outer, block, host(y), yBlock, offset, threads,
                status()), status(), "fcpts_concat_piece_cpu");
    }

    @Override
    public void unaryBackward(Unary op, float alpha, float beta, Tensor x, Tensor dy, Tensor dx) {
        CpuKernels.check(CpuNatives.fcpts_unary_backward_cpu(op.ordinal(), alpha, beta, host(x), host(dy), host(dx),
                x.size(), threads, status()), status(), "fcpts_unary_backward_cpu");
    }

    @Override
    public void binaryBackward(Binary op, Tensor a, long[] aShape, Tensor b, long[] bShape, Tensor dy, long[] yShape,
                               Tensor da, Tensor db) {
        CallRecords.Records r = calls.get();
        CpuKernels.check(CpuNatives.fcpts_binary_backward_cpu(op.ordinal(), host(a), r.strides(0, aShape, yShape),
                host(b), r.strides(1, bShape, yShape), host(dy), r.longs(2, yShape), yShape.length, host(da),
                host(db), threads, r.status()), r.status(), "fcpts_binary_backward_cpu");
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, long n, long c, long spatial, Tensor gamma, Tensor mean,
                                  Tensor variance, float epsilon, Tensor dx, Tensor dgamma, Tensor dbeta) {
        CpuKernels.check(CpuNatives.fcpts_batchnorm_backward_cpu(host(x), host(dy), n, c, spatial, host(gamma),
                host(mean), host(variance), epsilon, host(dx), host(dgamma), host(dbeta), threads, status()), status(),
                "fcpts_batchnorm_backward_cpu");
    }

    @Override
    public void globalAveragePoolBackward(Tensor dy, long planes, long spatial, Tensor dx) {
        CpuKernels.check(CpuNatives.fcpts_global_avg_pool_backward_cpu(host(dy), planes, spatial, host(dx), threads,
                status()), status(), "fcpts_global_avg_pool_backward_cpu");
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, long outer, long axis, long inner, Tensor dx) {
        CpuKernels.check(CpuNatives.fcpts_softmax_backward_cpu(host(y), host(dy), outer, axis, inner, host(dx),
                threads, status()), status(), "fcpts_softmax_backward_cpu");
    }

    @Override
    public void slicePiece(Tensor dy, long outer, long block, long yBlock, long offset, Tensor dx) {
        CpuKernels.check(CpuNatives.fcpts_slice_piece_cpu(host(dy), outer, block, yBlock, offset, host(dx), threads,
                status()), status(), "fcpts_slice_piece_cpu");
    }

    @Override
    public void columnSum(Tensor x, long rows, long cols, Tensor out) {
        CpuKernels.check(CpuNatives.fcpts_column_sum_cpu(host(x), rows, cols, host(out), threads, status()), status(),
                "fcpts_column_sum_cpu");
    }

    @Override
    public double crossEntropy(Tensor logits, long[] labels, long n, long classes, Tensor grad) {
        try (LongPointer l = new LongPointer(labels); DoublePointer loss = new DoublePointer(1)) {
            CpuKernels.check(CpuNatives.fcpts_cross_entropy_cpu(host(logits), l, n, classes, loss, host(grad), threads,
                    status()), status(), "fcpts_cross_entropy_cpu");
            return loss.get();
        }
    }

    @Override
    public double klDistill(Tensor student, Tensor teacher, long n, long classes, float temperature, Tensor grad) {
        try (DoublePointer loss = new DoublePointer(1)) {
            CpuKernels.check(CpuNatives.fcpts_kl_distill_cpu(host(student), host(teacher), n, classes, temperature,
                    loss, host(grad), threads, status()), status(), "fcpts_kl_distill_cpu");
            return loss.get();
        }
    }

    @Override
    public double mse(Tensor a, Tensor b, long n, long features, Tensor grad) {
        try (DoublePointer loss = new DoublePointer(1)) {
            CpuKernels.check(CpuNatives.fcpts_mse_cpu(host(a), host(b), n, features, loss, host(grad), threads,
                    status()), status(), "fcpts_mse_cpu");
            return loss.get();
        }
    }

    @Override
    public void fill(Tensor y, float value) {
        CpuKernels.check(CpuNatives.fcpts_fill_cpu(host(y), y.size(), value, threads, status()), status(),
                "fcpts_fill_cpu");
    }

    @Override
    public void maskedCopy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long count, float threshold,
                           Tensor keep, long keepOffset) {
        NetworkKernels.checkMaskedCopy(src, srcOffset, dst, dstOffset, count, keep, keepOffset);
        CpuKernels.check(CpuNatives.fcpts_masked_copy_cpu(host(src).getPointer(srcOffset),
                keep == null ? null : host(keep).getPointer(keepOffset), host(dst).getPointer(dstOffset), count,
                threshold, threads, status()), status(), "fcpts_masked_copy_cpu");
    }

    @Override
    public void sgdStep(Tensor weights, Tensor gradients, Tensor velocity, Tensor mask, float lr, float momentum,
                        float weightDecay) {
        CpuKernels.check(CpuNatives.fcpts_sgd_step_cpu(host(weights), host(gradients), host(velocity), host(mask),
                weights.size(), lr, momentum, weightDecay, threads, status()), status(), "fcpts_sgd_step_cpu");
    }

    @Override
    public void adamStep(Tensor weights, Tensor gradients, Tensor firstMoment, Tensor secondMoment, Tensor mask,
                         float lr, float beta1, float beta2, float epsilon, float weightDecay, long step) {
        CpuKernels.check(CpuNatives.fcpts_adam_step_cpu(host(weights), host(gradients), host(firstMoment),
                host(secondMoment), host(mask), weights.size(), lr, beta1, beta2, epsilon, weightDecay, step, threads,
                status()), status(), "fcpts_adam_step_cpu");
    }

    @Override
    public void batchNormTraining(Tensor x, long n, long c, long spatial, Tensor gamma, Tensor beta,
                                  Tensor runningMean, Tensor runningVariance, float momentum, float epsilon, Tensor y,
                                  Tensor saveMean, Tensor saveInvStd) {
        CpuKernels.check(CpuNatives.fcpts_batchnorm_training_cpu(host(x), n, c, spatial, host(gamma), host(beta),
                host(runningMean), host(runningVariance), momentum, epsilon, host(y), host(saveMean),
                host(saveInvStd), threads, status()), status(), "fcpts_batchnorm_training_cpu");
    }

    @Override
    public void batchNormTrainingBackward(Tensor x, Tensor dy, long n, long c, long spatial, Tensor gamma,
                                          Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta) {
        CpuKernels.check(CpuNatives.fcpts_batchnorm_training_backward_cpu(host(x), host(dy), n, c, spatial,
                host(gamma), host(saveMean), host(saveInvStd), host(dx), host(dgamma), host(dbeta), threads, status()),
                status(), "fcpts_batchnorm_training_backward_cpu");
    }

    @Override
    public BatchedMatMulPlan batchedMatmul(long batch, long m, long k, long n, boolean transposeA,
                                           boolean transposeB, boolean sharedB) {
        return new CpuBatchedMatMulPlan(batch, m, k, n, transposeA, transposeB, sharedB, threads);
    }

    @Override
    public IndexMapPlan indexMap(long outer, long inSize, long outSize, int[] rowPtr, int[] cols, float[] weights,
                                 float fill, boolean max) {
        return new CpuIndexMapPlan(outer, inSize, outSize, rowPtr, cols, weights, fill, max, threads);
    }

    @Override
    public void layerNorm(Tensor x, long rows, long cols, Tensor gamma, Tensor beta, float epsilon, Tensor y,
                          Tensor saveMean, Tensor saveInvStd) {
        CpuKernels.check(CpuNatives.fcpts_layer_norm_cpu(host(x), rows, cols, host(gamma), host(beta), epsilon,
                host(y), host(saveMean), host(saveInvStd), threads, status()), status(), "fcpts_layer_norm_cpu");
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor dy, long rows, long cols, Tensor gamma, Tensor saveMean,
                                  Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta) {
        CpuKernels.check(CpuNatives.fcpts_layer_norm_backward_cpu(host(x), host(dy), rows, cols, host(gamma),
                host(saveMean), host(saveInvStd), host(dx), host(dgamma), host(dbeta), threads, status()), status(),
                "fcpts_layer_norm_backward_cpu");
    }
}
