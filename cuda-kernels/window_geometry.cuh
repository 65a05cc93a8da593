/*
 * Window geometry of pooling and im2col (internal to libfcpts_cuda), int64[FCPTS_GEOMETRY_LEN] in ONNX
 * conventions as in fcpts/ops_cpu.h:
 *   {n, c, h, w, oc, oh, ow, kh, kw, stride_h, stride_w, dilation_h, dilation_w,
 *    pad_top, pad_left, pad_bottom, pad_right, groups}
 * Tap (ky, kx) of output (oy, ox) reads input row iy = oy sh - pt + ky dh, column ix = ox sw - pl + kx dw
 * (ONNX dilation: 1 = dense; oneDNN's dilation is dh - 1). The checks are those of the CPU twin:
 * read_geometry in native/src/dnnl_plans_cpu.cpp (entries >= 0, strides and dilations >= 1) plus the ones
 * oneDNN applies when the CPU plan is created, with R = (k - 1) d + 1 the window's extent:
 *   oh == (h - R_h + pt + pb) / sh + 1 (C++ division), likewise ow;
 *   average excluding padding: pt, pb < R_h, pl, pr < R_w, dh - 1 < h, dw - 1 < w.
 * On top: kernel sizes >= 1, and h + pads, w + pads, R_h, R_w below 2^30 so that the kernels can do
 * the per-element window arithmetic in 32-bit integers.
 */
#ifndef FCPTS_CUDA_WINDOW_GEOMETRY_CUH
#define FCPTS_CUDA_WINDOW_GEOMETRY_CUH

#include <cstdint>

#include "fcpts/ops_cpu.h"
#include "fcpts/status.h"

namespace fcpts_cuda {

/* Passed to kernels by value; spatial values fit in int (checked by read_window_geometry). */
struct Window {
    int64_t n, c;
    int h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
};

/* exclude_pad: the extra checks of oneDNN's average-excluding-padding pooling. */
static inline int read_window_geometry(const int64_t* g, bool exclude_pad, Window* out, fcpts_status* status) {
    FCPTS_REQUIRE(status, g != nullptr, -1, "geometry is NULL");
    for (int i = 0; i < FCPTS_GEOMETRY_LEN; ++i) {
        FCPTS_REQUIRE(status, g[i] >= 0, i, "geometry[%d] is negative (%lld)", i, (long long)g[i]);
    }
    const int64_t n = g[0], c = g[1], h = g[2], w = g[3], oh = g[5], ow = g[6], kh = g[7], kw = g[8];
    const int64_t sh = g[9], sw = g[10], dh = g[11], dw = g[12], pt = g[13], pl = g[14], pb = g[15], pr = g[16];
    FCPTS_REQUIRE(status, sh > 0 && sw > 0 && dh > 0 && dw > 0, 9, "strides and dilations must be >= 1");
    FCPTS_REQUIRE(status, kh > 0 && kw > 0, 7, "kernel size must be >= 1 (kh %lld, kw %lld)", (long long)kh,
                  (long long)kw);
    constexpr int64_t kLimit = (int64_t)1 << 30;
    FCPTS_REQUIRE(status, h + pt + pb < kLimit && w + pl + pr < kLimit && kh < kLimit && kw < kLimit, -1,
                  "spatial geometry too large");
    const int64_t rh = (kh - 1) * dh + 1, rw = (kw - 1) * dw + 1;
    FCPTS_REQUIRE(status, rh < kLimit && rw < kLimit && sh < kLimit && sw < kLimit, -1,
                  "spatial geometry too large");
    FCPTS_REQUIRE(status, (h - rh + pt + pb) / sh + 1 == oh, 5,
                  "oh %lld does not match (h %lld - window %lld + pads %lld + %lld) / stride %lld + 1",
                  (long long)oh, (long long)h, (long long)rh, (long long)pt, (long long)pb, (long long)sh);
    FCPTS_REQUIRE(status, (w - rw + pl + pr) / sw + 1 == ow, 6,
                  "ow %lld does not match (w %lld - window %lld + pads %lld + %lld) / stride %lld + 1",
                  (long long)ow, (long long)w, (long long)rw, (long long)pl, (long long)pr, (long long)sw);
    if (exclude_pad) {
        FCPTS_REQUIRE(status, pt < rh && pb < rh && pl < rw && pr < rw && dh - 1 < h && dw - 1 < w, -1,
                      "average pooling excluding padding: a window could lie entirely in the padding");
    }
    *out = Window{n, c, (int)h, (int)w, (int)oh, (int)ow, (int)kh, (int)kw, (int)sh, (int)sw, (int)dh, (int)dw,
                  (int)pt, (int)pl};
    return FCPTS_OK;
}

}  // namespace fcpts_cuda

#endif /* FCPTS_CUDA_WINDOW_GEOMETRY_CUH */
