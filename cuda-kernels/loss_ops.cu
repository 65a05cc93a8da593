/*
 * Losses over [n, classes] on the GPU (contract: fcpts/ops_cuda.h; CPU twin and formulas:
 * native/src/losses_cpu.cpp), per row in double with the max subtracted, log_softmax(z / T) =
 * z / T - (log sum_k exp(z_k / T - max) + max):
 *   cross-entropy  row_i = -log_softmax(z_i)[label_i],
 *                  grad  = (softmax(z_i) - onehot(label_i)) / n,            loss = sum_i row_i / n
 *   distillation   row_i = KL(p_i || q_i) = sum_k p (log p - log q), p = softmax(t / T), q = softmax(s / T),
 *                  grad  = (T / n) (q - p),                                 loss = T^2 sum_i row_i / n
 *   mse            row_i = sum_k (a - b)^2, grad = 2 (a - b) / n,          loss = sum_i row_i / n
 * Kernel 1: a group of min(256, pow2ceil(classes)) threads per row (a whole block from 129 classes on)
 *   reduces max / sums with a fixed tree, writes row_loss[i] and the row's gradient (grad may be NULL).
 * Kernel 2: one block sums row_loss in a fixed order (thread-strided partials, then a tree) and writes
 *   loss[0]. No atomics: bitwise reproducible. Per-element terms use the CPU's float / double promotions.
 * Labels live in device memory, so the CPU's host-side label check cannot run without a synchronisation:
 * a row whose label is outside [0, classes) gets row_loss = NaN (hence loss = NaN) and a NaN gradient row.
 */
#include <cmath>

#include <cuda_runtime.h>

#include "fcpts/ops_cuda.h"
#include "launch_util.cuh"

using namespace fcpts_cuda;

namespace {

__device__ __forceinline__ double nan_double() { return __longlong_as_double(0x7ff8000000000000LL); }

/* log-sum-exp of row z / t over a group: max then sum, both group-reduced; every active thread gets it. */
__device__ __forceinline__ double group_log_sum_exp(const float* z, int64_t classes, double t, bool active, int sub,
                                                    int tpp, int shift) {
    double m = -INFINITY;
    if (active) {
        for (int64_t k = sub; k < classes; k += tpp) m = MaxOp()(m, z[k] / t);
    }
    m = group_allreduce(m, shift, MaxOp());
    double sum = 0.0;
    if (active) {
        for (int64_t k = sub; k < classes; k += tpp) sum += exp(z[k] / t - m);
    }
    sum = group_allreduce(sum, shift, SumOp());
    return log(sum) + m;
}

__global__ void __launch_bounds__(kThreads)
cross_entropy_rows_kernel(const float* __restrict__ logits, const int64_t* __restrict__ labels, int64_t n,
                          int64_t classes, int shift, double* __restrict__ row_loss, float* __restrict__ grad) {
    for_each_row_group(n, shift, [&](int64_t i, bool active, int sub, int tpp) {
        const float* z = logits + i * classes;
        const double log_sum = group_log_sum_exp(z, classes, 1.0, active, sub, tpp, shift);
        if (!active) return;
        const int64_t label = labels[i];
        const bool bad = label < 0 || label >= classes;
        if (sub == 0) row_loss[i] = bad ? nan_double() : -(z[label] / 1.0 - log_sum);
        if (grad) {
            float* g = grad + i * classes;
            for (int64_t k = sub; k < classes; k += tpp) {
                g[k] = bad ? (float)nan_double()
                           : (float)((exp(z[k] / 1.0 - log_sum) - (k == label ? 1.0 : 0.0)) / (double)n);
            }
        }
    });
}

__global__ void __launch_bounds__(kThreads)
kl_distill_rows_kernel(const float* __restrict__ student, const float* __restrict__ teacher, int64_t n,
                       int64_t classes, double t, int shift, double* __restrict__ row_loss, float* __restrict__ grad) {
    for_each_row_group(n, shift, [&](int64_t i, bool active, int sub, int tpp) {
        const float* zt = teacher + i * classes;
        const float* zs = student + i * classes;
        const double lse_t = group_log_sum_exp(zt, classes, t, active, sub, tpp, shift);
        const double lse_s = group_log_sum_exp(zs, classes, t, active, sub, tpp, shift);
        double kl = 0.0;
        if (active) {
            float* g = grad ? grad + i * classes : nullptr;
            for (int64_t k = sub; k < classes; k += tpp) {
                const double lp = zt[k] / t - lse_t, lq = zs[k] / t - lse_s;
                const double p = exp(lp);
                kl += p * (lp - lq);
                if (g) g[k] = (float)(t / (double)n * (exp(lq) - p));
            }
        }
        kl = group_allreduce(kl, shift, SumOp());
        if (active && sub == 0) row_loss[i] = kl;
    });
}

__global__ void __launch_bounds__(kThreads)
mse_rows_kernel(const float* __restrict__ a, const float* __restrict__ b, int64_t n, int64_t features, int shift,
                double* __restrict__ row_loss, float* __restrict__ grad) {
    for_each_row_group(n, shift, [&](int64_t i, bool active, int sub, int tpp) {
        double s = 0.0;
        if (active) {
            const float* ar = a + i * features;
            const float* br = b + i * features;
            float* g = grad ? grad + i * features : nullptr;
            for (int64_t k = sub; k < features; k += tpp) {
                const double d = (double)ar[k] - br[k];
                s += d * d;
                if (g) g[k] = (float)(2.0 * d / (double)n);
            }
        }
        s = group_allreduce(s, shift, SumOp());
        if (active && sub == 0) row_loss[i] = s;
    });
}

/* loss[0] = scale * sum_i row_loss[i] / n, one block. */
__global__ void __launch_bounds__(kThreads)
loss_total_kernel(const double* __restrict__ row_loss, int64_t n, double scale, double* __restrict__ loss) {
    double s = 0.0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += row_loss[i];
    s = block_allreduce_sum(s);
    if (threadIdx.x == 0) loss[0] = scale * s / (double)n;
}

int launch_total(const double* row_loss, int64_t n, double scale, double* loss, cudaStream_t s,
                 fcpts_status* status) {
    loss_total_kernel<<<1, kThreads, 0, s>>>(row_loss, n, scale, loss);
    return FCPTS_CHECK_LAUNCH(status, "loss_total_kernel launch");
}

}  // namespace

extern "C" int fcpts_cross_entropy_cuda(const float* logits, const int64_t* labels, int64_t n, int64_t classes,
                                        double* row_loss, double* loss, float* grad, void* stream,
                                        fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, logits && labels && loss && n > 0 && classes > 0, -1, "NULL buffer or empty batch");
    FCPTS_REQUIRE(status, row_loss != nullptr, -1, "row_loss is NULL");
    const cudaStream_t s = as_stream(stream);
    const int shift = group_shift(classes);
    cross_entropy_rows_kernel<<<grid_for(n, kThreads >> shift), kThreads, 0, s>>>(logits, labels, n, classes, shift,
                                                                                  row_loss, grad);
    const int rc = FCPTS_CHECK_LAUNCH(status, "cross_entropy_rows_kernel launch");
    if (rc != FCPTS_OK) return rc;
    return launch_total(row_loss, n, 1.0, loss, s, status);
}

extern "C" int fcpts_kl_distill_cuda(const float* student, const float* teacher, int64_t n, int64_t classes,
                                     float temperature, double* row_loss, double* loss, float* grad, void* stream,
                                     fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, student && teacher && loss && n > 0 && classes > 0, -1, "NULL buffer or empty batch");
    FCPTS_REQUIRE(status, temperature > 0.0f && std::isfinite(temperature), -1, "temperature must be > 0, got %g",
                  (double)temperature);
    FCPTS_REQUIRE(status, row_loss != nullptr, -1, "row_loss is NULL");
    const double t = temperature;
    const cudaStream_t s = as_stream(stream);
    const int shift = group_shift(classes);
    kl_distill_rows_kernel<<<grid_for(n, kThreads >> shift), kThreads, 0, s>>>(student, teacher, n, classes, t, shift,
                                                                               row_loss, grad);
    const int rc = FCPTS_CHECK_LAUNCH(status, "kl_distill_rows_kernel launch");
    if (rc != FCPTS_OK) return rc;
    return launch_total(row_loss, n, t * t, loss, s, status);
}

extern "C" int fcpts_mse_cuda(const float* a, const float* b, int64_t n, int64_t features, double* row_loss,
                              double* loss, float* grad, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, a && b && loss && n > 0, -1, "NULL buffer or empty batch");
    FCPTS_REQUIRE(status, features >= 0, -1, "features must be >= 0, got %lld", (long long)features);
    FCPTS_REQUIRE(status, row_loss != nullptr, -1, "row_loss is NULL");
    const cudaStream_t s = as_stream(stream);
    const int shift = group_shift(features);
    mse_rows_kernel<<<grid_for(n, kThreads >> shift), kThreads, 0, s>>>(a, b, n, features, shift, row_loss, grad);
    const int rc = FCPTS_CHECK_LAUNCH(status, "mse_rows_kernel launch");
    if (rc != FCPTS_OK) return rc;
    return launch_total(row_loss, n, 1.0, loss, s, status);
}
