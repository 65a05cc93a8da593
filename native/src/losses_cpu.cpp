/*
 * Losses of the CPU engine (contract: fcpts/ops_cpu.h), batch means over
 * [n, classes] logits, computed per row in double with the max subtracted:
 *   cross-entropy  L = -(1/n) sum_i log softmax(z_i)[label_i],
 *                  dL/dz_i = (softmax(z_i) - onehot(label_i)) / n
 *   distillation   L = (T^2 / n) sum_i KL(p_i || q_i), p = softmax(t / T), q = softmax(s / T),
 *                  dL/ds_i = (T / n) (q_i - p_i)                      (FCPTS.md section 4)
 *   mse            L = (1/n) sum (a - b)^2, dL/da = 2 (a - b) / n
 * Row losses are summed in row order after the parallel loop: deterministic.
 * Called from java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "fcpts/ops_cpu.h"

namespace {

int threads_of(int32_t n) { return n > 0 ? n : omp_get_max_threads(); }

/* log-softmax of row z / temperature into out (double); returns nothing. */
void log_softmax(const float* z, int64_t classes, double temperature, double* out) {
    double max = z[0] / temperature;
    for (int64_t k = 1; k < classes; ++k) max = std::max(max, z[k] / temperature);
    double sum = 0.0;
    for (int64_t k = 0; k < classes; ++k) sum += std::exp(z[k] / temperature - max);
    const double log_sum = std::log(sum) + max;
    for (int64_t k = 0; k < classes; ++k) out[k] = z[k] / temperature - log_sum;
}

}  // namespace

extern "C" int fcpts_cross_entropy_cpu(const float* logits, const int64_t* labels, int64_t n, int64_t classes,
                                       double* loss, float* grad, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, logits && labels && loss && n > 0 && classes > 0, -1, "NULL buffer or empty batch");
    for (int64_t i = 0; i < n; ++i) {
        FCPTS_REQUIRE(status, labels[i] >= 0 && labels[i] < classes, i, "label %lld of sample %lld is outside [0, %lld)",
                      (long long)labels[i], (long long)i, (long long)classes);
    }
    std::vector<double> row_loss((size_t)n);
#pragma omp parallel num_threads(threads_of(n_threads))
    {
        std::vector<double> ls((size_t)classes);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < n; ++i) {
            log_softmax(logits + i * classes, classes, 1.0, ls.data());
            row_loss[(size_t)i] = -ls[(size_t)labels[i]];
            if (grad) {
                for (int64_t k = 0; k < classes; ++k) {
                    grad[i * classes + k] = (float)((std::exp(ls[(size_t)k]) - (k == labels[i] ? 1.0 : 0.0)) / n);
                }
            }
        }
    }
    double total = 0.0;
    for (double v : row_loss) total += v;
    *loss = total / (double)n;
    return FCPTS_OK;
}

extern "C" int fcpts_kl_distill_cpu(const float* student, const float* teacher, int64_t n, int64_t classes,
                                    float temperature, double* loss, float* grad, int32_t n_threads,
                                    fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, student && teacher && loss && n > 0 && classes > 0, -1, "NULL buffer or empty batch");
    FCPTS_REQUIRE(status, temperature > 0.0f && std::isfinite(temperature), -1, "temperature must be > 0, got %g",
                  (double)temperature);
    const double t = temperature;
    std::vector<double> row_loss((size_t)n);
#pragma omp parallel num_threads(threads_of(n_threads))
    {
        std::vector<double> lp((size_t)classes), lq((size_t)classes);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < n; ++i) {
            log_softmax(teacher + i * classes, classes, t, lp.data());
            log_softmax(student + i * classes, classes, t, lq.data());
            double kl = 0.0;
            for (int64_t k = 0; k < classes; ++k) {
                const double p = std::exp(lp[(size_t)k]);
                kl += p * (lp[(size_t)k] - lq[(size_t)k]);
                if (grad) grad[i * classes + k] = (float)(t / n * (std::exp(lq[(size_t)k]) - p));
            }
            row_loss[(size_t)i] = kl;
        }
    }
    double total = 0.0;
    for (double v : row_loss) total += v;
    *loss = t * t * total / (double)n;
    return FCPTS_OK;
}

extern "C" int fcpts_mse_cpu(const float* a, const float* b, int64_t n, int64_t features, double* loss, float* grad,
                             int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, a && b && loss && n > 0, -1, "NULL buffer or empty batch");
    std::vector<double> row_loss((size_t)n);
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t i = 0; i < n; ++i) {
        double s = 0.0;
        for (int64_t k = 0; k < features; ++k) {
            const double d = (double)a[i * features + k] - b[i * features + k];
            s += d * d;
            if (grad) grad[i * features + k] = (float)(2.0 * d / n);
        }
        row_loss[(size_t)i] = s;
    }
    double total = 0.0;
    for (double v : row_loss) total += v;
    *loss = total / (double)n;
    return FCPTS_OK;
}
