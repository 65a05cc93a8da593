/*
 * Optimizer updates on the CPU (contract and formulas: fcpts/optim_cpu.h).
 * Elementwise, one parallel loop; the mask turns the whole update off for a
 * pruned weight. Called from java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <cmath>

#include "fcpts/kde_math.h"
#include "fcpts/optim_cpu.h"

extern "C" int fcpts_sgd_step_cpu(float* w, const float* g, float* velocity, const float* mask, int64_t n,
                                  float lr, float momentum, float weight_decay, int32_t n_threads,
                                  fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n == 0 || (w && g && velocity), -1, "NULL buffer");
    FCPTS_REQUIRE(status, std::isfinite(lr) && lr >= 0.0f, -1, "learning rate must be finite and >= 0, got %g",
                  (double)lr);
#pragma omp parallel for schedule(static) num_threads(n_threads > 0 ? n_threads : omp_get_max_threads())
    for (int64_t i = 0; i < n; ++i) {
        const float m = mask ? mask[i] : 1.0f;
        const float d = m * (g[i] + weight_decay * w[i]);
        velocity[i] = m * (momentum * velocity[i] + d);
        w[i] -= lr * m * velocity[i];
    }
    return FCPTS_OK;
}

extern "C" int fcpts_adam_step_cpu(float* w, const float* g, float* m1, float* m2, const float* mask, int64_t n,
                                   float lr, float beta1, float beta2, float epsilon, float weight_decay,
                                   int64_t step, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n == 0 || (w && g && m1 && m2), -1, "NULL buffer");
    FCPTS_REQUIRE(status, step >= 1, -1, "step must be >= 1, got %lld", (long long)step);
    const double c1 = 1.0 - std::pow((double)beta1, (double)step);
    const double c2 = 1.0 - std::pow((double)beta2, (double)step);
#pragma omp parallel for schedule(static) num_threads(n_threads > 0 ? n_threads : omp_get_max_threads())
    for (int64_t i = 0; i < n; ++i) {
        const float m = mask ? mask[i] : 1.0f;
        const float d = m * (g[i] + weight_decay * w[i]);
        m1[i] = m * (beta1 * m1[i] + (1.0f - beta1) * d);
        m2[i] = m * (beta2 * m2[i] + (1.0f - beta2) * d * d);
        const double update = (m1[i] / c1) / (std::sqrt(m2[i] / c2) + epsilon);
        w[i] -= (float)(lr * m * update);
    }
    return FCPTS_OK;
}

extern "C" int fcpts_masked_copy_cpu(const float* src, const float* keep, float* dst, int64_t n, float threshold,
                                     int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n >= 0, -1, "count must be >= 0, got %lld", (long long)n);
    FCPTS_REQUIRE(status, n == 0 || (src && dst), -1, "NULL buffer");
    FCPTS_REQUIRE(status, n == 0 || src + n <= dst || dst + n <= src, -1, "source and destination overlap");
#pragma omp parallel for schedule(static) num_threads(n_threads > 0 ? n_threads : omp_get_max_threads())
    for (int64_t i = 0; i < n; ++i) {
        const float v = src[i];
        const bool kept = keep ? keep[i] != 0.0f : (threshold < 0.0f || fcpts_is_kept(std::fabs(v), threshold));
        dst[i] = kept ? v : 0.0f;
    }
    return FCPTS_OK;
}
