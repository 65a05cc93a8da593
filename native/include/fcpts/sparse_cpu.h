/* Sparse convolution on the CPU (sparse runtime, issue 5): a plan per layer, CSR weights, fused epilogue.
 *
 * A convolution y = W * x with a pruned weight W [C_out, C_in/g, k_h, k_w] is, per image,
 *   y[m, q] = act( bias[m] + residual[m, q] + sum_{p in row m} values[p] * S[offset[p] + q] )
 * where row m of W is stored in CSR (column = input channel x kernel position within the row's group)
 * and S is a staging buffer laid out so that every stored weight multiplies a contiguous run of S: the
 * zero-padded input split into stride_h x stride_w phase planes of Hq x Wq (one plane, the padded input,
 * for stride 1), output (oh, ow) at q = oh*Wq + ow; the Wq - OW positions per row with ow >= OW are
 * computed and dropped. No im2col: staging costs one pass over the input whatever the kernel size.
 * The kernel keeps 64 consecutive q of one output channel in registers and streams the channel's stored
 * weights (one broadcast FMA per weight and 8 lanes); tasks (channel x 64 positions) are split over OpenMP
 * threads; bias, residual and the activation are applied once per output as it is stored. Non-finite inputs
 * give NaN wherever the dense sum would (0 * Inf for a weight the CSR does not store; see sparse_cpu.cpp),
 * for the fully connected plan too; col_idx must increase within each row.
 * Called by io.github.fcpts4j.backend.cpu.CpuSparseConvPlan through CpuNatives. All buffers are host memory.
 */
#ifndef FCPTS_SPARSE_CPU_H
#define FCPTS_SPARSE_CPU_H

#include <stdint.h>

#include "fcpts/ops_cpu.h"
#include "fcpts/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fcpts_sparse_conv fcpts_sparse_conv;

/* Builds the plan of one layer: geometry int64[FCPTS_GEOMETRY_LEN] as in fcpts/ops_cpu.h (n, c, h, w, oc, oh,
 * ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups); row_ptr [oc + 1], col_idx / values [row_ptr[oc]] with
 * col_idx in [0, c/groups*kh*kw); bias [oc] or NULL;
 * activation: enum fcpts_activation (fcpts/ops_cpu.h), applied after bias and residual. Copies everything it is given; validates the CSR. */
int fcpts_sparse_conv_create(const int64_t* geometry, const int32_t* row_ptr, const int32_t* col_idx,
                             const float* values, const float* bias, int32_t activation, float clip_lo, float clip_hi,
                             int32_t n_threads, fcpts_sparse_conv** plan, fcpts_status* status);

/* y [n, oc, oh, ow] = act(conv(x [n, c, h, w]) + bias + residual); residual [n, oc, oh, ow] or NULL.
 * y must not alias x or residual. */
int fcpts_sparse_conv_forward(fcpts_sparse_conv* plan, const float* x, const float* residual, float* y,
                              fcpts_status* status);

void fcpts_sparse_conv_destroy(fcpts_sparse_conv* plan);

/* A sparse fully connected layer (Gemm / MatMul with a pruned constant weight):
 *   y[n, m] = bias[m] + sum_{p in row m} values[p] * x[n, col_idx[p]]      (n < batch, m < out)
 * W [out, in] in CSR; bias [out] or NULL; x [batch, in], y [batch, out], row-major. Rows are split over
 * OpenMP threads; each row's stored weights are applied to every image while they are in cache. */
typedef struct fcpts_sparse_linear fcpts_sparse_linear;

int fcpts_sparse_linear_create(int64_t batch, int64_t in, int64_t out, const int32_t* row_ptr,
                               const int32_t* col_idx, const float* values, const float* bias, int32_t n_threads,
                               fcpts_sparse_linear** plan, fcpts_status* status);

int fcpts_sparse_linear_forward(fcpts_sparse_linear* plan, const float* x, float* y, fcpts_status* status);

void fcpts_sparse_linear_destroy(fcpts_sparse_linear* plan);

#ifdef __cplusplus
}
#endif

#endif /* FCPTS_SPARSE_CPU_H */
