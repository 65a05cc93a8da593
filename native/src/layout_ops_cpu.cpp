/*
 * Data-movement operators of the CPU engine (contract: fcpts/ops_cpu.h; CUDA twin: cuda-kernels/layout_ops.cu):
 *   transpose    y = x with axes permuted (y dim i = x dim perm[i]), rank <= FCPTS_MAX_RANK
 *   concat piece y[o * y_block + offset, + block) = x[o * block, + block) for o < outer
 *   slice piece  its inverse (the concat's backward): dx[o * block, + block) = dy[o * y_block + offset, + block)
 * Parallel over output elements or rows with a static schedule. Called from java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <cstring>

#include "fcpts/ops_cpu.h"

namespace {

int threads_of(int32_t n) { return n > 0 ? n : omp_get_max_threads(); }

}  // namespace

extern "C" int fcpts_transpose_cpu(const float* x, const int64_t* x_dims, const int64_t* perm, int32_t rank,
                                   float* y, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, rank >= 1 && rank <= FCPTS_MAX_RANK, -1, "rank %d outside 1..%d", rank, FCPTS_MAX_RANK);
    FCPTS_REQUIRE(status, x && y && x_dims && perm, -1, "NULL argument");
    int64_t x_strides[FCPTS_MAX_RANK], y_dims[FCPTS_MAX_RANK], src_stride[FCPTS_MAX_RANK];
    int64_t total = 1;
    for (int d = rank - 1; d >= 0; --d) {
        x_strides[d] = total;
        total *= x_dims[d];
    }
    for (int d = 0; d < rank; ++d) {
        FCPTS_REQUIRE(status, perm[d] >= 0 && perm[d] < rank, d, "perm[%d] = %lld out of range", d,
                      (long long)perm[d]);
        y_dims[d] = x_dims[perm[d]];
        src_stride[d] = x_strides[perm[d]];
    }
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t i = 0; i < total; ++i) {
        int64_t rem = i, src = 0;
        for (int d = rank - 1; d >= 0; --d) {
            src += (rem % y_dims[d]) * src_stride[d];
            rem /= y_dims[d];
        }
        y[i] = x[src];
    }
    return FCPTS_OK;
}

extern "C" int fcpts_concat_piece_cpu(const float* x, int64_t outer, int64_t block, float* y, int64_t y_block,
                                      int64_t offset, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && y && offset + block <= y_block, -1, "NULL buffer or piece outside the output");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t o = 0; o < outer; ++o) {
        std::memcpy(y + o * y_block + offset, x + o * block, (size_t)block * sizeof(float));
    }
    return FCPTS_OK;
}

extern "C" int fcpts_slice_piece_cpu(const float* dy, int64_t outer, int64_t block, int64_t y_block, int64_t offset,
                                     float* dx, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, dy && dx && offset + block <= y_block, -1, "NULL buffer or piece outside the input");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t o = 0; o < outer; ++o) {
        std::memcpy(dx + o * block, dy + o * y_block + offset, (size_t)block * sizeof(float));
    }
    return FCPTS_OK;
}
