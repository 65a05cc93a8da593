/*
 * libfcpts_cuda for a build machine without a CUDA compiler: the same C ABI
 * as the .cu files (fcpts/kde_fused_cuda.h, ops_cuda.h, sparse_cuda.h), every kernel
 * entry point answering FCPTS_NOT_COMPILED, so the Java CUDA backend reports
 * "this build has no CUDA kernels" instead of failing to link. Selected by
 * cmake/CMakeLists.txt when check_language(CUDA) finds no compiler. The headers
 * are included so that the compiler checks every signature against them.
 */
#include "fcpts/kde_fused_cuda.h"
#include "fcpts/ops_cuda.h"
#include "fcpts/sparse_cuda.h"

static int not_compiled(fcpts_status* status) {
    FCPTS_FAIL(status, FCPTS_NOT_COMPILED, -1,
               "libfcpts_cuda was built without a CUDA compiler (CPU-only build)");
}

/* extern "C" int name(<unnamed parameters>..., fcpts_status* status) { FCPTS_NOT_COMPILED } */
#define FCPTS_CUDA_STUB(name, ...)                                 \
    extern "C" int name(__VA_ARGS__, fcpts_status* status) {       \
        return not_compiled(status);                               \
    }

FCPTS_CUDA_STUB(fcpts_kde_fused_cuda, const float*, const float*, float*, const int64_t*, const int64_t*, int32_t,
                int64_t, const float*, const float*, double*, double*, void*)
FCPTS_CUDA_STUB(fcpts_kde_forward_cuda, const float*, const int64_t*, const int64_t*, int32_t, int64_t, const float*,
                const float*, double*, double*, void*)

/* ---- fcpts/ops_cuda.h: elementwise ---- */
FCPTS_CUDA_STUB(fcpts_unary_cuda, int32_t, float, float, const float*, float*, int64_t, void*)
FCPTS_CUDA_STUB(fcpts_unary_backward_cuda, int32_t, float, float, const float*, const float*, float*, int64_t, void*)
FCPTS_CUDA_STUB(fcpts_binary_cuda, int32_t, const float*, const int64_t*, const float*, const int64_t*, float*,
                const int64_t*, int32_t, void*)
FCPTS_CUDA_STUB(fcpts_binary_backward_cuda, int32_t, const float*, const int64_t*, const float*, const int64_t*,
                const float*, const int64_t*, int32_t, float*, float*, void*)
FCPTS_CUDA_STUB(fcpts_fill_cuda, float*, int64_t, float, void*)
FCPTS_CUDA_STUB(fcpts_conv_epilogue_cuda, float*, const float*, const float*, int64_t, int64_t, int64_t, int32_t,
                float, float, void*)

/* ---- normalization, pooling, softmax ---- */
FCPTS_CUDA_STUB(fcpts_batchnorm_inference_cuda, const float*, int64_t, int64_t, int64_t, const float*, const float*,
                const float*, const float*, float, float*, void*)
FCPTS_CUDA_STUB(fcpts_batchnorm_backward_cuda, const float*, const float*, int64_t, int64_t, int64_t, const float*,
                const float*, const float*, float, float*, float*, float*, void*)
FCPTS_CUDA_STUB(fcpts_batchnorm_training_cuda, const float*, int64_t, int64_t, int64_t, const float*, const float*,
                float*, float*, float, float, float*, float*, float*, void*)
FCPTS_CUDA_STUB(fcpts_batchnorm_training_backward_cuda, const float*, const float*, int64_t, int64_t, int64_t,
                const float*, const float*, const float*, float*, float*, float*, void*)
FCPTS_CUDA_STUB(fcpts_global_avg_pool_cuda, const float*, int64_t, int64_t, float*, void*)
FCPTS_CUDA_STUB(fcpts_global_avg_pool_backward_cuda, const float*, int64_t, int64_t, float*, void*)
FCPTS_CUDA_STUB(fcpts_pool_forward_cuda, const int64_t*, int32_t, const float*, float*, void*)
FCPTS_CUDA_STUB(fcpts_pool_backward_cuda, const int64_t*, int32_t, const float*, const float*, float*, void*)
FCPTS_CUDA_STUB(fcpts_softmax_cuda, const float*, int64_t, int64_t, int64_t, float*, void*)
FCPTS_CUDA_STUB(fcpts_softmax_backward_cuda, const float*, const float*, int64_t, int64_t, int64_t, float*, void*)
FCPTS_CUDA_STUB(fcpts_column_sum_cuda, const float*, int64_t, int64_t, float*, void*)
FCPTS_CUDA_STUB(fcpts_layer_norm_cuda, const float*, int64_t, int64_t, const float*, const float*, float, float*,
                float*, float*, void*)
FCPTS_CUDA_STUB(fcpts_layer_norm_backward_cuda, const float*, const float*, int64_t, int64_t, const float*,
                const float*, const float*, float*, float*, float*, void*)

/* ---- index maps ---- */
FCPTS_CUDA_STUB(fcpts_index_map_cuda_create, int64_t, int64_t, int64_t, const int32_t*, const int32_t*, const float*,
                int64_t, float, int32_t, void*, fcpts_index_map_cuda**)
FCPTS_CUDA_STUB(fcpts_index_map_cuda_forward, fcpts_index_map_cuda*, const float*, float*)
FCPTS_CUDA_STUB(fcpts_index_map_cuda_backward, fcpts_index_map_cuda*, const float*, float*)

extern "C" void fcpts_index_map_cuda_destroy(fcpts_index_map_cuda*) {}

/* ---- layout ---- */
FCPTS_CUDA_STUB(fcpts_transpose_cuda, const float*, const int64_t*, const int64_t*, int32_t, float*, void*)
FCPTS_CUDA_STUB(fcpts_concat_piece_cuda, const float*, int64_t, int64_t, float*, int64_t, int64_t, void*)
FCPTS_CUDA_STUB(fcpts_slice_piece_cuda, const float*, int64_t, int64_t, int64_t, int64_t, float*, void*)
FCPTS_CUDA_STUB(fcpts_pad_planes_cuda, const float*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                float*, void*)
FCPTS_CUDA_STUB(fcpts_crop_planes_cuda, const float*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                float*, void*)
FCPTS_CUDA_STUB(fcpts_im2col_cuda, const int64_t*, const float*, float*, void*)
FCPTS_CUDA_STUB(fcpts_sparse_epilogue_cuda, const float*, const float*, const float*, int64_t, int64_t, int64_t,
                int32_t, float, float, float*, void*)

/* ---- losses ---- */
FCPTS_CUDA_STUB(fcpts_cross_entropy_cuda, const float*, const int64_t*, int64_t, int64_t, double*, double*, float*,
                void*)
FCPTS_CUDA_STUB(fcpts_kl_distill_cuda, const float*, const float*, int64_t, int64_t, float, double*, double*, float*,
                void*)
FCPTS_CUDA_STUB(fcpts_mse_cuda, const float*, const float*, int64_t, int64_t, double*, double*, float*, void*)

/* ---- optimizers ---- */
FCPTS_CUDA_STUB(fcpts_sgd_step_cuda, float*, const float*, float*, const float*, int64_t, float, float, float, void*)
FCPTS_CUDA_STUB(fcpts_adam_step_cuda, float*, const float*, float*, float*, const float*, int64_t, float, float, float,
                float, float, int64_t, void*)
FCPTS_CUDA_STUB(fcpts_masked_copy_cuda, const float*, const float*, float*, int64_t, float, void*)

extern "C" const char* fcpts_cuda_build_info(void) {
    return "libfcpts_cuda " FCPTS_VERSION "; CPU-only build (no CUDA compiler found)";
}

extern "C" int32_t fcpts_cuda_compiled(void) { return 0; }

/* ---- fcpts/sparse_cuda.h ---- */
FCPTS_CUDA_STUB(fcpts_sparse_conv_cuda_create, const int64_t*, const int32_t*, const int32_t*, const float*, int64_t,
                const float*, int32_t, float, float, void*, fcpts_sparse_conv_cuda**)
FCPTS_CUDA_STUB(fcpts_sparse_conv_cuda_forward, fcpts_sparse_conv_cuda*, const float*, const float*, float*)

extern "C" void fcpts_sparse_conv_cuda_destroy(fcpts_sparse_conv_cuda*) {}
