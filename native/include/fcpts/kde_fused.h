/*
 * C ABI of the fused KDE-CDF threshold-gradient / masked-weight-gradient pass
 * (FCPTS.md section 5), CPU version. The CUDA twin is fcpts/kde_fused_cuda.h.
 *
 * The prunable weights of all layers lie back to back in one float array;
 * segment l (layer l) is w[seg_offsets[l] .. seg_offsets[l+1]). For every
 * element, with t = thresholds[l], z = (t - |w|) * inv_bandwidths[l]:
 *
 *   gw[i]  = g[i] * 1[|w[i]| > t]                            (masked weight gradient)
 *
 * and per segment, accumulated in double, stats[l * FCPTS_KDE_STAT_COUNT + k]:
 *   k = FCPTS_KDE_SUM_CDF      sum Phi(z)           -> smooth sparsity * N_l
 *   k = FCPTS_KDE_SUM_PDF      sum phi(z)           -> KDE density at t * N_l * h_l
 *   k = FCPTS_KDE_SUM_GW_PDF   sum g * w * phi(z)   -> straight-through dL/dt * (-h_l)
 *   k = FCPTS_KDE_KEPT         #{|w| > t}           -> hard density * N_l
 *   k = FCPTS_KDE_SUM_ABS      sum |w|              -> next Silverman bandwidth
 *   k = FCPTS_KDE_SUM_SQ       sum w^2              -> next Silverman bandwidth
 *   k = FCPTS_KDE_NONFINITE    #{w or g is NaN/inf} -> must be 0; the caller reports the layer
 *
 * The forward-only variant reads w alone (no g, no gw) and leaves SUM_GW_PDF = 0.
 * Work is split into fixed chunks of FCPTS_KDE_CHUNK elements inside each
 * segment; chunk partials are combined in chunk order, so the result is bit
 * for bit the same for any thread count.
 */
#ifndef FCPTS_KDE_FUSED_H
#define FCPTS_KDE_FUSED_H

#include <stddef.h>
#include <stdint.h>

#include "fcpts/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum fcpts_kde_stat {
    FCPTS_KDE_SUM_CDF = 0,
    FCPTS_KDE_SUM_PDF = 1,
    FCPTS_KDE_SUM_GW_PDF = 2,
    FCPTS_KDE_KEPT = 3,
    FCPTS_KDE_SUM_ABS = 4,
    FCPTS_KDE_SUM_SQ = 5,
    FCPTS_KDE_NONFINITE = 6,
    FCPTS_KDE_STAT_COUNT = 7
};

/* Elements per work chunk (CPU and GPU); a chunk never crosses a segment boundary. */
#define FCPTS_KDE_CHUNK 8192

/*
 * w, g:          host, seg_offsets[n_seg] floats each, read only
 * gw:            host, seg_offsets[n_seg] floats, written (may alias g)
 * seg_offsets:   host, n_seg + 1 int64, seg_offsets[0] == 0, non-decreasing
 * thresholds:    host, n_seg floats, finite, >= 0
 * inv_bandwidths:host, n_seg floats, finite, > 0 (1 / h_l)
 * stats:         host, n_seg * FCPTS_KDE_STAT_COUNT doubles, written
 * n_threads:     OpenMP threads, <= 0 for the runtime default
 */
int fcpts_kde_fused_cpu(const float* w, const float* g, float* gw, const int64_t* seg_offsets,
                        int32_t n_seg, const float* thresholds, const float* inv_bandwidths,
                        double* stats, int32_t n_threads, fcpts_status* status);

/* Forward only: same buffers without g and gw. */
int fcpts_kde_forward_cpu(const float* w, const int64_t* seg_offsets, int32_t n_seg,
                          const float* thresholds, const float* inv_bandwidths, double* stats,
                          int32_t n_threads, fcpts_status* status);

/*
 * Baseline for the kernel benchmark: copies n_bytes from src to dst (host, not
 * overlapping) with the same OpenMP thread count, each thread one contiguous slice.
 */
int fcpts_parallel_copy_cpu(const void* src, void* dst, int64_t n_bytes, int32_t n_threads,
                            fcpts_status* status);

/* OpenMP threads this library uses when n_threads <= 0. */
int32_t fcpts_cpu_default_threads(void);

/* Identifies the build: version, compiler, OpenMP and oneDNN versions. */
const char* fcpts_cpu_build_info(void);

#ifdef __cplusplus
}
#endif

#endif /* FCPTS_KDE_FUSED_H */
