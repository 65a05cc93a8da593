/*
 * C ABI of the GPU network operators of libfcpts_cuda: the small kernels the
 * Java CUDA backend (io.github.fcpts4j.backend.cuda) runs next to cuDNN
 * (convolution) and cuBLAS (matrix products). Same math and argument order as
 * the CPU twins in fcpts/ops_cpu.h and fcpts/optim_cpu.h, with two changes:
 *   - every float / double / int64 array is DEVICE memory unless marked "host";
 *     shapes, strides, permutations and window geometries are small host arrays
 *     passed by value to the kernels;
 *   - the trailing `n_threads` becomes `stream` (a cudaStream_t; NULL = legacy
 *     default stream). Every call is asynchronous on that stream and returns
 *     the launch status (cudaGetLastError) recorded in *status.
 * Enums (fcpts_unary_op, fcpts_binary_op, fcpts_pool_kind, fcpts_activation,
 * generated from the lists of fcpts/ops.def; an unknown value is FCPTS_INVALID_ARGUMENT)
 * and FCPTS_GEOMETRY_LEN come from fcpts/ops_cpu.h. Reductions never use float
 * atomics: results are the same on every run. No CUDA type appears here, so
 * the JNI glue compiles without CUDA headers. Batched matrix products are cublasSgemmStridedBatched calls made
 * from Java (backend.cuda.CudaBatchedMatMulPlan), not part of this library.
 */
#ifndef FCPTS_OPS_CUDA_H
#define FCPTS_OPS_CUDA_H

#include <stdint.h>

#include "fcpts/ops_cpu.h"
#include "fcpts/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- elementwise ---- */

/* y = f(x), n elements (fcpts_unary_op). */
int fcpts_unary_cuda(int32_t op, float alpha, float beta, const float* x, float* y, int64_t n, void* stream,
                     fcpts_status* status);

/* dx = f'(x) dy. */
int fcpts_unary_backward_cuda(int32_t op, float alpha, float beta, const float* x, const float* dy, float* dx,
                              int64_t n, void* stream, fcpts_status* status);

/* y = a (op) b; y_dims, a_strides, b_strides: host, rank <= FCPTS_MAX_RANK, strides 0 on broadcast axes. */
int fcpts_binary_cuda(int32_t op, const float* a, const int64_t* a_strides, const float* b, const int64_t* b_strides,
                      float* y, const int64_t* y_dims, int32_t rank, void* stream, fcpts_status* status);

/*
 * Gradients of y = a (op) b summed over each operand's broadcast axes, written
 * dense in the operand's own shape (da / db may be NULL). No atomics: one thread
 * per operand element loops over the y elements that read it in the CPU's order,
 * or, for few operand elements with >= 256 terms each (bias-like gradients), one
 * block per operand element sums them with a fixed tree (the choice depends on
 * the shape only, so results are reproducible).
 */
int fcpts_binary_backward_cuda(int32_t op, const float* a, const int64_t* a_strides, const float* b,
                               const int64_t* b_strides, const float* dy, const int64_t* y_dims, int32_t rank,
                               float* da, float* db, void* stream, fcpts_status* status);

/* y[i] = value, n elements. */
int fcpts_fill_cuda(float* y, int64_t n, float value, void* stream, fcpts_status* status);

/*
 * Convolution epilogue, in place on y [n, oc, spatial]:
 *   y = act(y + bias[oc] + residual)   (bias / residual may be NULL; fcpts_activation, lo / hi for clip).
 */
int fcpts_conv_epilogue_cuda(float* y, const float* bias, const float* residual, int64_t n, int64_t oc,
                             int64_t spatial, int32_t activation, float lo, float hi, void* stream,
                             fcpts_status* status);

/* ---- normalization, pooling, softmax ---- */

/* The CPU's host-side check variance + epsilon > 0 is skipped (variance is device memory): such a channel
 * gives NaN / inf instead of FCPTS_INVALID_ARGUMENT. */
int fcpts_batchnorm_inference_cuda(const float* x, int64_t n, int64_t c, int64_t spatial, const float* gamma,
                                   const float* beta, const float* mean, const float* variance, float epsilon,
                                   float* y, void* stream, fcpts_status* status);

int fcpts_batchnorm_backward_cuda(const float* x, const float* dy, int64_t n, int64_t c, int64_t spatial,
                                  const float* gamma, const float* mean, const float* variance, float epsilon,
                                  float* dx, float* dgamma, float* dbeta, void* stream, fcpts_status* status);

/* Training-mode BatchNorm (batch statistics, running statistics moved with ONNX momentum); see ops_cpu.h. */
int fcpts_batchnorm_training_cuda(const float* x, int64_t n, int64_t c, int64_t spatial, const float* gamma,
                                  const float* beta, float* running_mean, float* running_var, float momentum,
                                  float epsilon, float* y, float* save_mean, float* save_invstd, void* stream,
                                  fcpts_status* status);

int fcpts_batchnorm_training_backward_cuda(const float* x, const float* dy, int64_t n, int64_t c, int64_t spatial,
                                           const float* gamma, const float* save_mean, const float* save_invstd,
                                           float* dx, float* dgamma, float* dbeta, void* stream,
                                           fcpts_status* status);

/* y[p] = mean of plane p (spatial elements), p < planes; backward spreads dy[p] / spatial. */
int fcpts_global_avg_pool_cuda(const float* x, int64_t planes, int64_t spatial, float* y, void* stream,
                               fcpts_status* status);
int fcpts_global_avg_pool_backward_cuda(const float* dy, int64_t planes, int64_t spatial, float* dx, void* stream,
                                        fcpts_status* status);

/*
 * Window pooling x [n, c, h, w] -> y [n, c, oh, ow]; geometry: host int64[FCPTS_GEOMETRY_LEN] as in ops_cpu.h
 * (asymmetric pads and dilations allowed; padded cells never win a max and count only for AVG_INCLUDE_PAD; a
 * window holding a NaN gives NaN for max, as the CPU plan).
 * Backward: one thread per dx element gathers from the windows that contain it (max: recomputes each
 * window's first arg-max from x), so no atomics.
 */
int fcpts_pool_forward_cuda(const int64_t* geometry, int32_t kind, const float* x, float* y, void* stream,
                            fcpts_status* status);
int fcpts_pool_backward_cuda(const int64_t* geometry, int32_t kind, const float* x, const float* dy, float* dx,
                             void* stream, fcpts_status* status);

/* Softmax over the middle axis of [outer, axis, inner]; backward from y: dx = y (dy - sum_axis dy y). */
int fcpts_softmax_cuda(const float* x, int64_t outer, int64_t axis, int64_t inner, float* y, void* stream,
                       fcpts_status* status);
int fcpts_softmax_backward_cuda(const float* y, const float* dy, int64_t outer, int64_t axis, int64_t inner,
                                float* dx, void* stream, fcpts_status* status);

/*
 * Layer normalization of each row of x [rows, cols] (fcpts_layer_norm_cpu of ops_cpu.h; beta may be NULL; y may
 * alias x): a group of min(256, pow2ceil(cols)) threads per row sums x, then (x - mu)^2, in double with a fixed
 * shuffle / shared-memory tree; y per element as on the CPU. The row sums' order differs from the CPU's
 * sequential one, so mu / invstd (and y) may differ from it by an ulp of float; results are reproducible.
 * Backward (dx may alias dy; NULL outputs skipped): dgamma / dbeta as column sums over the rows (32 columns per
 * block, 8 row lanes added in lane order, double), then dx per row group (row sums in double).
 */
int fcpts_layer_norm_cuda(const float* x, int64_t rows, int64_t cols, const float* gamma, const float* beta,
                          float epsilon, float* y, float* save_mean, float* save_invstd, void* stream,
                          fcpts_status* status);
int fcpts_layer_norm_backward_cuda(const float* x, const float* dy, int64_t rows, int64_t cols, const float* gamma,
                                   const float* save_mean, const float* save_invstd, float* dx, float* dgamma,
                                   float* dbeta, void* stream, fcpts_status* status);

/* out[j] = sum_i x[i * cols + j], accumulated in double. */
int fcpts_column_sum_cuda(const float* x, int64_t rows, int64_t cols, float* out, void* stream,
                          fcpts_status* status);

/* ---- layout ---- */

/* y = x transposed by perm (host arrays x_dims / perm of rank <= FCPTS_MAX_RANK). */
int fcpts_transpose_cuda(const float* x, const int64_t* x_dims, const int64_t* perm, int32_t rank, float* y,
                         void* stream, fcpts_status* status);

/* For o < outer: y[o * y_block + offset, + block) = x[o * block, + block); slice is the inverse. */
int fcpts_concat_piece_cuda(const float* x, int64_t outer, int64_t block, float* y, int64_t y_block, int64_t offset,
                            void* stream, fcpts_status* status);
int fcpts_slice_piece_cuda(const float* dy, int64_t outer, int64_t block, int64_t y_block, int64_t offset, float* dx,
                           void* stream, fcpts_status* status);

/*
 * Zero padding of planes: x [planes, h, w] -> y [planes, h + top + bottom, w + left + right] (pads >= 0).
 * Crop is its adjoint: x [planes, h, w] = y window at (top, left); used for convolutions whose ONNX pads are
 * asymmetric (cuDNN pads symmetrically).
 */
int fcpts_pad_planes_cuda(const float* x, int64_t planes, int64_t h, int64_t w, int64_t top, int64_t bottom,
                          int64_t left, int64_t right, float* y, void* stream, fcpts_status* status);
int fcpts_crop_planes_cuda(const float* y, int64_t planes, int64_t h, int64_t w, int64_t top, int64_t bottom,
                           int64_t left, int64_t right, float* x, void* stream, fcpts_status* status);

/*
 * im2col for one group-free convolution (geometry groups must be 1):
 *   cols[(ci * kh + i) * kw + j][(b * oh + y) * ow + x] = x[b, ci, y * sh - pt + i * dh, x * sw - pl + j * dw]
 * (0 outside the input); cols is [c * kh * kw, n * oh * ow] row-major.
 */
int fcpts_im2col_cuda(const int64_t* geometry, const float* x, float* cols, void* stream, fcpts_status* status);

/*
 * Sparse-product epilogue: src [oc, n * spatial] (the SpMM result) ->
 *   y[b, o, s] = act(src[o, b * spatial + s] + bias[o] + residual[b, o, s]);  bias / residual may be NULL.
 */
int fcpts_sparse_epilogue_cuda(const float* src, const float* bias, const float* residual, int64_t n, int64_t oc,
                               int64_t spatial, int32_t activation, float lo, float hi, float* y, void* stream,
                               fcpts_status* status);

/* ---- index maps (fcpts_index_map_create of ops_cpu.h; math: fcpts/index_map_math.h) ---- */

/*
 * The GPU index map plan. create takes the map as HOST arrays (row_ptr [out_size + 1], cols [nnz], weights [nnz]
 * or NULL), runs the CPU plan's checks (same statuses), builds the transposed map on the host and copies all of
 * it into device buffers the plan owns (cudaMalloc'd, freed by destroy; cudaErrorMemoryAllocation is
 * FCPTS_OUT_OF_MEMORY), plus the argmax buffer [outer * out_size] of a MAX plan; it waits for the copies.
 * forward / backward take DEVICE x, y / dy, dx, run on the plan's stream, and compute the CPU plan's bits:
 * one thread per output element in the CPU's summation order (MAX backward: per dx element over its
 * transposed taps, so rows sharing a winner never race).
 */
typedef struct fcpts_index_map_cuda fcpts_index_map_cuda;
int fcpts_index_map_cuda_create(int64_t outer, int64_t in_size, int64_t out_size, const int32_t* row_ptr,
                                const int32_t* cols, const float* weights, int64_t nnz, float fill, int32_t mode,
                                void* stream, fcpts_index_map_cuda** plan, fcpts_status* status);
int fcpts_index_map_cuda_forward(fcpts_index_map_cuda* plan, const float* x, float* y, fcpts_status* status);
int fcpts_index_map_cuda_backward(fcpts_index_map_cuda* plan, const float* dy, float* dx, fcpts_status* status);
void fcpts_index_map_cuda_destroy(fcpts_index_map_cuda* plan);

/* ---- losses over [n, classes]: loss (device, 1 double) = batch mean; grad may be NULL ---- */
/* row_loss: device scratch of n doubles (per-row terms, then summed in a fixed order). n must be > 0. */
/* labels are device memory: a label outside [0, classes) is not an error status but makes that row's
 * row_loss (hence loss) and gradient row NaN. */

int fcpts_cross_entropy_cuda(const float* logits, const int64_t* labels, int64_t n, int64_t classes,
                             double* row_loss, double* loss, float* grad, void* stream, fcpts_status* status);

int fcpts_kl_distill_cuda(const float* student, const float* teacher, int64_t n, int64_t classes, float temperature,
                          double* row_loss, double* loss, float* grad, void* stream, fcpts_status* status);

int fcpts_mse_cuda(const float* a, const float* b, int64_t n, int64_t features, double* row_loss, double* loss,
                   float* grad, void* stream, fcpts_status* status);

/* ---- optimizer updates (math in fcpts/optim_cpu.h; mask may be NULL) ---- */

int fcpts_sgd_step_cuda(float* w, const float* g, float* velocity, const float* mask, int64_t n, float lr,
                        float momentum, float weight_decay, void* stream, fcpts_status* status);

int fcpts_adam_step_cuda(float* w, const float* g, float* m1, float* m2, const float* mask, int64_t n, float lr,
                         float beta1, float beta2, float epsilon, float weight_decay, int64_t step, void* stream,
                         fcpts_status* status);

/*
 * Masked copy of the pruning loop (fcpts_masked_copy_cpu of fcpts/optim_cpu.h), for i < n:
 *   dst[i] = kept ? src[i] : 0,   kept = keep ? keep[i] != 0 : (threshold < 0 || fcpts_is_kept(|src[i]|, threshold))
 * src and dst must not overlap (checked on the addresses).
 */
int fcpts_masked_copy_cuda(const float* src, const float* keep, float* dst, int64_t n, float threshold, void* stream,
                           fcpts_status* status);

#ifdef __cplusplus
}
#endif

#endif /* FCPTS_OPS_CUDA_H */
