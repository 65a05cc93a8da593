/*
 * Optimizer updates on the CPU (contract and formulas: fcpts/optim_cpu.h).
 * Elementwise, one parallel loop; the mask turns the whole update off for a
 * pruned weight. Called from java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <cmath>

#include "fcpts/ops_math.h"
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
        fcpts_sgd_update(mask ? mask[i] : 1.0f, g[i], lr, momentum, weight_decay, &w[i], &velocity[i]);
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
        fcpts_adam_update(mask ? mask[i] : 1.0f, g[i], lr, beta1, beta2, epsilon, weight_decay, c1, c2, &w[i], &m1[i],
                          &m2[i]);
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
        dst[i] = fcpts_masked_value(src[i], keep != nullptr, keep ? keep[i] : 0.0f, threshold);
    }
    return FCPTS_OK;
}
