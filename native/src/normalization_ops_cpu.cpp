/*
 * Normalization and per-axis reductions of the CPU engine (contract and formulas: fcpts/ops_cpu.h; CUDA twin:
 * cuda-kernels/normalization_ops.cu; training-mode BatchNorm: batchnorm_training_cpu.cpp):
 *   inference BatchNorm  y = x s + (beta - mean s), s = gamma / sqrt(var + eps), per channel of [n, c, spatial];
 *                        backward dx = dy s, dgamma = sum dy (x - mean) / sqrt(var + eps), dbeta = sum dy
 *   global average pool  y[p] = mean of plane p; backward dx = dy[p] / spatial
 *   softmax              over the middle axis of [outer, axis, inner]; backward dx = y (dy - sum_axis dy y)
 *   column sum           out[j] = sum_i x[i, j]
 *   layer norm           per row of [rows, cols]: mu, var (biased) in double, y = (x - mu) invstd gamma + beta;
 *                        backward dx = invstd / cols (cols g - sum g - xhat sum g xhat), g = dy gamma,
 *                        dgamma = sum over rows dy xhat, dbeta = sum over rows dy (per-element math: ops_math.h)
 * OpenMP loops with a static schedule; reductions (pooling, softmax, column sums, BatchNorm parameter
 * gradients across planes) run in double per output, each output written by one thread. Called from
 * java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fcpts/ops_cpu.h"
#include "fcpts/ops_math.h"

namespace {

int threads_of(int32_t n) { return n > 0 ? n : omp_get_max_threads(); }

}  // namespace

extern "C" int fcpts_batchnorm_inference_cpu(const float* x, int64_t n, int64_t c, int64_t spatial,
                                             const float* gamma, const float* beta, const float* mean,
                                             const float* var, float epsilon, float* y, int32_t n_threads,
                                             fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && gamma && beta && mean && var && y, -1, "NULL argument");
    for (int64_t ch = 0; ch < c; ++ch) {
        FCPTS_REQUIRE(status, var[ch] + epsilon > 0.0f, ch, "channel %lld: variance + epsilon must be > 0",
                      (long long)ch);
    }
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t plane = 0; plane < n * c; ++plane) {
        const int64_t ch = plane % c;
        const float scale = gamma[ch] / std::sqrt(var[ch] + epsilon);
        const float shift = beta[ch] - mean[ch] * scale;
        const float* in = x + plane * spatial;
        float* out = y + plane * spatial;
        for (int64_t i = 0; i < spatial; ++i) out[i] = in[i] * scale + shift;
    }
    return FCPTS_OK;
}

extern "C" int fcpts_global_avg_pool_cpu(const float* x, int64_t planes, int64_t spatial, float* y,
                                         int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && y && spatial > 0, -1, "NULL buffer or empty plane");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t p = 0; p < planes; ++p) {
        double sum = 0.0;
        for (int64_t i = 0; i < spatial; ++i) sum += x[p * spatial + i];
        y[p] = (float)(sum / (double)spatial);
    }
    return FCPTS_OK;
}

extern "C" int fcpts_softmax_cpu(const float* x, int64_t outer, int64_t axis, int64_t inner, float* y,
                                 int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && y && axis > 0, -1, "NULL buffer or empty softmax axis");
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_of(n_threads))
    for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
            const float* in = x + o * axis * inner + i;
            float* out = y + o * axis * inner + i;
            float max = in[0];
            for (int64_t k = 1; k < axis; ++k) max = std::max(max, in[k * inner]);
            double sum = 0.0;
            for (int64_t k = 0; k < axis; ++k) sum += std::exp((double)in[k * inner] - max);
            for (int64_t k = 0; k < axis; ++k) out[k * inner] = (float)(std::exp((double)in[k * inner] - max) / sum);
        }
    }
    return FCPTS_OK;
}

extern "C" int fcpts_batchnorm_backward_cpu(const float* x, const float* dy, int64_t n, int64_t c, int64_t spatial,
                                            const float* gamma, const float* mean, const float* var, float epsilon,
                                            float* dx, float* dgamma, float* dbeta, int32_t n_threads,
                                            fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && dy && gamma && mean && var, -1, "NULL argument");
    const int threads = threads_of(n_threads);
    if (dx) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t plane = 0; plane < n * c; ++plane) {
            const int64_t ch = plane % c;
            const float scale = gamma[ch] / std::sqrt(var[ch] + epsilon);
            for (int64_t i = 0; i < spatial; ++i) dx[plane * spatial + i] = dy[plane * spatial + i] * scale;
        }
    }
    if (dgamma || dbeta) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t ch = 0; ch < c; ++ch) {
            /* sum dy (x - mean) / std = (sum dy x - mean sum dy) / std; per plane in float, planes in double */
            const double inv_std = 1.0 / std::sqrt((double)var[ch] + epsilon);
            double sdx = 0.0, sb = 0.0;
            for (int64_t b = 0; b < n; ++b) {
                const float* xs = x + (b * c + ch) * spatial;
                const float* gs = dy + (b * c + ch) * spatial;
                float pdx = 0.0f, pb = 0.0f;
#pragma omp simd reduction(+ : pdx, pb)
                for (int64_t i = 0; i < spatial; ++i) {
                    pdx += gs[i] * (xs[i] - mean[ch]);
                    pb += gs[i];
                }
                sdx += pdx;
                sb += pb;
            }
            const double sg = sdx * inv_std;
            if (dgamma) dgamma[ch] = (float)sg;
            if (dbeta) dbeta[ch] = (float)sb;
        }
    }
    return FCPTS_OK;
}

extern "C" int fcpts_global_avg_pool_backward_cpu(const float* dy, int64_t planes, int64_t spatial, float* dx,
                                                  int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, dy && dx && spatial > 0, -1, "NULL buffer or empty plane");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t p = 0; p < planes; ++p) {
        const float g = dy[p] / (float)spatial;
        for (int64_t i = 0; i < spatial; ++i) dx[p * spatial + i] = g;
    }
    return FCPTS_OK;
}

extern "C" int fcpts_softmax_backward_cpu(const float* y, const float* dy, int64_t outer, int64_t axis,
                                          int64_t inner, float* dx, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, y && dy && dx && axis > 0, -1, "NULL buffer or empty softmax axis");
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_of(n_threads))
    for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
            const int64_t base = o * axis * inner + i;
            double dot = 0.0;
            for (int64_t k = 0; k < axis; ++k) dot += (double)dy[base + k * inner] * y[base + k * inner];
            for (int64_t k = 0; k < axis; ++k) {
                dx[base + k * inner] = (float)(y[base + k * inner] * ((double)dy[base + k * inner] - dot));
            }
        }
    }
    return FCPTS_OK;
}

extern "C" int fcpts_column_sum_cpu(const float* x, int64_t rows, int64_t cols, float* out, int32_t n_threads,
                                    fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && out, -1, "NULL buffer");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t j = 0; j < cols; ++j) {
        double s = 0.0;
        for (int64_t i = 0; i < rows; ++i) s += x[i * cols + j];
        out[j] = (float)s;
    }
    return FCPTS_OK;
}

extern "C" int fcpts_layer_norm_cpu(const float* x, int64_t rows, int64_t cols, const float* gamma,
                                    const float* beta, float epsilon, float* y, float* save_mean, float* save_invstd,
                                    int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && gamma && y && save_mean && save_invstd, -1, "NULL argument");
    FCPTS_REQUIRE(status, rows >= 0 && cols > 0, -1, "layer norm needs rows >= 0 and cols > 0 (rows %lld, cols %lld)",
                  (long long)rows, (long long)cols);
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t r = 0; r < rows; ++r) {
        const float* in = x + r * cols;
        float* out = y + r * cols;
        double sum = 0.0;
        for (int64_t j = 0; j < cols; ++j) sum += (double)in[j];
        const float mu = (float)(sum / (double)cols);
        double sq = 0.0;
        for (int64_t j = 0; j < cols; ++j) {
            const double d = (double)in[j] - (double)mu;
            sq += d * d;
        }
        const float invstd = fcpts_layer_norm_invstd(sq, cols, epsilon);
        for (int64_t j = 0; j < cols; ++j) {
            const float v = fcpts_layer_norm_value(in[j], mu, invstd, gamma[j]);
            out[j] = beta ? v + beta[j] : v;
        }
        save_mean[r] = mu;
        save_invstd[r] = invstd;
    }
    return FCPTS_OK;
}

extern "C" int fcpts_layer_norm_backward_cpu(const float* x, const float* dy, int64_t rows, int64_t cols,
                                             const float* gamma, const float* save_mean, const float* save_invstd,
                                             float* dx, float* dgamma, float* dbeta, int32_t n_threads,
                                             fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && dy && gamma && save_mean && save_invstd, -1, "NULL argument");
    FCPTS_REQUIRE(status, rows >= 0 && cols > 0, -1, "layer norm needs rows >= 0 and cols > 0 (rows %lld, cols %lld)",
                  (long long)rows, (long long)cols);
    const int threads = threads_of(n_threads);
    /* parameter gradients first: they read dy, which dx may overwrite */
    if (dgamma || dbeta) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t j = 0; j < cols; ++j) {
            double sg = 0.0, sb = 0.0;
            for (int64_t r = 0; r < rows; ++r) {
                const float g = dy[r * cols + j];
                const float xhat = (x[r * cols + j] - save_mean[r]) * save_invstd[r];
                sg += (double)g * xhat;
                sb += (double)g;
            }
            if (dgamma) dgamma[j] = (float)sg;
            if (dbeta) dbeta[j] = (float)sb;
        }
    }
    if (dx) {
        const float fcols = (float)cols;
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t r = 0; r < rows; ++r) {
            const float* xs = x + r * cols;
            const float* gs = dy + r * cols;
            const float mu = save_mean[r], invstd = save_invstd[r];
            double sum_g = 0.0, sum_gx = 0.0;
            for (int64_t j = 0; j < cols; ++j) {
                const float g = gs[j] * gamma[j];
                const float xhat = (xs[j] - mu) * invstd;
                sum_g += (double)g;
                sum_gx += (double)g * xhat;
            }
            const float k = (float)((double)invstd / (double)cols);
            const float fg = (float)sum_g, fgx = (float)sum_gx;
            float* out = dx + r * cols;
            for (int64_t j = 0; j < cols; ++j) {
                const float g = gs[j] * gamma[j];
                const float xhat = (xs[j] - mu) * invstd;
                out[j] = fcpts_layer_norm_dx(g, xhat, k, fcols, fg, fgx);
            }
        }
    }
    return FCPTS_OK;
}
