/*
 * CUDA fused KDE-CDF threshold-gradient / masked-weight-gradient pass.
 * Contract, buffers and decomposition: fcpts/kde_fused_cuda.h; per-element math
 * (shared with the CPU twin native/src/kde_fused_cpu.cpp): fcpts/kde_math.h.
 *
 * Per element (segment l, t = thresholds[l], z = (t - |w|) / h_l):
 *   gw = g * 1[|w| > t];  sums of Phi(z), phi(z), g w phi(z), 1[|w| > t], |w|, w^2, nonfinite.
 *
 * Kernel 1 (kde_chunk_kernel): grid-stride over chunks of FCPTS_KDE_CHUNK
 *   elements; the segment of a chunk is found by binary search in chunk_bases.
 *   Threads stride the chunk (coalesced), accumulate in double, reduce with
 *   __shfl_down_sync within warps then through shared memory across warps;
 *   thread 0 writes the chunk's 7 partials.
 * Kernel 2 (kde_segment_kernel): one block per segment reduces its chunk
 *   partials in a fixed order. No atomics anywhere: bitwise reproducible.
 * Traffic: 8 bytes read + 4 written per weight (forward only: 4 read); the
 *   partials are 56 bytes per 8192 weights. Napkin math on an H100 (~3 TB/s):
 *   25.5 M weights * 12 B = 306 MB -> ~0.1 ms at copy speed.
 * Build: nvcc for sm_80, sm_90 and compute_90 PTX (cmake/CMakeLists.txt).
 */
#include <cuda_runtime.h>

#include "fcpts/kde_fused_cuda.h"
#include "fcpts/kde_math.h"

namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr int kStats = FCPTS_KDE_STAT_COUNT;

/* Sums v[k] over the block; the result is valid in thread 0. */
__device__ void block_reduce(double (&v)[kStats]) {
    __shared__ double warp_sums[kWarps][kStats];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
#pragma unroll
    for (int k = 0; k < kStats; ++k) {
        for (int offset = 16; offset > 0; offset >>= 1) {
            v[k] += __shfl_down_sync(0xffffffffu, v[k], offset);
        }
    }
    if (lane == 0) {
#pragma unroll
        for (int k = 0; k < kStats; ++k) warp_sums[warp][k] = v[k];
    }
    __syncthreads();
    if (warp == 0) {
#pragma unroll
        for (int k = 0; k < kStats; ++k) {
            v[k] = lane < kWarps ? warp_sums[lane][k] : 0.0;
            for (int offset = 16; offset > 0; offset >>= 1) {
                v[k] += __shfl_down_sync(0xffffffffu, v[k], offset);
            }
        }
    }
    __syncthreads(); /* warp_sums may be reused by the next chunk of this block */
}

/* Largest l with chunk_bases[l] <= c (segments with no chunk are skipped). */
__device__ int segment_of_chunk(const int64_t* __restrict__ chunk_bases, int n_seg, int64_t c) {
    int lo = 0, hi = n_seg; /* invariant: chunk_bases[lo] <= c < chunk_bases[hi] */
    while (hi - lo > 1) {
        const int mid = (lo + hi) >> 1;
        if (chunk_bases[mid] <= c) lo = mid; else hi = mid;
    }
    return lo;
}

template <bool WithGrad>
__global__ void __launch_bounds__(kThreads)
kde_chunk_kernel(const float* __restrict__ w, const float* __restrict__ g, float* __restrict__ gw,
                 const int64_t* __restrict__ seg_offsets, const int64_t* __restrict__ chunk_bases,
                 int n_seg, int64_t n_chunks, const float* __restrict__ thresholds,
                 const float* __restrict__ inv_bandwidths, double* __restrict__ partials) {
    for (int64_t c = blockIdx.x; c < n_chunks; c += gridDim.x) {
        const int seg = segment_of_chunk(chunk_bases, n_seg, c);
        const int64_t begin = seg_offsets[seg] + (c - chunk_bases[seg]) * FCPTS_KDE_CHUNK;
        const int64_t seg_end = seg_offsets[seg + 1];
        const int64_t end = begin + FCPTS_KDE_CHUNK < seg_end ? begin + FCPTS_KDE_CHUNK : seg_end;
        const float t = thresholds[seg];
        const float inv_h = inv_bandwidths[seg];
        double v[kStats] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        for (int64_t i = begin + threadIdx.x; i < end; i += kThreads) {
            const float wi = w[i];
            const float a = fabsf(wi);
            float pdf, cdf;
            fcpts_normal_pdf_cdf((t - a) * inv_h, &pdf, &cdf);
            const int keep = fcpts_is_kept(a, t);
            v[FCPTS_KDE_SUM_CDF] += cdf;
            v[FCPTS_KDE_SUM_PDF] += pdf;
            v[FCPTS_KDE_KEPT] += keep;
            v[FCPTS_KDE_SUM_ABS] += a;
            v[FCPTS_KDE_SUM_SQ] += (double)wi * (double)wi;
            int bad = fcpts_is_nonfinite(wi);
            if (WithGrad) {
                const float gi = g[i];
                gw[i] = keep ? gi : 0.0f;
                v[FCPTS_KDE_SUM_GW_PDF] += (double)(gi * wi * pdf);
                bad |= fcpts_is_nonfinite(gi);
            }
            v[FCPTS_KDE_NONFINITE] += bad;
        }
        block_reduce(v);
        if (threadIdx.x == 0) {
#pragma unroll
            for (int k = 0; k < kStats; ++k) partials[c * kStats + k] = v[k];
        }
    }
}

__global__ void __launch_bounds__(kThreads)
kde_segment_kernel(const int64_t* __restrict__ chunk_bases, const double* __restrict__ partials,
                   double* __restrict__ stats) {
    const int seg = blockIdx.x;
    double v[kStats] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    for (int64_t c = chunk_bases[seg] + threadIdx.x; c < chunk_bases[seg + 1]; c += kThreads) {
#pragma unroll
        for (int k = 0; k < kStats; ++k) v[k] += partials[c * kStats + k];
    }
    block_reduce(v);
    if (threadIdx.x == 0) {
#pragma unroll
        for (int k = 0; k < kStats; ++k) stats[seg * kStats + k] = v[k];
    }
}

/* Records the CUDA error (name, code, call site) after a launch; FCPTS_OK if none. */
int check_launch(fcpts_status* status, const char* what, int line) {
    const cudaError_t err = cudaGetLastError();
    if (err == cudaSuccess) {
        return FCPTS_OK;
    }
    return fcpts_status_set(status, FCPTS_CUDA_ERROR, -1, __FILE__, line, cudaGetErrorName(err),
                            (int)err, "%s: %s", what, cudaGetErrorString(err));
}

template <bool WithGrad>
int launch(const float* w, const float* g, float* gw, const int64_t* seg_offsets,
           const int64_t* chunk_bases, int32_t n_seg, int64_t n_chunks, const float* thresholds,
           const float* inv_bandwidths, double* partials, double* stats, void* stream,
           fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n_seg >= 0 && n_chunks >= 0, -1,
                  "n_seg and n_chunks must be >= 0, got %d and %lld", n_seg, (long long)n_chunks);
    if (n_seg == 0) {
        return FCPTS_OK;
    }
    FCPTS_REQUIRE(status, seg_offsets && chunk_bases && thresholds && inv_bandwidths && stats, -1,
                  "device layout, threshold, bandwidth and stats pointers must not be NULL");
    FCPTS_REQUIRE(status, n_chunks == 0 || (w && partials && (!WithGrad || (g && gw))), -1,
                  "weight, gradient and partials pointers must not be NULL");
    cudaStream_t s = static_cast<cudaStream_t>(stream);
    if (n_chunks > 0) {
        int device = 0, sms = 0;
        cudaGetDevice(&device);
        cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
        const int64_t max_blocks = (int64_t)(sms > 0 ? sms : 80) * 8;
        const int blocks = (int)(n_chunks < max_blocks ? n_chunks : max_blocks);
        kde_chunk_kernel<WithGrad><<<blocks, kThreads, 0, s>>>(
            w, g, gw, seg_offsets, chunk_bases, n_seg, n_chunks, thresholds, inv_bandwidths,
            partials);
        int rc = check_launch(status, "kde_chunk_kernel launch", __LINE__);
        if (rc != FCPTS_OK) return rc;
    }
    kde_segment_kernel<<<n_seg, kThreads, 0, s>>>(chunk_bases, partials, stats);
    return check_launch(status, "kde_segment_kernel launch", __LINE__);
}

}  // namespace

extern "C" int fcpts_kde_fused_cuda(const float* w, const float* g, float* gw,
                                    const int64_t* seg_offsets, const int64_t* chunk_bases,
                                    int32_t n_seg, int64_t n_chunks, const float* thresholds,
                                    const float* inv_bandwidths, double* partials, double* stats,
                                    void* stream, fcpts_status* status) {
    return launch<true>(w, g, gw, seg_offsets, chunk_bases, n_seg, n_chunks, thresholds,
                        inv_bandwidths, partials, stats, stream, status);
}

extern "C" int fcpts_kde_forward_cuda(const float* w, const int64_t* seg_offsets,
                                      const int64_t* chunk_bases, int32_t n_seg, int64_t n_chunks,
                                      const float* thresholds, const float* inv_bandwidths,
                                      double* partials, double* stats, void* stream,
                                      fcpts_status* status) {
    return launch<false>(w, nullptr, nullptr, seg_offsets, chunk_bases, n_seg, n_chunks,
                         thresholds, inv_bandwidths, partials, stats, stream, status);
}

extern "C" const char* fcpts_cuda_build_info(void) {
    return "libfcpts_cuda " FCPTS_VERSION "; nvcc " FCPTS_NVCC_VERSION "; archs " FCPTS_CUDA_ARCHS;
}

extern "C" int32_t fcpts_cuda_compiled(void) { return 1; }
