/*
 * Window pooling on the GPU (contract: fcpts/ops_cuda.h; CPU twins: forward native/src/pooling_ops_cpu.cpp, the same
 * taps in the same order; backward the oneDNN plans of native/src/dnnl_plans_cpu.cpp), x [n, c, h, w] ->
 * y [n, c, oh, ow], geometry and checks in window_geometry.cuh. Real cells of window (oy, ox):
 *   W = {(iy, ix) = (oy sh - pt + ky dh, ox sw - pl + kx dw) : 0 <= iy < h, 0 <= ix < w}, scanned ky-major.
 *   max          y = max over W, starting from -FLT_MAX (padding never wins; an all-padding window gives
 *                -FLT_MAX), NaN when W holds a NaN; arg-max = the first (ky, kx) with x > best, (0, 0) if none
 *   avg exclude  y = (float sum over W) / |W|
 *   avg include  y = (float sum over W) / (kh kw)   (oneDNN divides by the kernel size, also where a window
 *                overhangs the bottom / right padding)
 * Backward, gathered per dx element (no atomics): dx[iy, ix] = sum over the windows (oy, ox) that have
 * (iy, ix) as a tap, in ascending (oy, ox) order, as oneDNN accumulates them, of
 *   max  dy[oy, ox] if (iy, ix) is the window's arg-max (recomputed from x), else 0
 *   avg  dy[oy, ox] / divisor(oy, ox)
 * Window (oy, ox) has (iy, ix) as tap ky when iy + pt - ky dh = oy sh >= 0; ky descending gives oy ascending.
 * Work tiled by rows: y rows (forward) or dx rows (backward), one tile per row chunk, coalesced along x.
 */
#include <cfloat>

#include <cuda_runtime.h>

#include "fcpts/ops_cuda.h"
#include "fcpts/ops_dispatch.h"
#include "launch_util.cuh"
#include "window_geometry.cuh"

using namespace fcpts_cuda;

namespace {

/* (ky, kx) of the first maximum of window (oy, ox) of plane `in`, ky = kx = 0 when nothing beats -FLT_MAX. */
__device__ __forceinline__ void window_argmax(const float* __restrict__ in, const Window& g, int oy, int ox, int& aky,
                                              int& akx) {
    const int y0 = oy * g.sh - g.pt, x0 = ox * g.sw - g.pl;
    float best = -FLT_MAX;
    aky = 0;
    akx = 0;
    for (int ky = 0; ky < g.kh; ++ky) {
        const int iy = y0 + ky * g.dh;
        if (iy < 0 || iy >= g.h) continue;
        const float* row = in + (int64_t)iy * g.w;
        for (int kx = 0; kx < g.kw; ++kx) {
            const int ix = x0 + kx * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            const float v = row[ix];
            if (v > best) {
                best = v;
                aky = ky;
                akx = kx;
            }
        }
    }
}

/* Real taps of a window along one axis: start, kernel k, dilation d, input size (oneDNN's closed form). */
__device__ __forceinline__ int real_taps(int start, int k, int d, int size) {
    const int lo = start < 0 ? (-start - 1) / d + 1 : 0;
    const int end = start + (k - 1) * d + 1;
    const int hi = end > size ? (end - size - 1) / d + 1 : 0;
    return k - lo - hi;
}

template <int KIND>
__global__ void __launch_bounds__(kThreads)
pool_forward_kernel(const float* __restrict__ x, float* __restrict__ y, Window g, Tiling t) {
    for_each_tile(t, [&](int64_t r, int64_t begin, int64_t end, int64_t step) {
        const int64_t plane = r / g.oh;
        const int oy = (int)(r - plane * g.oh);
        const float* in = x + plane * g.h * g.w;
        const int y0 = oy * g.sh - g.pt;
        float* out = y + r * t.len;
        for (int64_t o = begin; o < end; o += step) {
            const int x0 = (int)o * g.sw - g.pl;
            float acc = KIND == FCPTS_POOL_MAX ? -FLT_MAX : 0.0f;
            int rows = 0, cols = 0;
            for (int ky = 0; ky < g.kh; ++ky) {
                const int iy = y0 + ky * g.dh;
                if (iy < 0 || iy >= g.h) continue;
                ++rows;
                cols = 0;
                const float* row = in + (int64_t)iy * g.w;
                for (int kx = 0; kx < g.kw; ++kx) {
                    const int ix = x0 + kx * g.dw;
                    if (ix < 0 || ix >= g.w) continue;
                    ++cols;
                    const float v = row[ix];
                    if (KIND == FCPTS_POOL_MAX) {
                        if (v > acc || v != v) acc = v; /* a NaN sticks: nothing compares greater */
                    } else {
                        acc += v;
                    }
                }
            }
            if (KIND == FCPTS_POOL_AVERAGE_EXCLUDE_PAD) acc /= (float)(rows * cols);
            if (KIND == FCPTS_POOL_AVERAGE_INCLUDE_PAD) acc /= (float)((int64_t)g.kh * g.kw);
            out[o] = acc;
        }
    });
}

template <int KIND>
__global__ void __launch_bounds__(kThreads)
pool_backward_kernel(const float* __restrict__ x, const float* __restrict__ dy, float* __restrict__ dx, Window g,
                     Tiling t) {
    for_each_tile(t, [&](int64_t r, int64_t begin, int64_t end, int64_t step) {
        const int64_t plane = r / g.h;
        const int iy = (int)(r - plane * g.h);
        const float* in = x + plane * g.h * g.w;
        const float* grad = dy + plane * g.oh * g.ow;
        float* out = dx + r * t.len;
        for (int64_t e = begin; e < end; e += step) {
            const int ix = (int)e;
            float acc = 0.0f;
            for (int ky = g.kh - 1; ky >= 0; --ky) {
                const int ty = iy + g.pt - ky * g.dh;
                if (ty < 0 || ty % g.sh != 0) continue;
                const int oy = ty / g.sh;
                if (oy >= g.oh) break; /* oy grows as ky decreases */
                for (int kx = g.kw - 1; kx >= 0; --kx) {
                    const int tx = ix + g.pl - kx * g.dw;
                    if (tx < 0 || tx % g.sw != 0) continue;
                    const int ox = tx / g.sw;
                    if (ox >= g.ow) break;
                    const float d = grad[(int64_t)oy * g.ow + ox];
                    if (KIND == FCPTS_POOL_MAX) {
                        int aky, akx;
                        window_argmax(in, g, oy, ox, aky, akx);
                        if (aky == ky && akx == kx) acc += d;
                    } else if (KIND == FCPTS_POOL_AVERAGE_EXCLUDE_PAD) {
                        const int count = real_taps(oy * g.sh - g.pt, g.kh, g.dh, g.h) *
                                          real_taps(ox * g.sw - g.pl, g.kw, g.dw, g.w);
                        acc += d / (float)count;
                    } else {
                        acc += d / (float)((int64_t)g.kh * g.kw);
                    }
                }
            }
            out[e] = acc;
        }
    });
}

int read_pool_args(const int64_t* geometry, int32_t kind, Window* g, fcpts_status* status) {
    FCPTS_REQUIRE_POOL_KIND(status, kind);
    return read_window_geometry(geometry, kind == FCPTS_POOL_AVERAGE_EXCLUDE_PAD, g, status);
}

}  // namespace

extern "C" int fcpts_pool_forward_cuda(const int64_t* geometry, int32_t kind, const float* x, float* y, void* stream,
                                       fcpts_status* status) {
    fcpts_status_clear(status);
    Window g{};
    const int rc = read_pool_args(geometry, kind, &g, status);
    if (rc != FCPTS_OK) return rc;
    FCPTS_REQUIRE(status, x && y, -1, "NULL x or y");
    const int64_t rows = g.n * g.c * g.oh;
    if (rows == 0 || g.ow == 0) return FCPTS_OK;
    FCPTS_REQUIRE(status, (const void*)x != (const void*)y, -1, "x and y alias");
    const Tiling t = make_tiling(rows, g.ow);
    const cudaStream_t s = as_stream(stream);
    fcpts_dispatch_pool(kind, [&](auto c) {
        constexpr int KIND = decltype(c)::value;
        pool_forward_kernel<KIND><<<grid_for(t), kThreads, 0, s>>>(x, y, g, t);
    });
    return FCPTS_CHECK_LAUNCH(status, "pool_forward_kernel launch");
}

extern "C" int fcpts_pool_backward_cuda(const int64_t* geometry, int32_t kind, const float* x, const float* dy,
                                        float* dx, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    Window g{};
    const int rc = read_pool_args(geometry, kind, &g, status);
    if (rc != FCPTS_OK) return rc;
    FCPTS_REQUIRE(status, x && dy && dx, -1, "NULL x, dy or dx");
    const int64_t rows = g.n * g.c * g.h;
    if (rows == 0 || g.w == 0) return FCPTS_OK;
    FCPTS_REQUIRE(status, (const void*)dx != (const void*)dy && (const void*)dx != (const void*)x, -1,
                  "dx aliases x or dy");
    const Tiling t = make_tiling(rows, g.w);
    const cudaStream_t s = as_stream(stream);
    fcpts_dispatch_pool(kind, [&](auto c) {
        constexpr int KIND = decltype(c)::value;
        pool_backward_kernel<KIND><<<grid_for(t), kThreads, 0, s>>>(x, dy, dx, g, t);
    });
    return FCPTS_CHECK_LAUNCH(status, "pool_backward_kernel launch");
}
