package io.github.fcpts4j.backend.cpu;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI bindings of libfcpts_cpu (native/include/fcpts/kde_fused.h), generated
 * by JavaCPP at build time. The only class that touches the library; callers
 * go through {@link CpuKernels}. Loading it first preloads oneDNN and the
 * GNU OpenMP runtime it was built with from the org.bytedeco:dnnl native jar
 * (the same libgomp.so.1 then serves libfcpts_cpu). The dnnl Java presets are
 * not used: they inherit the OpenCL presets, which need an OpenCL driver.
 */
@Platform(include = {"fcpts/status.h", "fcpts/kde_fused.h", "fcpts/ops_cpu.h", "fcpts/optim_cpu.h",
        "fcpts/sparse_cpu.h"}, link = "fcpts_cpu",
        preload = {"gomp@.1", "dnnl@.3"}, preloadresource = "/org/bytedeco/dnnl/")
final class CpuNatives {
    static {
        Loader.load();
    }

    private CpuNatives() {
    }

    /** fcpts_status: the error record filled on failure (see status.h). */
    @Name("fcpts_status")
    static final class Status extends Pointer {
        static {
            Loader.load();
        }

        Status() {
            allocate();
        }

        private native void allocate();

        @MemberGetter native int code();

        @MemberGetter native int library_code();

        @MemberGetter @Cast("int64_t") native long index();

        @MemberGetter native int line();

        @MemberGetter native @Cast("char*") BytePointer library_name();

        @MemberGetter native @Cast("char*") BytePointer file();

        @MemberGetter native @Cast("char*") BytePointer message();
    }

    static native int fcpts_kde_fused_cpu(@Const FloatPointer w, @Const FloatPointer g, FloatPointer gw,
                                          @Cast("const int64_t*") LongPointer segOffsets, int nSeg,
                                          @Const FloatPointer thresholds, @Const FloatPointer invBandwidths,
                                          DoublePointer stats, int nThreads, Status status);

    static native int fcpts_kde_forward_cpu(@Const FloatPointer w, @Cast("const int64_t*") LongPointer segOffsets,
                                            int nSeg, @Const FloatPointer thresholds,
                                            @Const FloatPointer invBandwidths, DoublePointer stats, int nThreads,
                                            Status status);

    static native int fcpts_parallel_copy_cpu(@Const Pointer src, Pointer dst, @Cast("int64_t") long nBytes,
                                              int nThreads, Status status);

    static native int fcpts_cpu_default_threads();

    static native @Cast("const char*") BytePointer fcpts_cpu_build_info();

    /** fcpts_dnnl_plan: an opaque oneDNN plan (convolution, pooling or matmul); see ops_cpu.h. */
    @Opaque
    @Name("fcpts_dnnl_plan")
    static final class DnnlPlan extends Pointer {
        DnnlPlan() {
            super((Pointer) null);
        }
    }

    static native int fcpts_conv_plan_create(@Cast("const int64_t*") LongPointer geometry, int flags, int activation,
                                             float actLo, float actHi, int nThreads,
                                             @ByPtrPtr DnnlPlan plan, Status status);

    static native int fcpts_conv_forward(DnnlPlan plan, @Const FloatPointer x, @Const FloatPointer weight,
                                         @Const FloatPointer bias, @Const FloatPointer residual, FloatPointer y,
                                         Status status);

    static native int fcpts_pool_plan_create(@Cast("const int64_t*") LongPointer geometry, int kind, int nThreads,
                                             @ByPtrPtr DnnlPlan plan, Status status);

    static native int fcpts_pool_forward(DnnlPlan plan, @Const FloatPointer x, FloatPointer y, Status status);

    static native int fcpts_matmul_plan_create(@Cast("int64_t") long m, @Cast("int64_t") long k,
                                               @Cast("int64_t") long n, int transA, int transB, int hasBias,
                                               int nThreads, @ByPtrPtr DnnlPlan plan, Status status);

    static native int fcpts_matmul_forward(DnnlPlan plan, @Const FloatPointer a, @Const FloatPointer b,
                                           @Const FloatPointer bias, FloatPointer y, Status status);

    static native void fcpts_dnnl_plan_destroy(DnnlPlan plan);

    static native int fcpts_unary_cpu(int op, float alpha, float beta, @Const FloatPointer x, FloatPointer y,
                                      @Cast("int64_t") long n, int nThreads, Status status);

    static native int fcpts_binary_cpu(int op, @Const FloatPointer a, @Cast("const int64_t*") LongPointer aStrides,
                                       @Const FloatPointer b, @Cast("const int64_t*") LongPointer bStrides,
                                       FloatPointer y, @Cast("const int64_t*") LongPointer yDims, int rank,
                                       int nThreads, Status status);

    static native int fcpts_batchnorm_inference_cpu(@Const FloatPointer x, @Cast("int64_t") long n,
                                                    @Cast("int64_t") long c, @Cast("int64_t") long spatial,
                                                    @Const FloatPointer gamma, @Const FloatPointer beta,
                                                    @Const FloatPointer mean, @Const FloatPointer var, float epsilon,
                                                    FloatPointer y, int nThreads, Status status);

    static native int fcpts_global_avg_pool_cpu(@Const FloatPointer x, @Cast("int64_t") long planes,
                                                @Cast("int64_t") long spatial, FloatPointer y, int nThreads,
                                                Status status);

    static native int fcpts_softmax_cpu(@Const FloatPointer x, @Cast("int64_t") long outer,
                                        @Cast("int64_t") long axis, @Cast("int64_t") long inner, FloatPointer y,
                                        int nThreads, Status status);

    static native int fcpts_transpose_cpu(@Const FloatPointer x, @Cast("const int64_t*") LongPointer xDims,
                                          @Cast("const int64_t*") LongPointer perm, int rank, FloatPointer y,
                                          int nThreads, Status status);

    static native int fcpts_concat_piece_cpu(@Const FloatPointer x, @Cast("int64_t") long outer,
                                             @Cast("int64_t") long block, FloatPointer y,
                                             @Cast("int64_t") long yBlock, @Cast("int64_t") long offset,
                                             int nThreads, Status status);

    static native int fcpts_conv_backward(DnnlPlan plan, @Const FloatPointer x, @Const FloatPointer weight,
                                          @Const FloatPointer dy, FloatPointer dx, FloatPointer dweight,
                                          FloatPointer dbias, Status status);

    static native int fcpts_pool_backward(DnnlPlan plan, @Const FloatPointer x, @Const FloatPointer dy,
                                          FloatPointer dx, Status status);

    static native int fcpts_unary_backward_cpu(int op, float alpha, float beta, @Const FloatPointer x,
                                               @Const FloatPointer dy, FloatPointer dx, @Cast("int64_t") long n,
                                               int nThreads, Status status);

    static native int fcpts_binary_backward_cpu(int op, @Const FloatPointer a,
                                                @Cast("const int64_t*") LongPointer aStrides, @Const FloatPointer b,
                                                @Cast("const int64_t*") LongPointer bStrides, @Const FloatPointer dy,
                                                @Cast("const int64_t*") LongPointer yDims, int rank, FloatPointer da,
                                                FloatPointer db, int nThreads, Status status);

    static native int fcpts_batchnorm_backward_cpu(@Const FloatPointer x, @Const FloatPointer dy,
                                                   @Cast("int64_t") long n, @Cast("int64_t") long c,
                                                   @Cast("int64_t") long spatial, @Const FloatPointer gamma,
                                                   @Const FloatPointer mean, @Const FloatPointer var, float epsilon,
                                                   FloatPointer dx, FloatPointer dgamma, FloatPointer dbeta,
                                                   int nThreads, Status status);

    static native int fcpts_global_avg_pool_backward_cpu(@Const FloatPointer dy, @Cast("int64_t") long planes,
                                                         @Cast("int64_t") long spatial, FloatPointer dx, int nThreads,
                                                         Status status);

    static native int fcpts_softmax_backward_cpu(@Const FloatPointer y, @Const FloatPointer dy,
                                                 @Cast("int64_t") long outer, @Cast("int64_t") long axis,
                                                 @Cast("int64_t") long inner, FloatPointer dx, int nThreads,
                                                 Status status);

    static native int fcpts_slice_piece_cpu(@Const FloatPointer dy, @Cast("int64_t") long outer,
                                            @Cast("int64_t") long block, @Cast("int64_t") long yBlock,
                                            @Cast("int64_t") long offset, FloatPointer dx, int nThreads,
                                            Status status);

    static native int fcpts_column_sum_cpu(@Const FloatPointer x, @Cast("int64_t") long rows,
                                           @Cast("int64_t") long cols, FloatPointer out, int nThreads, Status status);

    static native int fcpts_cross_entropy_cpu(@Const FloatPointer logits, @Cast("const int64_t*") LongPointer labels,
                                              @Cast("int64_t") long n, @Cast("int64_t") long classes,
                                              DoublePointer loss, FloatPointer grad, int nThreads, Status status);

    static native int fcpts_kl_distill_cpu(@Const FloatPointer student, @Const FloatPointer teacher,
                                           @Cast("int64_t") long n, @Cast("int64_t") long classes, float temperature,
                                           DoublePointer loss, FloatPointer grad, int nThreads, Status status);

    static native int fcpts_mse_cpu(@Const FloatPointer a, @Const FloatPointer b, @Cast("int64_t") long n,
                                    @Cast("int64_t") long features, DoublePointer loss, FloatPointer grad,
                                    int nThreads, Status status);

    static native int fcpts_masked_copy_cpu(@Const FloatPointer src, @Const FloatPointer keep, FloatPointer dst,
                                            @Cast("int64_t") long n, float threshold, int nThreads, Status status);

    static native int fcpts_fill_cpu(FloatPointer y, @Cast("int64_t") long n, float value, int nThreads,
                                     Status status);

    static native int fcpts_sgd_step_cpu(FloatPointer w, @Const FloatPointer g, FloatPointer velocity,
                                         @Const FloatPointer mask, @Cast("int64_t") long n, float lr, float momentum,
                                         float weightDecay, int nThreads, Status status);

    static native int fcpts_adam_step_cpu(FloatPointer w, @Const FloatPointer g, FloatPointer m1, FloatPointer m2,
                                          @Const FloatPointer mask, @Cast("int64_t") long n, float lr, float beta1,
                                          float beta2, float epsilon, float weightDecay, @Cast("int64_t") long step,
                                          int nThreads, Status status);

    static native int fcpts_batchnorm_training_cpu(@Const FloatPointer x, @Cast("int64_t") long n,
                                                   @Cast("int64_t") long c, @Cast("int64_t") long spatial,
                                                   @Const FloatPointer gamma, @Const FloatPointer beta,
                                                   FloatPointer runningMean, FloatPointer runningVar, float momentum,
                                                   float epsilon, FloatPointer y, FloatPointer saveMean,
                                                   FloatPointer saveInvstd, int nThreads, Status status);

    static native int fcpts_batchnorm_training_backward_cpu(@Const FloatPointer x, @Const FloatPointer dy,
                                                            @Cast("int64_t") long n, @Cast("int64_t") long c,
                                                            @Cast("int64_t") long spatial, @Const FloatPointer gamma,
                                                            @Const FloatPointer saveMean,
                                                            @Const FloatPointer saveInvstd, FloatPointer dx,
                                                            FloatPointer dgamma, FloatPointer dbeta, int nThreads,
                                                            Status status);

    /** fcpts_sparse_conv: an opaque sparse convolution plan; see sparse_cpu.h. */
    @Opaque
    @Name("fcpts_sparse_conv")
    static final class SparseConvHandle extends Pointer {
        SparseConvHandle() {
            super((Pointer) null);
        }
    }

    static native int fcpts_sparse_conv_create(@Cast("const int64_t*") LongPointer geometry,
                                               @Cast("const int32_t*") IntPointer rowPtr,
                                               @Cast("const int32_t*") IntPointer colIdx, @Const FloatPointer values,
                                               @Const FloatPointer bias, int activation, float clipLo, float clipHi,
                                               int nThreads, @ByPtrPtr SparseConvHandle plan, Status status);

    static native int fcpts_sparse_conv_forward(SparseConvHandle plan, @Const FloatPointer x,
                                                @Const FloatPointer residual, FloatPointer y, Status status);

    static native void fcpts_sparse_conv_destroy(SparseConvHandle plan);

    /** fcpts_sparse_linear: an opaque sparse fully connected plan; see sparse_cpu.h. */
    @Opaque
    @Name("fcpts_sparse_linear")
    static final class SparseLinearHandle extends Pointer {
        SparseLinearHandle() {
            super((Pointer) null);
        }
    }

    static native int fcpts_sparse_linear_create(@Cast("int64_t") long batch, @Cast("int64_t") long in,
                                                 @Cast("int64_t") long out, @Cast("const int32_t*") IntPointer rowPtr,
                                                 @Cast("const int32_t*") IntPointer colIdx, @Const FloatPointer values,
                                                 @Const FloatPointer bias, int nThreads,
                                                 @ByPtrPtr SparseLinearHandle plan, Status status);

    static native int fcpts_sparse_linear_forward(SparseLinearHandle plan, @Const FloatPointer x, FloatPointer y,
                                                  Status status);

    static native void fcpts_sparse_linear_destroy(SparseLinearHandle plan);
}
