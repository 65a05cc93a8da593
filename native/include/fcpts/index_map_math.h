/*
 * Index maps: the per-element math shared verbatim by the CPU plan (native/src/index_map_ops_cpu.cpp) and its
 * CUDA twin (cuda-kernels/index_map_ops.cu), plus the host-side argument check and transposed-map builder both
 * plans run at create time. C ABI and contract: fcpts/ops_cpu.h, fcpts/ops_cuda.h (fcpts_index_map*).
 *
 * A map of out_size rows over in_size columns in CSR (row_ptr [out_size + 1], cols / weights [nnz]) applied to
 * every slice o < outer of x [outer, in_size], y [outer, out_size]:
 *   SUM  y[o, r] = sum_{k in row r} w[k] x[o, cols[k]]      (w NULL: x[o, cols[k]] itself, no product)
 *   MAX  y[o, r] = max_{k in row r} x[o, cols[k]]           (weights ignored), argmax[o, r] = the winning tap k
 *   a row without taps: y[o, r] = fill (MAX: argmax -1)
 * Sums run in float in tap order, starting from the first term (a one-tap row copies its input exactly, -0 and
 * NaN payloads included). MAX: the first maximum wins (strictly greater replaces), and a NaN tap wins over any
 * number and is kept once found (NaN propagates, as IEEE max and torch.max do), so the gradient of a NaN output
 * goes to its first NaN tap. ONNX Runtime's CPU ReduceMax (1.21) is order-dependent instead: some layouts keep
 * a NaN only in a row's first position, others (Eigen's vectorized maxCoeff) not even there; its NaN outputs
 * are a subset of these.
 *
 * Backward, through the transposed map (t_ptr [in_size + 1], t_row / t_tap [nnz]: the taps of column c are
 * t_ptr[c] .. t_ptr[c + 1], each with its row r = t_row[j] and original tap index k = t_tap[j], ordered by
 * (r, k) ascending), written once per dx element, so without atomics and in a fixed order:
 *   SUM  dx[o, c] = sum_j w[t_tap[j]] dy[o, t_row[j]]
 *   MAX  dx[o, c] = sum_j [argmax[o, t_row[j]] == t_tap[j]] dy[o, t_row[j]]
 *   (0 where nothing maps or routes to c)
 */
#ifndef FCPTS_INDEX_MAP_MATH_H
#define FCPTS_INDEX_MAP_MATH_H

#include <stddef.h>
#include <stdint.h>

#include "fcpts/hd.h"
#include "fcpts/status.h"

/* enum fcpts_index_map_mode: the mode argument of fcpts_index_map_create / fcpts_index_map_cuda_create. */
enum fcpts_index_map_mode { FCPTS_INDEX_MAP_SUM = 0, FCPTS_INDEX_MAP_MAX = 1 };

/* SUM forward of row [begin, end) of slice xo (x + o in_size); w may be NULL. */
FCPTS_HD float fcpts_index_map_sum_row(const float* xo, const int32_t* cols, const float* w, int32_t begin,
                                       int32_t end, float fill) {
    if (begin >= end) return fill;
    float acc = w ? w[begin] * xo[cols[begin]] : xo[cols[begin]];
    for (int32_t k = begin + 1; k < end; ++k) acc += w ? w[k] * xo[cols[k]] : xo[cols[k]];
    return acc;
}

/* MAX forward of row [begin, end): the value, and in *arg the winning tap (-1 for an empty row). */
FCPTS_HD float fcpts_index_map_max_row(const float* xo, const int32_t* cols, int32_t begin, int32_t end, float fill,
                                       int32_t* arg) {
    if (begin >= end) {
        *arg = -1;
        return fill;
    }
    int32_t best_k = begin;
    float best = xo[cols[begin]];
    for (int32_t k = begin + 1; k < end; ++k) {
        const float v = xo[cols[k]];
        if (v > best || (v != v && best == best)) { /* greater, or the first NaN */
            best = v;
            best_k = k;
        }
    }
    *arg = best_k;
    return best;
}

/* SUM backward of column c (transposed taps [begin, end)) of slice dyo (dy + o out_size); w may be NULL. */
FCPTS_HD float fcpts_index_map_sum_col(const float* dyo, const int32_t* t_row, const int32_t* t_tap, const float* w,
                                       int32_t begin, int32_t end) {
    if (begin >= end) return 0.0f;
    float acc = w ? w[t_tap[begin]] * dyo[t_row[begin]] : dyo[t_row[begin]];
    for (int32_t j = begin + 1; j < end; ++j) acc += w ? w[t_tap[j]] * dyo[t_row[j]] : dyo[t_row[j]];
    return acc;
}

/* MAX backward of column c: the dy of the rows whose recorded winner (argo = argmax + o out_size) is this tap. */
FCPTS_HD float fcpts_index_map_max_col(const float* dyo, const int32_t* argo, const int32_t* t_row,
                                       const int32_t* t_tap, int32_t begin, int32_t end) {
    float acc = 0.0f;
    int any = 0;
    for (int32_t j = begin; j < end; ++j) {
        const int32_t r = t_row[j];
        if (argo[r] == t_tap[j]) {
            acc = any ? acc + dyo[r] : dyo[r];
            any = 1;
        }
    }
    return acc;
}

/*
 * Host side (plain static inline: __host__ only under nvcc), run by both plans' create. The argument check: sizes > 0 (in_size and nnz fit int32), a known mode,
 * row_ptr [out_size + 1] from 0 to nnz and non-decreasing, every column in [0, in_size). NULL row_ptr is an
 * error; cols (and weights) may be NULL only when nnz == 0. FCPTS_INVALID_ARGUMENT names the first offender
 * (its row or tap index in status->index).
 */
static inline int fcpts_index_map_check(int64_t outer, int64_t in_size, int64_t out_size, const int32_t* row_ptr,
                                        const int32_t* cols, int64_t nnz, int32_t mode, fcpts_status* status) {
    FCPTS_REQUIRE(status, outer > 0 && in_size > 0 && out_size > 0, -1,
                  "index map sizes must be > 0 (outer %lld, in %lld, out %lld)", (long long)outer,
                  (long long)in_size, (long long)out_size);
    FCPTS_REQUIRE(status, in_size <= INT32_MAX && out_size < INT32_MAX && nnz >= 0 && nnz <= INT32_MAX, -1,
                  "index map too large for 32-bit indices (in %lld, out %lld, nnz %lld)", (long long)in_size,
                  (long long)out_size, (long long)nnz);
    FCPTS_REQUIRE(status, mode == FCPTS_INDEX_MAP_SUM || mode == FCPTS_INDEX_MAP_MAX, -1,
                  "unknown fcpts_index_map_mode value %d (defined: 0 SUM, 1 MAX)", (int)mode);
    FCPTS_REQUIRE(status, row_ptr != NULL && (nnz == 0 || cols != NULL), -1, "NULL row_ptr or cols");
    FCPTS_REQUIRE(status, row_ptr[0] == 0 && row_ptr[out_size] == nnz, -1,
                  "row_ptr must run from 0 to nnz = %lld (got %d .. %d)", (long long)nnz, (int)row_ptr[0],
                  (int)row_ptr[out_size]);
    for (int64_t r = 0; r < out_size; ++r) {
        FCPTS_REQUIRE(status, row_ptr[r + 1] >= row_ptr[r], r, "row_ptr decreases at row %lld (%d > %d)",
                      (long long)r, (int)row_ptr[r], (int)row_ptr[r + 1]);
    }
    for (int64_t k = 0; k < nnz; ++k) {
        FCPTS_REQUIRE(status, cols[k] >= 0 && cols[k] < in_size, k, "column %d of tap %lld is outside [0, %lld)",
                      (int)cols[k], (long long)k, (long long)in_size);
    }
    return FCPTS_OK;
}

/*
 * The transposed map of a checked map (a counting sort by column, stable in (row, tap)):
 *   t_ptr [in_size + 1], t_row [nnz] (the tap's row), t_tap [nnz] (the tap's index k in cols / weights).
 */
static inline void fcpts_index_map_transpose(int64_t in_size, int64_t out_size, const int32_t* row_ptr,
                                             const int32_t* cols, int32_t* t_ptr, int32_t* t_row, int32_t* t_tap) {
    for (int64_t c = 0; c <= in_size; ++c) t_ptr[c] = 0;
    const int32_t nnz = row_ptr[out_size];
    for (int32_t k = 0; k < nnz; ++k) ++t_ptr[cols[k] + 1];
    for (int64_t c = 0; c < in_size; ++c) t_ptr[c + 1] += t_ptr[c];
    /* t_ptr[c] is now the start of column c; use it as that column's cursor while filling */
    for (int64_t r = 0; r < out_size; ++r) {
        for (int32_t k = row_ptr[r]; k < row_ptr[r + 1]; ++k) {
            const int32_t c = cols[k];
            const int32_t at = t_ptr[c]++;
            t_row[at] = (int32_t)r;
            t_tap[at] = k;
        }
    }
    /* t_ptr[c] now holds the end of column c: shift back by one column */
    for (int64_t c = in_size; c > 0; --c) t_ptr[c] = t_ptr[c - 1];
    t_ptr[0] = 0;
}

#endif /* FCPTS_INDEX_MAP_MATH_H */
