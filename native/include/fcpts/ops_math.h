/*
 * Per-element math of the network operators, shared verbatim by the CPU
 * kernels (native/src/elementwise_ops_cpu.cpp, optim_cpu.cpp)
 * and their CUDA twins (cuda-kernels/elementwise_ops.cu, optim_ops.cu), so the
 * GPU computes the same float operations in the same order as the CPU tests
 * check (both builds keep a * b + c unfused). Pure functions of their
 * arguments; enums of fcpts/ops_cpu.h.
 *
 *   unary   relu max(x, 0) | clip min(max(x, a), b) | leaky x >= 0 ? x : a x | sigmoid 1 / (1 + e^-x) |
 *           hard sigmoid min(1, max(0, a x + b)) | hard swish x min(1, max(0, x / 6 + 1/2)) |
 *           tanh (1 - tanh^2) | exp (e^x) | sqrt (0.5 / sqrt x; NaN for x < 0) | erf (2 / sqrt(pi) e^-x^2);
 *           gradients f'(x) with the kinks assigned as in fcpts/ops.def, whose entries hold the
 *           expressions the switches below are generated from
 *   binary  a + b | a - b | a b | a / b | a == b ? 1 : 0
 *   epilogue activation  v | max(v, 0) | min(max(v, lo), hi)
 *   SGD     d = m (g + wd w);  v = m (mu v + d);  w -= lr m v
 *   Adam    d = m (g + wd w);  m1 = m (b1 m1 + (1 - b1) d);  m2 = m (b2 m2 + (1 - b2) d^2);
 *           w -= lr m (m1 / c1) / (sqrt(m2 / c2) + eps)   (in double; c_k = 1 - b_k^t)
 *   masked  kept ? v : 0,  kept = keep given ? keep != 0 : (t < 0 || |v| > t)
 *   layer norm  invstd = 1 / sqrt(sum (x - mu)^2 / cols + eps) (double);  y = (x - mu) invstd gamma (+ beta);
 *           dx = k (cols g - sum g - xhat sum g xhat), k = invstd / cols, g = dy gamma, xhat = (x - mu) invstd
 *           (normalization_ops_cpu.cpp / normalization_ops.cu)
 * min / max follow std::min / std::max: on an unordered compare (NaN) the first argument wins.
 * Non-finite values: see fcpts/ops.def (NaN propagates through every op but erf, as in ONNX Runtime).
 */
#ifndef FCPTS_OPS_MATH_H
#define FCPTS_OPS_MATH_H

#include <math.h>

#include "fcpts/hd.h"
#include "fcpts/kde_math.h"
#include "fcpts/ops_cpu.h"

FCPTS_HD float fcpts_min_f(float a, float b) { return b < a ? b : a; }

/* 1 for Inf and NaN, else 0 (the sparse plans' test for inputs that a zero weight turns into NaN). */
FCPTS_HD int fcpts_nonfinite_f(float v) { return !(fabsf(v) <= 3.40282347e38f); }

FCPTS_HD float fcpts_max_f(float a, float b) { return a < b ? b : a; }

/* Helpers of the unary entries of fcpts/ops.def that need a statement. */
FCPTS_HD float fcpts_sigmoid_f(float x) { return 1.0f / (1.0f + expf(-x)); }

FCPTS_HD float fcpts_sigmoid_grad_f(float x) {
    const float s = 1.0f / (1.0f + expf(-x));
    return s * (1.0f - s);
}

/* min(1, max(0, a x + b)), NaN when a x + b is NaN (ONNX Runtime's Eigen clamp keeps NaN; max(0, NaN) here
 * would give 0). */
FCPTS_HD float fcpts_hard_sigmoid_f(float x, float alpha, float beta) {
    const float v = alpha * x + beta;
    return v != v ? v : fcpts_min_f(1.0f, fcpts_max_f(0.0f, v));
}

/* erf(x); for NaN, +-1 by its sign bit, as ONNX Runtime's MLAS erf (it clamps |x| to its range with a min
 * that returns the bound for NaN). Matching ONNX Runtime here over IEEE: a checker comparing the two
 * engines, and GELU's 0.5 x (1 + erf(x / sqrt 2)) is NaN either way. */
FCPTS_HD float fcpts_erf_f(float x) { return x != x ? copysignf(1.0f, x) : erff(x); }

FCPTS_HD float fcpts_hard_sigmoid_grad_f(float x, float alpha, float beta) {
    const float v = alpha * x + beta;
    return v > 0.0f && v < 1.0f ? alpha : 0.0f;
}

/*
 * The per-element switches, one case per list entry of fcpts/ops.def. Entry points reject an unknown op
 * first (FCPTS_REQUIRE_*); should one get here anyway it gives NaN, never another op's value.
 */
#define FCPTS_X_UNARY_VALUE_(NAME, VALUE, GRAD) \
    case FCPTS_UNARY_##NAME: return VALUE;
#define FCPTS_X_UNARY_GRAD_(NAME, VALUE, GRAD) \
    case FCPTS_UNARY_##NAME: return GRAD;
#define FCPTS_X_BINARY_VALUE_(NAME, VALUE) \
    case FCPTS_BINARY_##NAME: return VALUE;
#define FCPTS_X_ACT_VALUE_(NAME, VALUE) \
    case FCPTS_ACT_##NAME: return VALUE;

/* y = f(x) of unary op `op` (enum fcpts_unary_op). */
FCPTS_HD float fcpts_unary_value(int op, float x, float alpha, float beta) {
    switch (op) {
        FCPTS_UNARY_OPS(FCPTS_X_UNARY_VALUE_)
        default: return NAN;
    }
}

/* f'(x) of unary op `op`, with the kinks assigned as in its fcpts/ops.def entry. */
FCPTS_HD float fcpts_unary_grad(int op, float x, float alpha, float beta) {
    switch (op) {
        FCPTS_UNARY_OPS(FCPTS_X_UNARY_GRAD_)
        default: return NAN;
    }
}

/* a (op) b (enum fcpts_binary_op). */
FCPTS_HD float fcpts_binary_value(int op, float a, float b) {
    switch (op) {
        FCPTS_BINARY_OPS(FCPTS_X_BINARY_VALUE_)
        default: return NAN;
    }
}

/* Fused-epilogue activation (enum fcpts_activation) of v; lo / hi for clip. */
FCPTS_HD float fcpts_activation_value(int act, float v, float lo, float hi) {
    switch (act) {
        FCPTS_ACTIVATIONS(FCPTS_X_ACT_VALUE_)
        default: return NAN;
    }
}

/* One SGD step of one weight; m is its mask value (1 when unmasked). */
FCPTS_HD void fcpts_sgd_update(float m, float g, float lr, float momentum, float weight_decay, float* w,
                               float* velocity) {
    const float wi = *w;
    const float d = m * (g + weight_decay * wi);
    const float v = m * (momentum * *velocity + d);
    *velocity = v;
    *w = wi - lr * m * v;
}

/* One Adam step of one weight; c1 = 1 - beta1^t, c2 = 1 - beta2^t. */
FCPTS_HD void fcpts_adam_update(float m, float g, float lr, float beta1, float beta2, float epsilon,
                                float weight_decay, double c1, double c2, float* w, float* m1, float* m2) {
    const float wi = *w;
    const float d = m * (g + weight_decay * wi);
    const float a = m * (beta1 * *m1 + (1.0f - beta1) * d);
    const float b = m * (beta2 * *m2 + (1.0f - beta2) * d * d);
    *m1 = a;
    *m2 = b;
    const double update = (a / c1) / (sqrt(b / c2) + epsilon);
    *w = wi - (float)(lr * m * update);
}

/* The pruning loop's masked copy of one element; has_keep 0 means "no keep mask, use the threshold". */
FCPTS_HD float fcpts_masked_value(float v, int has_keep, float keep, float threshold) {
    const int kept = has_keep ? keep != 0.0f : (threshold < 0.0f || fcpts_is_kept(fabsf(v), threshold));
    return kept ? v : 0.0f;
}

/* Layer norm: 1 / sqrt(var + eps) from the row's sum of squared deviations sq over cols values (biased). */
FCPTS_HD float fcpts_layer_norm_invstd(double sq, int64_t cols, float epsilon) {
    return (float)(1.0 / sqrt(sq / (double)cols + (double)epsilon));
}

/* Layer norm of one element without beta: (x - mu) invstd gamma. */
FCPTS_HD float fcpts_layer_norm_value(float x, float mu, float invstd, float gamma) {
    return (x - mu) * invstd * gamma;
}

/* Layer norm backward of one element: k (fcols g - sum_g - xhat sum_gx), k = invstd / cols, g = dy gamma. */
FCPTS_HD float fcpts_layer_norm_dx(float g, float xhat, float k, float fcols, float sum_g, float sum_gx) {
    return k * (fcols * g - sum_g - xhat * sum_gx);
}

#endif /* FCPTS_OPS_MATH_H */
