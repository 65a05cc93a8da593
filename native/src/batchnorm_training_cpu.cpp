/*
 * Training-mode BatchNorm on the CPU (contract and formulas: fcpts/ops_cpu.h):
 * statistics per channel, parallel over channels, two passes over the data
 * (mean, then centred variance: no cancellation), sums per plane in float and
 * across planes in double. Used by `fcpts train` and by FCPTS's reconstruction
 * (teacher and student BatchNorm in training mode, as the published code runs it;
 * `--batch-norm frozen` keeps inference mode). Called from java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <cmath>

#include "fcpts/ops_cpu.h"

extern "C" int fcpts_batchnorm_training_cpu(const float* x, int64_t n, int64_t c, int64_t spatial,
                                            const float* gamma, const float* beta, float* running_mean,
                                            float* running_var, float momentum, float epsilon, float* y,
                                            float* save_mean, float* save_invstd, int32_t n_threads,
                                            fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && gamma && beta && running_mean && running_var && y && save_mean && save_invstd, -1,
                  "NULL argument");
    FCPTS_REQUIRE(status, n * spatial > 1, -1, "training BatchNorm needs more than one value per channel (n %lld, "
                  "spatial %lld)", (long long)n, (long long)spatial);
    const double count = (double)(n * spatial);
#pragma omp parallel for schedule(static) num_threads(n_threads > 0 ? n_threads : omp_get_max_threads())
    for (int64_t ch = 0; ch < c; ++ch) {
        double sum = 0.0;
        for (int64_t b = 0; b < n; ++b) {
            const float* xs = x + (b * c + ch) * spatial;
            float p = 0.0f;
#pragma omp simd reduction(+ : p)
            for (int64_t i = 0; i < spatial; ++i) p += xs[i];
            sum += p;
        }
        const float mean = (float)(sum / count);
        double sq = 0.0;
        for (int64_t b = 0; b < n; ++b) {
            const float* xs = x + (b * c + ch) * spatial;
            float p = 0.0f;
#pragma omp simd reduction(+ : p)
            for (int64_t i = 0; i < spatial; ++i) p += (xs[i] - mean) * (xs[i] - mean);
            sq += p;
        }
        const double var = sq / count;
        const float invstd = (float)(1.0 / std::sqrt(var + epsilon));
        const float scale = gamma[ch] * invstd, shift = beta[ch] - mean * scale;
        for (int64_t b = 0; b < n; ++b) {
            const float* xs = x + (b * c + ch) * spatial;
            float* ys = y + (b * c + ch) * spatial;
            for (int64_t i = 0; i < spatial; ++i) ys[i] = xs[i] * scale + shift;
        }
        save_mean[ch] = mean;
        save_invstd[ch] = invstd;
        running_mean[ch] = momentum * running_mean[ch] + (1.0f - momentum) * mean;
        running_var[ch] = momentum * running_var[ch] + (1.0f - momentum) * (float)(var * count / (count - 1.0));
    }
    return FCPTS_OK;
}

extern "C" int fcpts_batchnorm_training_backward_cpu(const float* x, const float* dy, int64_t n, int64_t c,
                                                     int64_t spatial, const float* gamma, const float* save_mean,
                                                     const float* save_invstd, float* dx, float* dgamma,
                                                     float* dbeta, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && dy && gamma && save_mean && save_invstd, -1, "NULL argument");
    const double count = (double)(n * spatial);
#pragma omp parallel for schedule(static) num_threads(n_threads > 0 ? n_threads : omp_get_max_threads())
    for (int64_t ch = 0; ch < c; ++ch) {
        const float mean = save_mean[ch], invstd = save_invstd[ch];
        double sdy = 0.0, sdyx = 0.0;
        for (int64_t b = 0; b < n; ++b) {
            const float* xs = x + (b * c + ch) * spatial;
            const float* gs = dy + (b * c + ch) * spatial;
            float p = 0.0f, q = 0.0f;
#pragma omp simd reduction(+ : p, q)
            for (int64_t i = 0; i < spatial; ++i) {
                p += gs[i];
                q += gs[i] * (xs[i] - mean);
            }
            sdy += p;
            sdyx += q;
        }
        const double dg = sdyx * invstd;
        if (dgamma) dgamma[ch] = (float)dg;
        if (dbeta) dbeta[ch] = (float)sdy;
        if (dx) {
            const float k = (float)(gamma[ch] * invstd / count);
            const float mdy = (float)sdy, mdg = (float)dg;
            for (int64_t b = 0; b < n; ++b) {
                const float* xs = x + (b * c + ch) * spatial;
                const float* gs = dy + (b * c + ch) * spatial;
                float* out = dx + (b * c + ch) * spatial;
                for (int64_t i = 0; i < spatial; ++i) {
                    const float xhat = (xs[i] - mean) * invstd;
                    out[i] = k * ((float)count * gs[i] - mdy - xhat * mdg);
                }
            }
        }
    }
    return FCPTS_OK;
}
