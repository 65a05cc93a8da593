/*
 * Optimizer updates on the GPU (contract and formulas: fcpts/optim_cpu.h; CPU twin: native/src/optim_cpu.cpp),
 * one grid-stride pass per parameter tensor, m = mask[i] (1 when mask is NULL):
 *   SGD   d = m (g + wd w);  v = m (mu v + d);  w -= lr m v
 *   Adam  d = m (g + wd w);  m1 = m (b1 m1 + (1 - b1) d);  m2 = m (b2 m2 + (1 - b2) d^2);
 *         w -= (float)(lr m (m1 / c1) / (sqrt(m2 / c2) + eps)),  c1 = 1 - b1^t, c2 = 1 - b2^t
 *         (c1, c2 computed once on the host in double, as on the CPU; the update itself in double)
 * A masked-out weight (m = 0) gets no update and its state is written as 0. Same float / double
 * operations in the same order as the CPU; --fmad=false keeps a * b + c from fusing.
 * Masked copy of the pruning loop (fcpts_masked_copy_cpu):
 *   dst[i] = kept ? src[i] : 0,  kept = keep ? keep[i] != 0 : (threshold < 0 || |src[i]| > threshold)
 *   (fcpts_is_kept of fcpts/kde_math.h, shared with the CPU and the KDE kernel).
 */
#include <cmath>

#include <cuda_runtime.h>

#include "fcpts/ops_cuda.h"
#include "fcpts/ops_math.h"
#include "fcpts/optim_cpu.h"
#include "launch_util.cuh"

using namespace fcpts_cuda;

namespace {

__global__ void __launch_bounds__(kThreads)
sgd_kernel(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ velocity,
           const float* __restrict__ mask, int64_t n, float lr, float momentum, float weight_decay) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        fcpts_sgd_update(mask ? mask[i] : 1.0f, g[i], lr, momentum, weight_decay, &w[i], &velocity[i]);
    }
}

__global__ void __launch_bounds__(kThreads)
adam_kernel(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ m1, float* __restrict__ m2,
            const float* __restrict__ mask, int64_t n, float lr, float beta1, float beta2, float epsilon,
            float weight_decay, double c1, double c2) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        fcpts_adam_update(mask ? mask[i] : 1.0f, g[i], lr, beta1, beta2, epsilon, weight_decay, c1, c2, &w[i],
                          &m1[i], &m2[i]);
    }
}

__global__ void __launch_bounds__(kThreads)
masked_copy_kernel(const float* __restrict__ src, const float* __restrict__ keep, float* __restrict__ dst, int64_t n,
                   float threshold) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        dst[i] = fcpts_masked_value(src[i], keep != nullptr, keep ? keep[i] : 0.0f, threshold);
    }
}

}  // namespace

extern "C" int fcpts_sgd_step_cuda(float* w, const float* g, float* velocity, const float* mask, int64_t n, float lr,
                                   float momentum, float weight_decay, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n >= 0, -1, "n must be >= 0, got %lld", (long long)n);
    FCPTS_REQUIRE(status, n == 0 || (w && g && velocity), -1, "NULL buffer");
    FCPTS_REQUIRE(status, std::isfinite(lr) && lr >= 0.0f, -1, "learning rate must be finite and >= 0, got %g",
                  (double)lr);
    if (n == 0) return FCPTS_OK;
    sgd_kernel<<<grid_for(n, kThreads), kThreads, 0, as_stream(stream)>>>(w, g, velocity, mask, n, lr, momentum,
                                                                          weight_decay);
    return FCPTS_CHECK_LAUNCH(status, "sgd_kernel launch");
}

extern "C" int fcpts_adam_step_cuda(float* w, const float* g, float* m1, float* m2, const float* mask, int64_t n,
                                    float lr, float beta1, float beta2, float epsilon, float weight_decay,
                                    int64_t step, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n >= 0, -1, "n must be >= 0, got %lld", (long long)n);
    FCPTS_REQUIRE(status, n == 0 || (w && g && m1 && m2), -1, "NULL buffer");
    FCPTS_REQUIRE(status, step >= 1, -1, "step must be >= 1, got %lld", (long long)step);
    if (n == 0) return FCPTS_OK;
    const double c1 = 1.0 - std::pow((double)beta1, (double)step);
    const double c2 = 1.0 - std::pow((double)beta2, (double)step);
    adam_kernel<<<grid_for(n, kThreads), kThreads, 0, as_stream(stream)>>>(w, g, m1, m2, mask, n, lr, beta1, beta2,
                                                                           epsilon, weight_decay, c1, c2);
    return FCPTS_CHECK_LAUNCH(status, "adam_kernel launch");
}

extern "C" int fcpts_masked_copy_cuda(const float* src, const float* keep, float* dst, int64_t n, float threshold,
                                      void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n >= 0, -1, "count must be >= 0, got %lld", (long long)n);
    FCPTS_REQUIRE(status, n == 0 || (src && dst), -1, "NULL buffer");
    const uintptr_t s0 = (uintptr_t)src, d0 = (uintptr_t)dst, bytes = (uintptr_t)n * sizeof(float);
    FCPTS_REQUIRE(status, n == 0 || s0 + bytes <= d0 || d0 + bytes <= s0, -1, "source and destination overlap");
    if (n == 0) return FCPTS_OK;
    masked_copy_kernel<<<grid_for(n, kThreads), kThreads, 0, as_stream(stream)>>>(src, keep, dst, n, threshold);
    return FCPTS_CHECK_LAUNCH(status, "masked_copy_kernel launch");
}
