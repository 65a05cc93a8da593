/* Sparse convolution building blocks on the CPU (sparse runtime, issue 5): im2col and CSR x dense.
 *
 * A convolution y = W * x with a pruned weight W [C_out, C_in/g, k_h, k_w] is, per image and group,
 *   Y_g [C_out/g, OH*OW] = W_g [C_out/g, C_in/g * k_h * k_w] x col_g [C_in/g * k_h * k_w, OH*OW]
 * with W_g in CSR (row = output channel, column = input channel x kernel position, int32 indices) and
 * col_g the im2col unfolding of the group's input channels. Each stored weight multiplies one contiguous
 * row of col (OH*OW floats), so the inner loop vectorizes over output positions. Called by
 * io.github.fcpts4j.sparse.SparseConv through CpuNatives. All buffers are host memory.
 */
#ifndef FCPTS_SPARSE_CPU_H
#define FCPTS_SPARSE_CPU_H

#include <stdint.h>

#include "fcpts/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* col [channels * k_h * k_w, out_h * out_w] from x [channels, h, w] (one image, the group's channels);
 * padding reads as 0; stride and dilation as in ONNX Conv. */
int fcpts_im2col_cpu(const float* __restrict__ x, int64_t channels, int64_t h, int64_t w, int64_t k_h, int64_t k_w,
                     int64_t stride_h, int64_t stride_w, int64_t pad_top, int64_t pad_left, int64_t dilation_h,
                     int64_t dilation_w, int64_t out_h, int64_t out_w, float* __restrict__ col, int32_t n_threads,
                     fcpts_status* status);

/* For rows m in [row_begin, row_end):  y[(m - row_begin) * n + j] = bias[m] + sum_p values[p] * b[col_idx[p] * n + j]
 * over p in [row_ptr[m], row_ptr[m + 1]); bias may be NULL. row_ptr [rows + 1], col_idx / values [nnz],
 * b [columns, n], y [row_end - row_begin, n]; col_idx must be < b's row count (checked by the caller). */
int fcpts_csr_spmm_cpu(int64_t row_begin, int64_t row_end, const int32_t* __restrict__ row_ptr,
                       const int32_t* __restrict__ col_idx, const float* __restrict__ values,
                       const float* __restrict__ bias, const float* __restrict__ b, int64_t n, float* __restrict__ y,
                       int32_t n_threads, fcpts_status* status);

#ifdef __cplusplus
}
#endif

#endif /* FCPTS_SPARSE_CPU_H */
