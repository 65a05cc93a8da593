// im2col and CSR x dense for sparse convolutions on the CPU (math and layouts in fcpts/sparse_cpu.h).
#include "fcpts/sparse_cpu.h"

#include <omp.h>

#include <cstring>

namespace {
int threads_of(int32_t n) { return n > 0 ? n : omp_get_max_threads(); }
}  // namespace

extern "C" int fcpts_im2col_cpu(const float* __restrict__ x, int64_t channels, int64_t h, int64_t w, int64_t k_h,
                                int64_t k_w, int64_t stride_h, int64_t stride_w, int64_t pad_top, int64_t pad_left,
                                int64_t dilation_h, int64_t dilation_w, int64_t out_h, int64_t out_w,
                                float* __restrict__ col, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && col, -1, "NULL buffer");
    FCPTS_REQUIRE(status, channels > 0 && k_h > 0 && k_w > 0 && stride_h > 0 && stride_w > 0 && out_h > 0 &&
                              out_w > 0 && dilation_h > 0 && dilation_w > 0, -1, "non-positive size");
    const int64_t rows = channels * k_h * k_w, positions = out_h * out_w;
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t r = 0; r < rows; ++r) {
        const int64_t c = r / (k_h * k_w), ky = r / k_w % k_h, kx = r % k_w;
        float* dst = col + r * positions;
        for (int64_t oy = 0; oy < out_h; ++oy) {
            const int64_t iy = oy * stride_h - pad_top + ky * dilation_h;
            float* line = dst + oy * out_w;
            if (iy < 0 || iy >= h) {
                std::memset(line, 0, sizeof(float) * (size_t)out_w);
                continue;
            }
            const float* src = x + (c * h + iy) * w;
            for (int64_t ox = 0; ox < out_w; ++ox) {
                const int64_t ix = ox * stride_w - pad_left + kx * dilation_w;
                line[ox] = ix >= 0 && ix < w ? src[ix] : 0.0f;
            }
        }
    }
    return FCPTS_OK;
}

extern "C" int fcpts_csr_spmm_cpu(int64_t row_begin, int64_t row_end, const int32_t* __restrict__ row_ptr,
                                  const int32_t* __restrict__ col_idx, const float* __restrict__ values,
                                  const float* __restrict__ bias, const float* __restrict__ b, int64_t n,
                                  float* __restrict__ y, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, row_ptr && b && y && row_begin >= 0 && row_end >= row_begin && n > 0, -1,
                  "NULL buffer or bad row range");
    // Column tiles of TILE outputs: a row's partial sums stay in a stack buffer (L1) while its stored
    // weights stream the matching TILE-wide slices of b, and the threads working on one tile share
    // those slices in L2 (b is K x n and would not fit in cache as a whole for large layers).
    constexpr int64_t TILE = 256;
    const int64_t rows = row_end - row_begin, tiles = (n + TILE - 1) / TILE;
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t task = 0; task < rows * tiles; ++task) {
        const int64_t tile = task / rows, m = row_begin + task % rows;
        const int64_t j0 = tile * TILE, width = n - j0 < TILE ? n - j0 : TILE;
        alignas(64) float acc[TILE];
        const float init = bias ? bias[m] : 0.0f;
        for (int64_t j = 0; j < width; ++j) acc[j] = init;
        for (int32_t p = row_ptr[m]; p < row_ptr[m + 1]; ++p) {
            const float v = values[p];
            const float* __restrict__ src = b + (int64_t)col_idx[p] * n + j0;
            for (int64_t j = 0; j < width; ++j) acc[j] += v * src[j];
        }
        float* __restrict__ out = y + (m - row_begin) * n + j0;
        for (int64_t j = 0; j < width; ++j) out[j] = acc[j];
    }
    return FCPTS_OK;
}
