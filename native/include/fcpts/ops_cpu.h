/*
 * C ABI of the CPU network operators (forward, inference semantics) used by the
 * execution engine (java: io.github.fcpts4j.engine through backend.cpu).
 * All tensors are dense float32, row-major (NCHW for images), host memory.
 *
 * oneDNN plans (convolution, pooling, matrix product) are built once per shape
 * and executed many times; a plan owns its primitive and must be destroyed.
 * Window geometry, int64[FCPTS_GEOMETRY_LEN], ONNX conventions (dilation 1 = none):
 *   {n, c, h, w, oc, oh, ow, kh, kw, stride_h, stride_w, dilation_h, dilation_w,
 *    pad_top, pad_left, pad_bottom, pad_right, groups}
 * The other operators are OpenMP loops:
 *   unary    y = f(x) elementwise (relu, clip, leaky relu, sigmoid, hard sigmoid, hard swish, tanh, exp,
 *            sqrt, erf; the math of each is its entry in fcpts/ops.def)
 *   binary   y = a (op) b with numpy broadcasting given as element strides (0 = broadcast)
 *   batchnorm (inference) y = (x - mean) / sqrt(var + eps) * gamma + beta per channel
 *   global average pool, softmax over one axis, transpose, concat piece copy,
 *   layer norm  y = (x - mu) invstd gamma + beta per row of [rows, cols].
 * Index maps (Resize, Pad, Slice, Gather, the reductions) are plans too (fcpts_index_map, index_map_ops_cpu.cpp;
 * per-element math in fcpts/index_map_math.h), as are batched matrix products (oneDNN).
 */
#ifndef FCPTS_OPS_CPU_H
#define FCPTS_OPS_CPU_H

#include <stdint.h>

#include "fcpts/ops.def"
#include "fcpts/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FCPTS_GEOMETRY_LEN 18
#define FCPTS_MAX_RANK 8

typedef struct fcpts_dnnl_plan fcpts_dnnl_plan;

/*
 * The op enums, generated from the lists of fcpts/ops.def: values 0 .. COUNT - 1 in list order, the
 * names those of the Java enums (NetworkKernels.Unary / Binary / Pool, ConvActivation), which pass
 * their ordinals.
 *   fcpts_unary_op    FCPTS_UNARY_RELU, ... (CLIP: alpha = min, beta = max; LEAKY_RELU: alpha = slope;
 *                     HARD_SIGMOID: max(0, min(1, alpha x + beta)))
 *   fcpts_binary_op   FCPTS_BINARY_ADD, SUB, MUL, DIV, EQUAL (1 where a == b, else 0)
 *   fcpts_pool_kind   FCPTS_POOL_MAX, FCPTS_POOL_AVERAGE_EXCLUDE_PAD, FCPTS_POOL_AVERAGE_INCLUDE_PAD
 *   fcpts_activation  activation of a fused epilogue: FCPTS_ACT_NONE v, RELU max(v, 0), CLIP min(max(v, lo), hi)
 */
#define FCPTS_X_UNARY_ENUM_(NAME, ...) FCPTS_UNARY_##NAME,
#define FCPTS_X_BINARY_ENUM_(NAME, ...) FCPTS_BINARY_##NAME,
#define FCPTS_X_POOL_ENUM_(NAME) FCPTS_POOL_##NAME,
#define FCPTS_X_ACT_ENUM_(NAME, ...) FCPTS_ACT_##NAME,
#define FCPTS_X_PLUS_ONE_(...) +1
enum fcpts_unary_op { FCPTS_UNARY_OPS(FCPTS_X_UNARY_ENUM_) };
enum fcpts_binary_op { FCPTS_BINARY_OPS(FCPTS_X_BINARY_ENUM_) };
enum fcpts_pool_kind { FCPTS_POOL_KINDS(FCPTS_X_POOL_ENUM_) };
enum fcpts_activation { FCPTS_ACTIVATIONS(FCPTS_X_ACT_ENUM_) };
enum {
    FCPTS_UNARY_OP_COUNT = 0 FCPTS_UNARY_OPS(FCPTS_X_PLUS_ONE_),
    FCPTS_BINARY_OP_COUNT = 0 FCPTS_BINARY_OPS(FCPTS_X_PLUS_ONE_),
    FCPTS_POOL_KIND_COUNT = 0 FCPTS_POOL_KINDS(FCPTS_X_PLUS_ONE_),
    FCPTS_ACTIVATION_COUNT = 0 FCPTS_ACTIVATIONS(FCPTS_X_PLUS_ONE_)
};

/* The lists, numbered for fcpts_enum_name / fcpts_enum_count. */
enum fcpts_enum_kind {
    FCPTS_ENUM_UNARY_OP = 0,
    FCPTS_ENUM_BINARY_OP = 1,
    FCPTS_ENUM_POOL_KIND = 2,
    FCPTS_ENUM_ACTIVATION = 3
};

/* Name of `value` in list `kind` without its prefix ("RELU", "AVERAGE_EXCLUDE_PAD"); NULL when either is out
 * of range. Static storage. */
const char* fcpts_enum_name(int32_t kind, int32_t value);

/* Number of values of list `kind`; -1 for an unknown kind. */
int32_t fcpts_enum_count(int32_t kind);

/* Entry check of an op value: FCPTS_INVALID_ARGUMENT naming the enum and the value when it is not in the list. */
#define FCPTS_REQUIRE_ENUM(status, value, count, enum_name)                                                \
    FCPTS_REQUIRE(status, (value) >= 0 && (value) < (count), -1,                                            \
                  "unknown %s value %d (defined: 0..%d, fcpts/ops.def)", enum_name, (int)(value), (count) - 1)
#define FCPTS_REQUIRE_UNARY_OP(status, op) FCPTS_REQUIRE_ENUM(status, op, FCPTS_UNARY_OP_COUNT, "fcpts_unary_op")
#define FCPTS_REQUIRE_BINARY_OP(status, op) FCPTS_REQUIRE_ENUM(status, op, FCPTS_BINARY_OP_COUNT, "fcpts_binary_op")
#define FCPTS_REQUIRE_POOL_KIND(status, kind) FCPTS_REQUIRE_ENUM(status, kind, FCPTS_POOL_KIND_COUNT, "fcpts_pool_kind")
#define FCPTS_REQUIRE_ACTIVATION(status, act) \
    FCPTS_REQUIRE_ENUM(status, act, FCPTS_ACTIVATION_COUNT, "fcpts_activation")

/* Convolution forward: y [n,oc,oh,ow] = act(conv(x [n,c,h,w], weight [oc, c/groups, kh, kw]) + bias + residual).
 * flags: FCPTS_CONV_BIAS (bias [oc] given), FCPTS_CONV_CONSTANT_WEIGHTS (the weight buffer's contents never
 * change: forward reorders it into the primitive's layout once per weight pointer and reuses that copy; no
 * backward), FCPTS_CONV_RESIDUAL (residual [n,oc,oh,ow] given, oneDNN sum post-op). A residual or an
 * activation (eltwise post-op) needs FCPTS_CONV_CONSTANT_WEIGHTS; residual is NULL unless the plan has one. */
enum fcpts_conv_flags { FCPTS_CONV_BIAS = 1, FCPTS_CONV_CONSTANT_WEIGHTS = 2, FCPTS_CONV_RESIDUAL = 4 };
int fcpts_conv_plan_create(const int64_t* geometry, int32_t flags, int32_t activation, float act_lo, float act_hi,
                           int32_t n_threads, fcpts_dnnl_plan** plan, fcpts_status* status);
int fcpts_conv_forward(fcpts_dnnl_plan* plan, const float* x, const float* weight, const float* bias,
                       const float* residual, float* y, fcpts_status* status);

/* Pooling forward: x [n,c,h,w] -> y [n,c,oh,ow]; geometry oc = c, groups ignored. Max: a window holding a NaN
 * gives NaN (oneDNN skips NaN; the plan marks those windows after it, see dnnl_plans_cpu.cpp). */
int fcpts_pool_plan_create(const int64_t* geometry, int32_t kind, int32_t n_threads, fcpts_dnnl_plan** plan,
                           fcpts_status* status);
int fcpts_pool_forward(fcpts_dnnl_plan* plan, const float* x, float* y, fcpts_status* status);

/* Matrix product y[m,n] = op(a) op(b) (+ bias[n]); op = transpose when trans_* != 0; a is [m,k] or [k,m]. */
int fcpts_matmul_plan_create(int64_t m, int64_t k, int64_t n, int32_t trans_a, int32_t trans_b, int32_t has_bias,
                             int32_t n_threads, fcpts_dnnl_plan** plan, fcpts_status* status);
int fcpts_matmul_forward(fcpts_dnnl_plan* plan, const float* a, const float* b, const float* bias, float* y,
                         fcpts_status* status);

/*
 * Batched matrix product y[b] = op(a[b]) op(b[b]) for b < batch: a [batch, m, k] (trans_a: stored [batch, k, m]),
 * b [batch, k, n] (trans_b: stored [batch, n, k]) or, when shared_b != 0, one b [k, n] ([n, k]) for every batch
 * entry; y [batch, m, n]; all dense row-major host buffers. A oneDNN matmul with a batch dimension (a shared b is
 * its batch-1 broadcast). Destroy with fcpts_dnnl_plan_destroy.
 */
int fcpts_batched_matmul_plan_create(int64_t batch, int64_t m, int64_t k, int64_t n, int32_t trans_a,
                                     int32_t trans_b, int32_t shared_b, int32_t n_threads, fcpts_dnnl_plan** plan,
                                     fcpts_status* status);
int fcpts_batched_matmul_forward(fcpts_dnnl_plan* plan, const float* a, const float* b, float* y,
                                 fcpts_status* status);

void fcpts_dnnl_plan_destroy(fcpts_dnnl_plan* plan);

/*
 * Index map plan (math: fcpts/index_map_math.h): x [outer, in_size] -> y [outer, out_size] through a CSR map of
 * out_size rows, the same for every slice o < outer:
 *   SUM (mode FCPTS_INDEX_MAP_SUM)  y[o, r] = sum_k weights[k] x[o, cols[k]]  (weights NULL: all 1)
 *   MAX (mode FCPTS_INDEX_MAP_MAX)  y[o, r] = max_k x[o, cols[k]] (first maximum; NaN propagates), weights ignored
 *   an empty row: y[o, r] = fill.
 * create copies row_ptr [out_size + 1], cols [nnz], weights [nnz] or NULL (host) and builds the transposed map;
 * it checks sizes > 0, row_ptr from 0 to nnz non-decreasing, cols in [0, in_size) (FCPTS_INVALID_ARGUMENT with
 * the offending row or tap in status->index). MAX plans own an argmax buffer of outer * out_size int32.
 * forward: x and y host buffers, y != x. backward overwrites dx [outer, in_size] from dy [outer, out_size]:
 *   SUM dx = map^T dy;  MAX dx[o, c] = sum of dy[o, r] over the rows whose last forward's winner read c
 * (0 where nothing maps); one writer per dx element in a fixed order: the same bits for any thread count.
 * A MAX backward before any forward is FCPTS_INVALID_ARGUMENT.
 */
typedef struct fcpts_index_map fcpts_index_map;
int fcpts_index_map_create(int64_t outer, int64_t in_size, int64_t out_size, const int32_t* row_ptr,
                           const int32_t* cols, const float* weights, int64_t nnz, float fill, int32_t mode,
                           int32_t n_threads, fcpts_index_map** plan, fcpts_status* status);
int fcpts_index_map_forward(fcpts_index_map* plan, const float* x, float* y, fcpts_status* status);
int fcpts_index_map_backward(fcpts_index_map* plan, const float* dy, float* dx, fcpts_status* status);
void fcpts_index_map_destroy(fcpts_index_map* plan);

int fcpts_unary_cpu(int32_t op, float alpha, float beta, const float* x, float* y, int64_t n, int32_t n_threads,
                    fcpts_status* status);

/* y_dims[rank]; a_strides / b_strides[rank] in elements, 0 on broadcast axes. */
int fcpts_binary_cpu(int32_t op, const float* a, const int64_t* a_strides, const float* b, const int64_t* b_strides,
                     float* y, const int64_t* y_dims, int32_t rank, int32_t n_threads, fcpts_status* status);

int fcpts_batchnorm_inference_cpu(const float* x, int64_t n, int64_t c, int64_t spatial, const float* gamma,
                                  const float* beta, const float* mean, const float* var, float epsilon, float* y,
                                  int32_t n_threads, fcpts_status* status);

/* y[i] = mean of x[i * spatial .. (i + 1) * spatial), i < planes. */
int fcpts_global_avg_pool_cpu(const float* x, int64_t planes, int64_t spatial, float* y, int32_t n_threads,
                              fcpts_status* status);

/* Softmax over the middle axis of x viewed as [outer, axis, inner]. */
int fcpts_softmax_cpu(const float* x, int64_t outer, int64_t axis, int64_t inner, float* y, int32_t n_threads,
                      fcpts_status* status);

/* y = x transposed by perm (y dim i = x dim perm[i]); dims of x, rank <= FCPTS_MAX_RANK. */
int fcpts_transpose_cpu(const float* x, const int64_t* x_dims, const int64_t* perm, int32_t rank, float* y,
                        int32_t n_threads, fcpts_status* status);

/* Concat piece: for o < outer, y[o * y_block + offset .. + block) = x[o * block .. + block). */
int fcpts_concat_piece_cpu(const float* x, int64_t outer, int64_t block, float* y, int64_t y_block, int64_t offset,
                           int32_t n_threads, fcpts_status* status);

/*
 * Layer normalization of each row of x [rows, cols] (gamma, beta [cols]; beta may be NULL):
 *   mu = mean of the row (double sum), var = mean of (x - mu)^2 (biased, double), invstd = 1 / sqrt(var + eps),
 *   y = (x - mu) invstd gamma + beta   (float, per element fcpts_layer_norm_value of fcpts/ops_math.h);
 * save_mean / save_invstd [rows] keep mu and invstd for the backward. y may alias x.
 */
int fcpts_layer_norm_cpu(const float* x, int64_t rows, int64_t cols, const float* gamma, const float* beta,
                         float epsilon, float* y, float* save_mean, float* save_invstd, int32_t n_threads,
                         fcpts_status* status);

/* ---- backward (gradients; the forward's arguments plus dy; NULL outputs are skipped) ---- */

/*
 * Convolution backward from a plan made by fcpts_conv_plan_create:
 *   dx = conv_transpose(dy, weight), dweight = correlation(x, dy), dbias = sum of dy over n, h, w.
 * The backward primitives are built on first use and kept in the plan.
 */
int fcpts_conv_backward(fcpts_dnnl_plan* plan, const float* x, const float* weight, const float* dy, float* dx,
                        float* dweight, float* dbias, fcpts_status* status);

/* Pooling backward: max routes dy to the arg-max of each window (recomputed from x), average spreads it. */
int fcpts_pool_backward(fcpts_dnnl_plan* plan, const float* x, const float* dy, float* dx, fcpts_status* status);

/* dx = f'(x) dy for the unary ops (y = f(x) is not needed). */
int fcpts_unary_backward_cpu(int32_t op, float alpha, float beta, const float* x, const float* dy, float* dx,
                             int64_t n, int32_t n_threads, fcpts_status* status);

/*
 * Binary backward with broadcasting: per output element the local gradients
 *   add: (dy, dy)  sub: (dy, -dy)  mul: (dy b, dy a)  div: (dy / b, -dy a / b^2)  equal: (0, 0)
 * summed over the axes each operand was broadcast along (strides 0), written to
 * da / db (dense, in the operand's own shape). Either may be NULL.
 */
int fcpts_binary_backward_cpu(int32_t op, const float* a, const int64_t* a_strides, const float* b,
                              const int64_t* b_strides, const float* dy, const int64_t* y_dims, int32_t rank,
                              float* da, float* db, int32_t n_threads, fcpts_status* status);

/* Inference BatchNorm backward: dx = dy s, dgamma = sum dy (x - mean) / sqrt(var + eps), dbeta = sum dy. */
int fcpts_batchnorm_backward_cpu(const float* x, const float* dy, int64_t n, int64_t c, int64_t spatial,
                                 const float* gamma, const float* mean, const float* var, float epsilon, float* dx,
                                 float* dgamma, float* dbeta, int32_t n_threads, fcpts_status* status);

/* dx[p * spatial + i] = dy[p] / spatial. */
int fcpts_global_avg_pool_backward_cpu(const float* dy, int64_t planes, int64_t spatial, float* dx,
                                       int32_t n_threads, fcpts_status* status);

/* Softmax backward from its output y: dx = y (dy - sum_axis dy y). */
int fcpts_softmax_backward_cpu(const float* y, const float* dy, int64_t outer, int64_t axis, int64_t inner,
                               float* dx, int32_t n_threads, fcpts_status* status);

/* Inverse of fcpts_concat_piece_cpu: dx[o * block, + block) = dy[o * y_block + offset, + block). */
int fcpts_slice_piece_cpu(const float* dy, int64_t outer, int64_t block, int64_t y_block, int64_t offset, float* dx,
                          int32_t n_threads, fcpts_status* status);

/* y[i] = value for i < n. */
int fcpts_fill_cpu(float* y, int64_t n, float value, int32_t n_threads, fcpts_status* status);

/* out[j] = sum_i x[i * cols + j] (column sums of a [rows, cols] matrix, in double). */
int fcpts_column_sum_cpu(const float* x, int64_t rows, int64_t cols, float* out, int32_t n_threads,
                         fcpts_status* status);

/*
 * Training-mode BatchNorm: batch statistics per channel over (n, spatial),
 *   mean = E[x], var = E[(x - mean)^2] (biased), invstd = 1 / sqrt(var + eps),
 *   y = (x - mean) invstd gamma + beta;
 * the running statistics move towards the batch ones (ONNX momentum m):
 *   running_mean = m running_mean + (1 - m) mean, running_var likewise with the
 *   unbiased variance var * count / (count - 1).
 * save_mean / save_invstd (c floats) keep what the backward needs.
 */
int fcpts_batchnorm_training_cpu(const float* x, int64_t n, int64_t c, int64_t spatial, const float* gamma,
                                 const float* beta, float* running_mean, float* running_var, float momentum,
                                 float epsilon, float* y, float* save_mean, float* save_invstd, int32_t n_threads,
                                 fcpts_status* status);

/*
 * Backward of training-mode BatchNorm, with xhat = (x - mean) invstd and M = n spatial:
 *   dbeta = sum dy, dgamma = sum dy xhat,
 *   dx = gamma invstd / M (M dy - dbeta - xhat dgamma).
 */
int fcpts_batchnorm_training_backward_cpu(const float* x, const float* dy, int64_t n, int64_t c, int64_t spatial,
                                          const float* gamma, const float* save_mean, const float* save_invstd,
                                          float* dx, float* dgamma, float* dbeta, int32_t n_threads,
                                          fcpts_status* status);

/*
 * Backward of fcpts_layer_norm_cpu from its saved statistics, with g = dy gamma and xhat = (x - mu) invstd:
 *   dx = invstd / cols (cols g - sum_row g - xhat sum_row g xhat)   (row sums in double)
 *   dgamma[j] = sum over rows dy xhat,  dbeta[j] = sum over rows dy   (double, overwritten)
 * dx, dgamma, dbeta may each be NULL; dx may alias dy.
 */
int fcpts_layer_norm_backward_cpu(const float* x, const float* dy, int64_t rows, int64_t cols, const float* gamma,
                                  const float* save_mean, const float* save_invstd, float* dx, float* dgamma,
                                  float* dbeta, int32_t n_threads, fcpts_status* status);

/* ---- losses over [n, classes] logits; loss is the batch mean; grad = d loss / d logits (may be NULL) ---- */

/* Softmax cross-entropy with integer labels in [0, classes). */
int fcpts_cross_entropy_cpu(const float* logits, const int64_t* labels, int64_t n, int64_t classes, double* loss,
                            float* grad, int32_t n_threads, fcpts_status* status);

/* T^2 KL(softmax(teacher / T) || softmax(student / T)), FCPTS.md section 4. */
int fcpts_kl_distill_cpu(const float* student, const float* teacher, int64_t n, int64_t classes, float temperature,
                         double* loss, float* grad, int32_t n_threads, fcpts_status* status);

/* Mean over the batch of the squared error summed over features: sum (a - b)^2 / n. */
int fcpts_mse_cpu(const float* a, const float* b, int64_t n, int64_t features, double* loss, float* grad,
                  int32_t n_threads, fcpts_status* status);

/* How many native plans of this library exist now (oneDNN plans, index maps, sparse conv / linear plans): a
 * leak check, for tests; every plan counts from its creation (a failed one included) to its destroy. */
int64_t fcpts_cpu_live_plans(void);

#ifdef __cplusplus
}
#endif

#endif /* FCPTS_OPS_CPU_H */
