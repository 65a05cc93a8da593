/*
 * C ABI of the fused KDE-CDF pass on the GPU (libfcpts_cuda). Same math and
 * stats layout as the CPU version, fcpts/kde_fused.h; every pointer below is
 * device memory unless it says host. No CUDA type appears here, so the JNI
 * glue compiles without CUDA headers; `stream` is a cudaStream_t (NULL = the
 * legacy default stream).
 *
 * Work decomposition, fixed per segment layout (a "plan" the caller builds
 * once with fcpts_kde_chunk_bases): segment l holds
 *   chunks_l = ceil(N_l / FCPTS_KDE_CHUNK)
 * chunks, and chunk_bases[l] = sum_{j<l} chunks_j (n_seg + 1 entries). Kernel 1
 * grid-strides over all chunks; a block reduces its chunk (warp shuffles, then
 * shared memory, in double) into partials[chunk * FCPTS_KDE_STAT_COUNT + k].
 * Kernel 2 reduces each segment's chunk partials in a fixed tree order into
 * stats. No atomics: the result is the same on every run.
 */
#ifndef FCPTS_KDE_FUSED_CUDA_H
#define FCPTS_KDE_FUSED_CUDA_H

#include <stdint.h>

#include "fcpts/kde_fused.h"
#include "fcpts/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Host helper: chunk_bases (host, n_seg + 1 int64) from seg_offsets (host,
 * n_seg + 1 int64). Returns the total chunk count in *n_chunks.
 */
int fcpts_kde_chunk_bases(const int64_t* seg_offsets, int32_t n_seg, int64_t* chunk_bases,
                          int64_t* n_chunks, fcpts_status* status);

/*
 * w, g:            device, total floats each (total = seg_offsets[n_seg])
 * gw:              device, total floats, written (may alias g)
 * seg_offsets:     device, n_seg + 1 int64
 * chunk_bases:     device, n_seg + 1 int64 (fcpts_kde_chunk_bases)
 * thresholds:      device, n_seg floats
 * inv_bandwidths:  device, n_seg floats
 * partials:        device, n_chunks * FCPTS_KDE_STAT_COUNT doubles, scratch
 * stats:           device, n_seg * FCPTS_KDE_STAT_COUNT doubles, written
 * Asynchronous on `stream`; returns the launch status (cudaGetLastError).
 */
int fcpts_kde_fused_cuda(const float* w, const float* g, float* gw, const int64_t* seg_offsets,
                         const int64_t* chunk_bases, int32_t n_seg, int64_t n_chunks,
                         const float* thresholds, const float* inv_bandwidths, double* partials,
                         double* stats, void* stream, fcpts_status* status);

/* Forward only: reads w; SUM_GW_PDF is 0. Buffers as above. */
int fcpts_kde_forward_cuda(const float* w, const int64_t* seg_offsets, const int64_t* chunk_bases,
                           int32_t n_seg, int64_t n_chunks, const float* thresholds,
                           const float* inv_bandwidths, double* partials, double* stats,
                           void* stream, fcpts_status* status);

/* Identifies the build: nvcc version and the architectures compiled; never touches a device. */
const char* fcpts_cuda_build_info(void);

/* 1 when this library holds real CUDA kernels, 0 for the CPU-only stub build. */
int32_t fcpts_cuda_compiled(void);

#ifdef __cplusplus
}
#endif

#endif /* FCPTS_KDE_FUSED_CUDA_H */
