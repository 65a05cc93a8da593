/*
 * C ABI of the optimizer updates (CPU), one OpenMP pass per parameter tensor.
 * w, g and the state buffers are host float arrays of n elements; mask (may be
 * NULL) holds 0 or 1 per weight: a masked-out weight gets no update at all and
 * its state stays zero, so a pruned weight stays exactly zero.
 *
 *   SGD (PyTorch semantics, L2 decay):  d = m (g + wd w);  v = mu v + d;  w -= lr m v
 *   Adam (L2 decay, bias-corrected):   d = m (g + wd w);  m1 = b1 m1 + (1 - b1) d;
 *                                      m2 = b2 m2 + (1 - b2) d^2;
 *                                      w -= lr m (m1 / (1 - b1^t)) / (sqrt(m2 / (1 - b2^t)) + eps)
 */
#ifndef FCPTS_OPTIM_CPU_H
#define FCPTS_OPTIM_CPU_H

#include <stdint.h>

#include "fcpts/status.h"

#ifdef __cplusplus
extern "C" {
#endif

int fcpts_sgd_step_cpu(float* w, const float* g, float* velocity, const float* mask, int64_t n, float lr,
                       float momentum, float weight_decay, int32_t n_threads, fcpts_status* status);

/* step is the 1-based count of updates done so far including this one. */
int fcpts_adam_step_cpu(float* w, const float* g, float* m1, float* m2, const float* mask, int64_t n, float lr,
                        float beta1, float beta2, float epsilon, float weight_decay, int64_t step, int32_t n_threads,
                        fcpts_status* status);

/*
 * Masked copy of the pruning loop (student weights w 1[|w| > t_l] out of the flat weight vector, layer
 * gradients back into it), for i < n:
 *   dst[i] = kept ? src[i] : 0,   kept = keep ? keep[i] != 0 : (threshold < 0 || |src[i]| > threshold)
 * (the comparison is fcpts_is_kept of kde_math.h). src and dst must not overlap.
 */
int fcpts_masked_copy_cpu(const float* src, const float* keep, float* dst, int64_t n, float threshold,
                          int32_t n_threads, fcpts_status* status);

#ifdef __cplusplus
}
#endif

#endif /* FCPTS_OPTIM_CPU_H */
