/*
 * Per-element math of the KDE-CDF bridge (FCPTS.md sections 3 and 5), shared
 * verbatim by the CPU kernels (C++, vectorized by the compiler) and the CUDA
 * kernels (__device__). Nothing here touches memory: pure float functions.
 *
 *   z      = (t - |w|) / h                      standardized distance to the threshold
 *   pdf(z) = exp(-z^2 / 2) / sqrt(2 pi)         Gaussian kernel (even, so pdf(-z) = pdf(z))
 *   cdf(z) = Phi(z)                             Gaussian CDF = smooth "w is pruned" indicator
 *
 * cdf uses Abramowitz & Stegun 26.2.17: for x >= 0,
 *   Q(x) = 1 - Phi(x) = pdf(x) * (b1 k + b2 k^2 + b3 k^3 + b4 k^4 + b5 k^5),  k = 1 / (1 + p x)
 * with absolute error below 7.5e-8, so one exp() serves both pdf and cdf, and
 * the whole element stays branch-free (selects only) for SIMD and for warps.
 * exp() of a non-positive argument is a Cephes-style range reduction
 * x = n ln2 + r with a degree-6 polynomial for e^r (about 2 ulp), returning 0
 * below -87 (where e^x is under FLT_MIN and irrelevant to every sum here).
 * Infinite z (tiny bandwidths) gives pdf = 0 and cdf in {0, 1}; NaN propagates.
 */
#ifndef FCPTS_KDE_MATH_H
#define FCPTS_KDE_MATH_H

#include <stdint.h>
#include <string.h>

#include "fcpts/hd.h"

/* Reinterpret an int32 bit pattern as float (exact, no conversion). */
FCPTS_HD float fcpts_bits_to_float(int32_t bits) {
#if defined(__CUDA_ARCH__)
    return __int_as_float(bits);
#else
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
#endif
}

/* e^x for x <= 0 (x > 0 is clamped to 0). Returns 0 for x < -87. NaN -> NaN. */
FCPTS_HD float fcpts_exp_nonpositive(float x) {
    const float log2e = 1.44269504088896341f;
    const float ln2_hi = 0.693359375f;
    const float ln2_lo = -2.12194440e-4f;
    const float round_magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    float xc = x > 0.0f ? 0.0f : x;
    xc = xc < -87.0f ? -87.0f : xc;       /* keeps 2^n a normal float; result forced to 0 below */
    float n = (xc * log2e + round_magic) - round_magic;
    float r = xc - n * ln2_hi;
    r = r - n * ln2_lo;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    float scale = fcpts_bits_to_float(((int32_t)n + 127) << 23);
    float result = p * scale;
    result = x < -87.0f ? 0.0f : result;
    return x != x ? x : result;
}

/* Standard normal density and CDF at z in one evaluation (see header comment). */
FCPTS_HD void fcpts_normal_pdf_cdf(float z, float* pdf, float* cdf) {
    const float inv_sqrt_2pi = 0.39894228040143268f;
    const float p = 0.2316419f;
    const float b1 = 0.319381530f, b2 = -0.356563782f, b3 = 1.781477937f;
    const float b4 = -1.821255978f, b5 = 1.330274429f;
    float x = z < 0.0f ? -z : z;
    float density = inv_sqrt_2pi * fcpts_exp_nonpositive(-0.5f * x * x);
    float k = 1.0f / (1.0f + p * x);
    float poly = k * (b1 + k * (b2 + k * (b3 + k * (b4 + k * b5))));
    float upper_tail = density * poly; /* Q(|z|) */
    *pdf = density;
    *cdf = z < 0.0f ? upper_tail : 1.0f - upper_tail;
}

/* Hard mask: a weight is kept iff |w| > t (strictly greater, FCPTS.md section 2). */
FCPTS_HD int fcpts_is_kept(float abs_w, float threshold) {
    return abs_w > threshold;
}

/* 1 if x is NaN or +-infinity; bit test so that it survives any float-math flags. */
FCPTS_HD int fcpts_is_nonfinite(float x) {
    int32_t bits;
#if defined(__CUDA_ARCH__)
    bits = __float_as_int(x);
#else
    memcpy(&bits, &x, sizeof bits);
#endif
    return (bits & 0x7f800000) == 0x7f800000;
}

#endif /* FCPTS_KDE_MATH_H */
