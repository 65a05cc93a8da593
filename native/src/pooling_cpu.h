/*
 * Window pooling forward on the CPU, NCHW, written as the twin of cuda-kernels/pooling_ops.cu's forward kernel
 * (same taps, same order, same arithmetic, so both give the same bits). Used by fcpts_pool_forward for every
 * pooling plan: oneDNN's only NCHW pooling is its reference "simple_nchw" path, 3.3 ms for ResNet-18's
 * 3x3/2 max pool at 64 x 112 x 112 on 2 cores, where this takes 0.55 ms.
 */
#ifndef FCPTS_POOLING_CPU_H
#define FCPTS_POOLING_CPU_H

#include <cstdint>

namespace fcpts {

/* The window of one pooling: x [n, c, h, w] -> y [n, c, oh, ow] (the fields of fcpts geometry that pooling uses). */
struct PoolWindow {
    int64_t planes, h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
};

/* kind: an fcpts_pool_kind. y is written in full. */
void pool_forward_nchw(int32_t kind, const PoolWindow& g, const float* x, float* y, int threads);

}  // namespace fcpts

#endif
