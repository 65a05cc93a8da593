/*
 * Data-movement operators on the GPU (contract: fcpts/ops_cuda.h; CPU twin: native/src/layout_ops_cpu.cpp;
 * pad, crop and im2col have none: the CPU convolutions are oneDNN plans):
 *   transpose  y[i_0..i_{r-1}] = x[j] with j_{perm[d]} = i_d   (y dim d = x dim perm[d])
 *   concat     y[o * y_block + offset + i] = x[o * block + i];  slice: the inverse copy
 *   pad        y[p, iy + top, ix + left] = x[p, iy, ix], 0 elsewhere;  crop: its adjoint (the window back)
 *   im2col     cols[(ci kh + i) kw + j][(b oh + y) ow + x] = x[b, ci, y sh - pt + i dh, x sw - pl + j dw] (0 outside)
 * Pure copies: every output element written exactly once, no arithmetic on the values.
 *
 * Transpose collapses the axes that stay neighbours in x (dims of 1 dropped). When y's innermost axis
 * is x's innermost axis the copy runs by rows (both sides coalesced); otherwise 32 x 32 tiles go
 * through shared memory: reads contiguous along x's inner axis, writes contiguous along y's.
 * The other copies tile by rows (a row of a piece, of a plane, of cols): per-row index arithmetic
 * once per tile, coalesced element loops.
 */
#include <cuda_runtime.h>

#include "fcpts/ops_cuda.h"
#include "launch_util.cuh"
#include "window_geometry.cuh"

using namespace fcpts_cuda;

namespace {

/* ---- transpose ---- */

/* y axes after collapsing: dims and the element stride in x of each. */
struct TransposeShape {
    int rank;
    HostArray<int64_t> dims, src;
};

/* Rows of y's innermost axis, which is contiguous in x too: y[row * inner + i] = x[src(row) + i]. */
__global__ void __launch_bounds__(kThreads)
transpose_rows_kernel(const float* __restrict__ x, float* __restrict__ y, TransposeShape sh, Tiling t) {
    for_each_tile(t, [&](int64_t row, int64_t begin, int64_t end, int64_t step) {
        int64_t rem = row, src = 0;
        for (int d = sh.rank - 2; d >= 0; --d) {
            const int64_t q = rem / sh.dims.v[d];
            src += (rem - q * sh.dims.v[d]) * sh.src.v[d];
            rem = q;
        }
        const float* in = x + src;
        float* out = y + row * t.len;
        for (int64_t i = begin; i < end; i += step) out[i] = in[i];
    });
}

/*
 * General case: axis A = y's innermost (y stride 1, x stride sa), axis B = x's innermost (x stride 1,
 * y stride yb); the remaining axes form the batch (y-order dims with x and y strides).
 */
struct TiledTranspose {
    int64_t dim_a, dim_b, sa, yb, tiles_a, tiles_b, tiles;
    int n_batch;
    HostArray<int64_t> batch_dims, batch_src, batch_dst;
};

constexpr int kTile = 32;

__global__ void __launch_bounds__(kThreads)
transpose_tiled_kernel(const float* __restrict__ x, float* __restrict__ y, TiledTranspose p) {
    __shared__ float tile[kTile][kTile + 1];
    const int tx = threadIdx.x & (kTile - 1), ty = threadIdx.x >> 5;
    for (int64_t t = blockIdx.x; t < p.tiles; t += gridDim.x) { /* block-uniform */
        int64_t rest = t / p.tiles_a;
        const int64_t a0 = (t - rest * p.tiles_a) * kTile;
        int64_t bt = rest / p.tiles_b;
        const int64_t b0 = (rest - bt * p.tiles_b) * kTile;
        int64_t src = 0, dst = 0;
        for (int d = p.n_batch - 1; d >= 0; --d) {
            const int64_t q = bt / p.batch_dims.v[d];
            const int64_t idx = bt - q * p.batch_dims.v[d];
            bt = q;
            src += idx * p.batch_src.v[d];
            dst += idx * p.batch_dst.v[d];
        }
        for (int j = ty; j < kTile; j += kThreads / kTile) { /* element (a0 + j, b0 + tx): x contiguous in tx */
            const int64_t ia = a0 + j, ib = b0 + tx;
            if (ia < p.dim_a && ib < p.dim_b) tile[j][tx] = x[src + ia * p.sa + ib];
        }
        __syncthreads();
        for (int j = ty; j < kTile; j += kThreads / kTile) { /* element (a0 + tx, b0 + j): y contiguous in tx */
            const int64_t ia = a0 + tx, ib = b0 + j;
            if (ia < p.dim_a && ib < p.dim_b) y[dst + ib * p.yb + ia] = tile[tx][j];
        }
        __syncthreads();
    }
}

/* ---- piece copies, pad / crop, im2col ---- */

/* dst[o * dst_block + dst_offset + i] = src[o * src_block + src_offset + i], i < t.len. */
__global__ void __launch_bounds__(kThreads)
piece_copy_kernel(const float* __restrict__ src, int64_t src_block, int64_t src_offset, float* __restrict__ dst,
                  int64_t dst_block, int64_t dst_offset, Tiling t) {
    for_each_tile(t, [&](int64_t o, int64_t begin, int64_t end, int64_t step) {
        const float* in = src + o * src_block + src_offset;
        float* out = dst + o * dst_block + dst_offset;
        for (int64_t i = begin; i < end; i += step) out[i] = in[i];
    });
}

/* Rows of y [planes, hp, wp]: y[r, xx] = x[p, yy - top, xx - left] inside the image, else 0. */
__global__ void __launch_bounds__(kThreads)
pad_planes_kernel(const float* __restrict__ x, int64_t h, int64_t w, int64_t hp, int64_t top, int64_t left,
                  float* __restrict__ y, Tiling t) {
    for_each_tile(t, [&](int64_t r, int64_t begin, int64_t end, int64_t step) {
        const int64_t p = r / hp;
        const int64_t iy = r - p * hp - top;
        const bool row_in = iy >= 0 && iy < h;
        const float* in = x + (p * h + (row_in ? iy : 0)) * w - left;
        float* out = y + r * t.len;
        for (int64_t i = begin; i < end; i += step) {
            out[i] = row_in && i >= left && i - left < w ? in[i] : 0.0f;
        }
    });
}

/* Rows of x [planes, h, w]: x[r, ix] = y[p, iy + top, ix + left]. */
__global__ void __launch_bounds__(kThreads)
crop_planes_kernel(const float* __restrict__ y, int64_t h, int64_t hp, int64_t wp, int64_t top, int64_t left,
                   float* __restrict__ x, Tiling t) {
    for_each_tile(t, [&](int64_t r, int64_t begin, int64_t end, int64_t step) {
        const int64_t p = r / h;
        const int64_t iy = r - p * h;
        const float* in = y + (p * hp + iy + top) * wp + left;
        float* out = x + r * t.len;
        for (int64_t i = begin; i < end; i += step) out[i] = in[i];
    });
}

/* Rows r = (((ci kh + i) kw + j) n + b) oh + oy of cols, ow elements each (cols offset r * ow + ox). */
__global__ void __launch_bounds__(kThreads)
im2col_kernel(const float* __restrict__ x, float* __restrict__ cols, Window g, Tiling t) {
    for_each_tile(t, [&](int64_t r, int64_t begin, int64_t end, int64_t step) {
        int64_t rem = r;
        const int oy = (int)(rem % g.oh);
        rem /= g.oh;
        const int64_t b = rem % g.n;
        rem /= g.n;
        const int j = (int)(rem % g.kw);
        rem /= g.kw;
        const int i = (int)(rem % g.kh);
        const int64_t ci = rem / g.kh;
        const int iy = oy * g.sh - g.pt + i * g.dh;
        const bool row_in = iy >= 0 && iy < g.h;
        const float* in = x + ((b * g.c + ci) * g.h + (row_in ? iy : 0)) * g.w;
        const int col0 = j * g.dw - g.pl;
        float* out = cols + r * t.len;
        for (int64_t ox = begin; ox < end; ox += step) {
            const int ix = (int)ox * g.sw + col0;
            out[ox] = row_in && ix >= 0 && ix < g.w ? in[ix] : 0.0f;
        }
    });
}

int piece_copy(const float* src, int64_t src_block, int64_t src_offset, float* dst, int64_t dst_block,
               int64_t dst_offset, int64_t outer, int64_t block, void* stream, fcpts_status* status) {
    if (outer == 0 || block == 0) return FCPTS_OK;
    const Tiling t = make_tiling(outer, block);
    piece_copy_kernel<<<grid_for(t), kThreads, 0, as_stream(stream)>>>(src, src_block, src_offset, dst, dst_block,
                                                                       dst_offset, t);
    return FCPTS_CHECK_LAUNCH(status, "piece_copy_kernel launch");
}

int check_piece(const void* src, const void* dst, int64_t outer, int64_t block, int64_t y_block, int64_t offset,
                const char* side, fcpts_status* status) {
    FCPTS_REQUIRE(status, outer >= 0 && block >= 0 && offset >= 0, -1,
                  "outer %lld, block %lld and offset %lld must be >= 0", (long long)outer, (long long)block,
                  (long long)offset);
    FCPTS_REQUIRE(status, src && dst && offset + block <= y_block, -1, "NULL buffer or piece outside the %s", side);
    FCPTS_REQUIRE(status, src != dst || outer == 0 || block == 0, -1, "source and destination alias");
    return FCPTS_OK;
}

int check_planes(const void* x, const void* y, int64_t planes, int64_t h, int64_t w, int64_t top, int64_t bottom,
                 int64_t left, int64_t right, fcpts_status* status) {
    FCPTS_REQUIRE(status, planes >= 0 && h >= 0 && w >= 0, -1, "planes %lld, h %lld and w %lld must be >= 0",
                  (long long)planes, (long long)h, (long long)w);
    FCPTS_REQUIRE(status, top >= 0 && bottom >= 0 && left >= 0 && right >= 0, -1,
                  "pads must be >= 0 (top %lld, bottom %lld, left %lld, right %lld)", (long long)top,
                  (long long)bottom, (long long)left, (long long)right);
    /* pad reads x only where it holds elements; crop reads and writes planes * h * w elements */
    const bool x_empty = planes == 0 || h == 0 || w == 0;
    const bool y_empty = planes == 0 || h + top + bottom == 0 || w + left + right == 0;
    FCPTS_REQUIRE(status, x_empty || x, -1, "x is NULL");
    FCPTS_REQUIRE(status, y_empty || y, -1, "y is NULL");
    FCPTS_REQUIRE(status, x_empty || x != y, -1, "x and y alias");
    return FCPTS_OK;
}

}  // namespace

extern "C" int fcpts_transpose_cuda(const float* x, const int64_t* x_dims, const int64_t* perm, int32_t rank,
                                    float* y, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, rank >= 1 && rank <= FCPTS_MAX_RANK, -1, "rank %d outside 1..%d", rank, FCPTS_MAX_RANK);
    FCPTS_REQUIRE(status, x && y && x_dims && perm, -1, "NULL argument");
    int64_t x_strides[FCPTS_MAX_RANK];
    int64_t total = 1;
    for (int d = rank - 1; d >= 0; --d) {
        FCPTS_REQUIRE(status, x_dims[d] >= 0, d, "x_dims[%d] = %lld is negative", d, (long long)x_dims[d]);
        x_strides[d] = total;
        total *= x_dims[d];
    }
    bool seen[FCPTS_MAX_RANK] = {false, false, false, false, false, false, false, false};
    for (int d = 0; d < rank; ++d) {
        FCPTS_REQUIRE(status, perm[d] >= 0 && perm[d] < rank, d, "perm[%d] = %lld out of range", d,
                      (long long)perm[d]);
        FCPTS_REQUIRE(status, !seen[perm[d]], d, "perm[%d] = %lld repeats an axis", d, (long long)perm[d]);
        seen[perm[d]] = true;
    }
    if (total == 0) return FCPTS_OK;
    FCPTS_REQUIRE(status, x != y, -1, "x and y alias");
    /* y axes (dims of 1 dropped), merged while they stay neighbours in x */
    TransposeShape sh{};
    for (int d = 0; d < rank; ++d) {
        const int64_t dim = x_dims[perm[d]], src = x_strides[perm[d]];
        if (dim == 1) continue;
        if (sh.rank > 0 && sh.src.v[sh.rank - 1] == src * dim) {
            sh.dims.v[sh.rank - 1] *= dim;
            sh.src.v[sh.rank - 1] = src;
        } else {
            sh.dims.v[sh.rank] = dim;
            sh.src.v[sh.rank] = src;
            ++sh.rank;
        }
    }
    if (sh.rank == 0) {
        sh.rank = 1;
        sh.dims.v[0] = 1;
        sh.src.v[0] = 1;
    }
    const cudaStream_t s = as_stream(stream);
    const int a = sh.rank - 1;
    if (sh.src.v[a] == 1) {
        const Tiling t = make_tiling(total / sh.dims.v[a], sh.dims.v[a]);
        transpose_rows_kernel<<<grid_for(t), kThreads, 0, s>>>(x, y, sh, t);
        return FCPTS_CHECK_LAUNCH(status, "transpose_rows_kernel launch");
    }
    int b = -1; /* x's innermost axis (stride 1): present since dims of 1 were dropped */
    for (int d = 0; d < sh.rank; ++d) {
        if (sh.src.v[d] == 1) b = d;
    }
    FCPTS_REQUIRE(status, b >= 0, -1, "internal: no unit-stride axis after collapsing");
    int64_t y_strides[FCPTS_MAX_RANK];
    int64_t stride = 1;
    for (int d = sh.rank - 1; d >= 0; --d) {
        y_strides[d] = stride;
        stride *= sh.dims.v[d];
    }
    TiledTranspose p{};
    p.dim_a = sh.dims.v[a];
    p.dim_b = sh.dims.v[b];
    p.sa = sh.src.v[a];
    p.yb = y_strides[b];
    p.tiles_a = (p.dim_a + kTile - 1) / kTile;
    p.tiles_b = (p.dim_b + kTile - 1) / kTile;
    int64_t batch = 1;
    for (int d = 0; d < sh.rank; ++d) {
        if (d == a || d == b) continue;
        p.batch_dims.v[p.n_batch] = sh.dims.v[d];
        p.batch_src.v[p.n_batch] = sh.src.v[d];
        p.batch_dst.v[p.n_batch] = y_strides[d];
        ++p.n_batch;
        batch *= sh.dims.v[d];
    }
    p.tiles = batch * p.tiles_b * p.tiles_a;
    transpose_tiled_kernel<<<grid_for(p.tiles, 1), kThreads, 0, s>>>(x, y, p);
    return FCPTS_CHECK_LAUNCH(status, "transpose_tiled_kernel launch");
}

extern "C" int fcpts_concat_piece_cuda(const float* x, int64_t outer, int64_t block, float* y, int64_t y_block,
                                       int64_t offset, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    const int rc = check_piece(x, y, outer, block, y_block, offset, "output", status);
    if (rc != FCPTS_OK) return rc;
    return piece_copy(x, block, 0, y, y_block, offset, outer, block, stream, status);
}

extern "C" int fcpts_slice_piece_cuda(const float* dy, int64_t outer, int64_t block, int64_t y_block, int64_t offset,
                                      float* dx, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    const int rc = check_piece(dy, dx, outer, block, y_block, offset, "input", status);
    if (rc != FCPTS_OK) return rc;
    return piece_copy(dy, y_block, offset, dx, block, 0, outer, block, stream, status);
}

extern "C" int fcpts_pad_planes_cuda(const float* x, int64_t planes, int64_t h, int64_t w, int64_t top,
                                     int64_t bottom, int64_t left, int64_t right, float* y, void* stream,
                                     fcpts_status* status) {
    fcpts_status_clear(status);
    const int rc = check_planes(x, y, planes, h, w, top, bottom, left, right, status);
    if (rc != FCPTS_OK) return rc;
    const int64_t hp = h + top + bottom, wp = w + left + right;
    if (planes == 0 || hp == 0 || wp == 0) return FCPTS_OK;
    const Tiling t = make_tiling(planes * hp, wp);
    pad_planes_kernel<<<grid_for(t), kThreads, 0, as_stream(stream)>>>(x, h, w, hp, top, left, y, t);
    return FCPTS_CHECK_LAUNCH(status, "pad_planes_kernel launch");
}

extern "C" int fcpts_crop_planes_cuda(const float* y, int64_t planes, int64_t h, int64_t w, int64_t top,
                                      int64_t bottom, int64_t left, int64_t right, float* x, void* stream,
                                      fcpts_status* status) {
    fcpts_status_clear(status);
    const int rc = check_planes(x, y, planes, h, w, top, bottom, left, right, status);
    if (rc != FCPTS_OK) return rc;
    if (planes == 0 || h == 0 || w == 0) return FCPTS_OK;
    const Tiling t = make_tiling(planes * h, w);
    crop_planes_kernel<<<grid_for(t), kThreads, 0, as_stream(stream)>>>(y, h, h + top + bottom, w + left + right,
                                                                        top, left, x, t);
    return FCPTS_CHECK_LAUNCH(status, "crop_planes_kernel launch");
}

extern "C" int fcpts_im2col_cuda(const int64_t* geometry, const float* x, float* cols, void* stream,
                                 fcpts_status* status) {
    fcpts_status_clear(status);
    Window g{};
    const int rc = read_window_geometry(geometry, false, &g, status);
    if (rc != FCPTS_OK) return rc;
    FCPTS_REQUIRE(status, geometry[17] == 1, 17, "im2col needs groups == 1, got %lld", (long long)geometry[17]);
    const int64_t rows = g.c * g.kh * g.kw * g.n * g.oh;
    if (rows == 0 || g.ow == 0) return FCPTS_OK;
    FCPTS_REQUIRE(status, x && cols, -1, "NULL x or cols");
    FCPTS_REQUIRE(status, (const void*)x != (const void*)cols, -1, "x and cols alias");
    const Tiling t = make_tiling(rows, g.ow);
    im2col_kernel<<<grid_for(t), kThreads, 0, as_stream(stream)>>>(x, cols, g, t);
    return FCPTS_CHECK_LAUNCH(status, "im2col_kernel launch");
}
