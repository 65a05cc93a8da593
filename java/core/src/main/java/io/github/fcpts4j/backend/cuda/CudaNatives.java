package io.github.fcpts4j.backend.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI bindings of libfcpts_cuda (native/include/fcpts/kde_fused_cuda.h,
 * ops_cuda.h, sparse_cuda.h). Pointers are device memory except the small
 * shape / stride / geometry arrays marked host in the headers. The
 * library links libcudart.so.13 dynamically, so it shares the CUDA runtime and
 * context with the org.bytedeco CUDA presets; {@link CudaKernels} loads the
 * presets' cudart first and is the only caller of this class. Never loaded on
 * the CPU path.
 */
@Platform(include = {"fcpts/status.h", "fcpts/kde_fused_cuda.h", "fcpts/ops_cuda.h", "fcpts/sparse_cuda.h"},
        link = "fcpts_cuda")
final class CudaNatives {
    static {
        Loader.load();
    }

    private CudaNatives() {
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

    static native int fcpts_kde_chunk_bases(@Cast("const int64_t*") LongPointer segOffsets, int nSeg,
                                            @Cast("int64_t*") LongPointer chunkBases,
                                            @Cast("int64_t*") LongPointer nChunks, Status status);

    static native int fcpts_kde_fused_cuda(@Const FloatPointer w, @Const FloatPointer g, FloatPointer gw,
                                           @Cast("const int64_t*") LongPointer segOffsets,
                                           @Cast("const int64_t*") LongPointer chunkBases, int nSeg,
                                           @Cast("int64_t") long nChunks, @Const FloatPointer thresholds,
                                           @Const FloatPointer invBandwidths, DoublePointer partials,
                                           DoublePointer stats, Pointer stream, Status status);

    static native int fcpts_kde_forward_cuda(@Const FloatPointer w, @Cast("const int64_t*") LongPointer segOffsets,
                                             @Cast("const int64_t*") LongPointer chunkBases, int nSeg,
                                             @Cast("int64_t") long nChunks, @Const FloatPointer thresholds,
                                             @Const FloatPointer invBandwidths, DoublePointer partials,
                                             DoublePointer stats, Pointer stream, Status status);

    // ---- ops_cuda.h (device pointers; LongPointer shapes / strides / geometry are host arrays) ----

    static native int fcpts_unary_cuda(int op, float alpha, float beta, @Const FloatPointer x, FloatPointer y,
                                       @Cast("int64_t") long n, Pointer stream, Status status);

    static native int fcpts_unary_backward_cuda(int op, float alpha, float beta, @Const FloatPointer x,
                                                @Const FloatPointer dy, FloatPointer dx, @Cast("int64_t") long n,
                                                Pointer stream, Status status);

    static native int fcpts_binary_cuda(int op, @Const FloatPointer a, @Cast("const int64_t*") LongPointer aStrides,
                                        @Const FloatPointer b, @Cast("const int64_t*") LongPointer bStrides,
                                        FloatPointer y, @Cast("const int64_t*") LongPointer yDims, int rank,
                                        Pointer stream, Status status);

    static native int fcpts_binary_backward_cuda(int op, @Const FloatPointer a,
                                                 @Cast("const int64_t*") LongPointer aStrides, @Const FloatPointer b,
                                                 @Cast("const int64_t*") LongPointer bStrides, @Const FloatPointer dy,
                                                 @Cast("const int64_t*") LongPointer yDims, int rank, FloatPointer da,
                                                 FloatPointer db, Pointer stream, Status status);

    static native int fcpts_fill_cuda(FloatPointer y, @Cast("int64_t") long n, float value, Pointer stream,
                                      Status status);

    static native int fcpts_conv_epilogue_cuda(FloatPointer y, @Const FloatPointer bias, @Const FloatPointer residual,
                                               @Cast("int64_t") long n, @Cast("int64_t") long oc,
                                               @Cast("int64_t") long spatial, int activation, float lo, float hi,
                                               Pointer stream, Status status);

    static native int fcpts_batchnorm_inference_cuda(@Const FloatPointer x, @Cast("int64_t") long n,
                                                     @Cast("int64_t") long c, @Cast("int64_t") long spatial,
                                                     @Const FloatPointer gamma, @Const FloatPointer beta,
                                                     @Const FloatPointer mean, @Const FloatPointer variance,
                                                     float epsilon, FloatPointer y, Pointer stream, Status status);

    static native int fcpts_batchnorm_backward_cuda(@Const FloatPointer x, @Const FloatPointer dy,
                                                    @Cast("int64_t") long n, @Cast("int64_t") long c,
                                                    @Cast("int64_t") long spatial, @Const FloatPointer gamma,
                                                    @Const FloatPointer mean, @Const FloatPointer variance,
                                                    float epsilon, FloatPointer dx, FloatPointer dgamma,
                                                    FloatPointer dbeta, Pointer stream, Status status);

    static native int fcpts_batchnorm_training_cuda(@Const FloatPointer x, @Cast("int64_t") long n,
                                                    @Cast("int64_t") long c, @Cast("int64_t") long spatial,
                                                    @Const FloatPointer gamma, @Const FloatPointer beta,
                                                    FloatPointer runningMean, FloatPointer runningVar, float momentum,
                                                    float epsilon, FloatPointer y, FloatPointer saveMean,
                                                    FloatPointer saveInvStd, Pointer stream, Status status);

    static native int fcpts_batchnorm_training_backward_cuda(@Const FloatPointer x, @Const FloatPointer dy,
                                                             @Cast("int64_t") long n, @Cast("int64_t") long c,
                                                             @Cast("int64_t") long spatial, @Const FloatPointer gamma,
                                                             @Const FloatPointer saveMean,
                                                             @Const FloatPointer saveInvStd, FloatPointer dx,
                                                             FloatPointer dgamma, FloatPointer dbeta, Pointer stream,
                                                             Status status);

    static native int fcpts_global_avg_pool_cuda(@Const FloatPointer x, @Cast("int64_t") long planes,
                                                 @Cast("int64_t") long spatial, FloatPointer y, Pointer stream,
                                                 Status status);

    static native int fcpts_global_avg_pool_backward_cuda(@Const FloatPointer dy, @Cast("int64_t") long planes,
                                                          @Cast("int64_t") long spatial, FloatPointer dx,
                                                          Pointer stream, Status status);

    static native int fcpts_pool_forward_cuda(@Cast("const int64_t*") LongPointer geometry, int kind,
                                              @Const FloatPointer x, FloatPointer y, Pointer stream, Status status);

    static native int fcpts_pool_backward_cuda(@Cast("const int64_t*") LongPointer geometry, int kind,
                                               @Const FloatPointer x, @Const FloatPointer dy, FloatPointer dx,
                                               Pointer stream, Status status);

    static native int fcpts_softmax_cuda(@Const FloatPointer x, @Cast("int64_t") long outer,
                                         @Cast("int64_t") long axis, @Cast("int64_t") long inner, FloatPointer y,
                                         Pointer stream, Status status);

    static native int fcpts_softmax_backward_cuda(@Const FloatPointer y, @Const FloatPointer dy,
                                                  @Cast("int64_t") long outer, @Cast("int64_t") long axis,
                                                  @Cast("int64_t") long inner, FloatPointer dx, Pointer stream,
                                                  Status status);

    static native int fcpts_layer_norm_cuda(@Const FloatPointer x, @Cast("int64_t") long rows,
                                            @Cast("int64_t") long cols, @Const FloatPointer gamma,
                                            @Const FloatPointer beta, float epsilon, FloatPointer y,
                                            FloatPointer saveMean, FloatPointer saveInvstd, Pointer stream,
                                            Status status);

    static native int fcpts_layer_norm_backward_cuda(@Const FloatPointer x, @Const FloatPointer dy,
                                                     @Cast("int64_t") long rows, @Cast("int64_t") long cols,
                                                     @Const FloatPointer gamma, @Const FloatPointer saveMean,
                                                     @Const FloatPointer saveInvstd, FloatPointer dx,
                                                     FloatPointer dgamma, FloatPointer dbeta, Pointer stream,
                                                     Status status);

    static native int fcpts_column_sum_cuda(@Const FloatPointer x, @Cast("int64_t") long rows,
                                            @Cast("int64_t") long cols, FloatPointer out, Pointer stream,
                                            Status status);

    static native int fcpts_transpose_cuda(@Const FloatPointer x, @Cast("const int64_t*") LongPointer xDims,
                                           @Cast("const int64_t*") LongPointer perm, int rank, FloatPointer y,
                                           Pointer stream, Status status);

    static native int fcpts_concat_piece_cuda(@Const FloatPointer x, @Cast("int64_t") long outer,
                                              @Cast("int64_t") long block, FloatPointer y,
                                              @Cast("int64_t") long yBlock, @Cast("int64_t") long offset,
                                              Pointer stream, Status status);

    static native int fcpts_slice_piece_cuda(@Const FloatPointer dy, @Cast("int64_t") long outer,
                                             @Cast("int64_t") long block, @Cast("int64_t") long yBlock,
                                             @Cast("int64_t") long offset, FloatPointer dx, Pointer stream,
                                             Status status);

    static native int fcpts_pad_planes_cuda(@Const FloatPointer x, @Cast("int64_t") long planes,
                                            @Cast("int64_t") long h, @Cast("int64_t") long w,
                                            @Cast("int64_t") long top, @Cast("int64_t") long bottom,
                                            @Cast("int64_t") long left, @Cast("int64_t") long right, FloatPointer y,
                                            Pointer stream, Status status);

    static native int fcpts_crop_planes_cuda(@Const FloatPointer y, @Cast("int64_t") long planes,
                                             @Cast("int64_t") long h, @Cast("int64_t") long w,
                                             @Cast("int64_t") long top, @Cast("int64_t") long bottom,
                                             @Cast("int64_t") long left, @Cast("int64_t") long right, FloatPointer x,
                                             Pointer stream, Status status);

    static native int fcpts_im2col_cuda(@Cast("const int64_t*") LongPointer geometry, @Const FloatPointer x,
                                        FloatPointer cols, Pointer stream, Status status);

    static native int fcpts_sparse_epilogue_cuda(@Const FloatPointer src, @Const FloatPointer bias,
                                                 @Const FloatPointer residual, @Cast("int64_t") long n,
                                                 @Cast("int64_t") long oc, @Cast("int64_t") long spatial,
                                                 int activation, float lo, float hi, FloatPointer y, Pointer stream,
                                                 Status status);

    static native int fcpts_cross_entropy_cuda(@Const FloatPointer logits, @Cast("const int64_t*") LongPointer labels,
                                               @Cast("int64_t") long n, @Cast("int64_t") long classes,
                                               DoublePointer rowLoss, DoublePointer loss, FloatPointer grad,
                                               Pointer stream, Status status);

    static native int fcpts_kl_distill_cuda(@Const FloatPointer student, @Const FloatPointer teacher,
                                            @Cast("int64_t") long n, @Cast("int64_t") long classes,
                                            float temperature, DoublePointer rowLoss, DoublePointer loss,
                                            FloatPointer grad, Pointer stream, Status status);

    static native int fcpts_mse_cuda(@Const FloatPointer a, @Const FloatPointer b, @Cast("int64_t") long n,
                                     @Cast("int64_t") long features, DoublePointer rowLoss, DoublePointer loss,
                                     FloatPointer grad, Pointer stream, Status status);

    static native int fcpts_masked_copy_cuda(@Const FloatPointer src, @Const FloatPointer keep, FloatPointer dst,
                                             @Cast("int64_t") long n, float threshold, Pointer stream, Status status);

    static native int fcpts_sgd_step_cuda(FloatPointer w, @Const FloatPointer g, FloatPointer velocity,
                                          @Const FloatPointer mask, @Cast("int64_t") long n, float lr,
                                          float momentum, float weightDecay, Pointer stream, Status status);

    static native int fcpts_adam_step_cuda(FloatPointer w, @Const FloatPointer g, FloatPointer m1, FloatPointer m2,
                                           @Const FloatPointer mask, @Cast("int64_t") long n, float lr, float beta1,
                                           float beta2, float epsilon, float weightDecay, @Cast("int64_t") long step,
                                           Pointer stream, Status status);

    // ---- index maps (ops_cuda.h): the map arrays are HOST memory, x / y / dy / dx device ----

    /** fcpts_index_map_cuda: an opaque GPU index map plan owning its device copy of the map. */
    @Opaque
    @Name("fcpts_index_map_cuda")
    static final class IndexMapHandle extends Pointer {
        IndexMapHandle() {
            super((Pointer) null);
        }
    }

    /** mode: enum fcpts_index_map_mode of fcpts/index_map_math.h (0 SUM, 1 MAX). */
    static native int fcpts_index_map_cuda_create(@Cast("int64_t") long outer, @Cast("int64_t") long inSize,
                                                  @Cast("int64_t") long outSize,
                                                  @Cast("const int32_t*") IntPointer rowPtr,
                                                  @Cast("const int32_t*") IntPointer cols,
                                                  @Const FloatPointer weights, @Cast("int64_t") long nnz, float fill,
                                                  int mode, Pointer stream, @ByPtrPtr IndexMapHandle plan,
                                                  Status status);

    static native int fcpts_index_map_cuda_forward(IndexMapHandle plan, @Const FloatPointer x, FloatPointer y,
                                                   Status status);

    static native int fcpts_index_map_cuda_backward(IndexMapHandle plan, @Const FloatPointer dy, FloatPointer dx,
                                                    Status status);

    static native void fcpts_index_map_cuda_destroy(IndexMapHandle plan);

    // ---- sparse_cuda.h ----

    /** fcpts_sparse_conv_cuda: an opaque cuSPARSE convolution plan. */
    @Opaque
    @Name("fcpts_sparse_conv_cuda")
    static final class SparseConvHandle extends Pointer {
        SparseConvHandle() {
            super((Pointer) null);
        }
    }

    static native int fcpts_sparse_conv_cuda_create(@Cast("const int64_t*") LongPointer geometry,
                                                    @Cast("const int32_t*") IntPointer rows,
                                                    @Cast("const int32_t*") IntPointer cols, @Const FloatPointer vals,
                                                    @Cast("int64_t") long nnz, @Const FloatPointer bias,
                                                    int activation, float lo, float hi, Pointer stream,
                                                    @ByPtrPtr SparseConvHandle plan, Status status);

    static native int fcpts_sparse_conv_cuda_forward(SparseConvHandle plan, @Const FloatPointer x,
                                                     @Const FloatPointer residual, FloatPointer y, Status status);

    static native void fcpts_sparse_conv_cuda_destroy(SparseConvHandle plan);

    static native @Cast("const char*") BytePointer fcpts_cuda_build_info();

    static native int fcpts_cuda_compiled();
}
