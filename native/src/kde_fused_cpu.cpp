/*
 * CPU fused KDE-CDF pass (contract and math: fcpts/kde_fused.h and
 * fcpts/kde_math.h). One OpenMP parallel region over fixed-size chunks of all
 * segments; each chunk is a sequence of SIMD blocks (see chunk_pass); chunk
 * partials are then added per segment in chunk order (deterministic for any
 * thread count). The chunk body is compiled three times (x86-64-v4 = AVX-512,
 * x86-64-v3 = AVX2 + FMA, baseline x86-64) and picked by CPU features at load
 * time, so the library runs on any x86-64 CPU. -fno-trapping-math (see
 * cmake/CMakeLists.txt) lets the selects of kde_math.h become SIMD blends.
 * Called from Java through backend.cpu.CpuNatives.
 */
#include "fcpts/kde_fused.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "dnnl.h"
#include "fcpts/kde_math.h"

namespace {

struct Chunk {
    int32_t segment;
    int64_t begin;
    int64_t end;
};

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FCPTS_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FCPTS_CPU_CLONES
#endif

/*
 * One chunk: gw (when with_grad) and the seven partial sums of fcpts/kde_fused.h.
 * The chunk is cut into blocks of kBlock elements, each one SIMD loop. Within a
 * block, Phi, phi and g w phi are summed in float SIMD lanes (at most
 * kBlock / 8 terms per lane), then added to double accumulators: by the
 * standard bound for m-term float sums, a block adds at most about
 * (kBlock / 8) * 6e-8 = 7.7e-6 of its sum of |terms| in error, while the per-
 * element double conversions that would cost more than the memory traffic stay
 * off the hot path. |w| and w^2 are exact in double and are summed in double.
 * Blocks and chunks are combined in a fixed order: independent of thread count.
 */
constexpr int64_t kBlock = 1024;

template <bool WithGrad>
FCPTS_CPU_CLONES void chunk_pass(const float* __restrict__ w, const float* __restrict__ g,
                                 float* __restrict__ gw, int64_t begin, int64_t end, float t,
                                 float inv_h, double* __restrict__ out) {
    double sum_cdf = 0.0, sum_pdf = 0.0, sum_gw_pdf = 0.0, sum_abs = 0.0, sum_sq = 0.0;
    int64_t kept = 0, nonfinite = 0;
    for (int64_t block = begin; block < end; block += kBlock) {
        const int64_t block_end = block + kBlock < end ? block + kBlock : end;
        float b_cdf = 0.0f, b_pdf = 0.0f, b_gw_pdf = 0.0f;
        double b_abs = 0.0, b_sq = 0.0;
        int b_kept = 0, b_bad = 0;
#pragma omp simd reduction(+ : b_cdf, b_pdf, b_gw_pdf, b_abs, b_sq, b_kept, b_bad)
        for (int64_t i = block; i < block_end; ++i) {
            const float wi = w[i];
            const float a = std::fabs(wi);
            float pdf, cdf;
            fcpts_normal_pdf_cdf((t - a) * inv_h, &pdf, &cdf);
            const int keep = fcpts_is_kept(a, t);
            b_cdf += cdf;
            b_pdf += pdf;
            b_kept += keep;
            b_abs += a;
            b_sq += (double)wi * (double)wi;
            int bad = fcpts_is_nonfinite(wi);
            if (WithGrad) {
                const float gi = g[i];
                gw[i] = keep ? gi : 0.0f;
                b_gw_pdf += gi * wi * pdf;
                bad |= fcpts_is_nonfinite(gi);
            }
            b_bad += bad;
        }
        sum_cdf += b_cdf;
        sum_pdf += b_pdf;
        sum_gw_pdf += b_gw_pdf;
        sum_abs += b_abs;
        sum_sq += b_sq;
        kept += b_kept;
        nonfinite += b_bad;
    }
    out[FCPTS_KDE_SUM_CDF] = sum_cdf;
    out[FCPTS_KDE_SUM_PDF] = sum_pdf;
    out[FCPTS_KDE_SUM_GW_PDF] = sum_gw_pdf;
    out[FCPTS_KDE_KEPT] = (double)kept;
    out[FCPTS_KDE_SUM_ABS] = sum_abs;
    out[FCPTS_KDE_SUM_SQ] = sum_sq;
    out[FCPTS_KDE_NONFINITE] = (double)nonfinite;
}

int check_layout(const int64_t* seg_offsets, int32_t n_seg, const float* thresholds,
                 const float* inv_bandwidths, double* stats, fcpts_status* status) {
    FCPTS_REQUIRE(status, n_seg >= 0, -1, "n_seg must be >= 0, got %d", n_seg);
    FCPTS_REQUIRE(status, seg_offsets != nullptr, -1, "seg_offsets is NULL");
    FCPTS_REQUIRE(status, seg_offsets[0] == 0, 0, "seg_offsets[0] must be 0, got %lld",
                  (long long)seg_offsets[0]);
    if (n_seg == 0) {
        return FCPTS_OK;
    }
    FCPTS_REQUIRE(status, thresholds != nullptr && inv_bandwidths != nullptr && stats != nullptr,
                  -1, "thresholds, inv_bandwidths and stats must not be NULL");
    for (int32_t l = 0; l < n_seg; ++l) {
        FCPTS_REQUIRE(status, seg_offsets[l + 1] >= seg_offsets[l], l,
                      "segment %d: seg_offsets must be non-decreasing (%lld then %lld)", l,
                      (long long)seg_offsets[l], (long long)seg_offsets[l + 1]);
        FCPTS_REQUIRE(status, std::isfinite(thresholds[l]) && thresholds[l] >= 0.0f, l,
                      "segment %d: threshold must be finite and >= 0, got %g", l,
                      (double)thresholds[l]);
        FCPTS_REQUIRE(status, std::isfinite(inv_bandwidths[l]) && inv_bandwidths[l] > 0.0f, l,
                      "segment %d: inverse bandwidth must be finite and > 0, got %g", l,
                      (double)inv_bandwidths[l]);
    }
    return FCPTS_OK;
}

template <bool WithGrad>
int run_pass(const float* w, const float* g, float* gw, const int64_t* seg_offsets, int32_t n_seg,
             const float* thresholds, const float* inv_bandwidths, double* stats,
             int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    int rc = check_layout(seg_offsets, n_seg, thresholds, inv_bandwidths, stats, status);
    if (rc != FCPTS_OK || n_seg == 0) {
        return rc;
    }
    const int64_t total = seg_offsets[n_seg];
    FCPTS_REQUIRE(status, total == 0 || w != nullptr, -1, "w is NULL");
    if (WithGrad) {
        FCPTS_REQUIRE(status, total == 0 || (g != nullptr && gw != nullptr), -1,
                      "g and gw must not be NULL");
    }
    try {
        std::vector<Chunk> chunks;
        for (int32_t l = 0; l < n_seg; ++l) {
            for (int64_t b = seg_offsets[l]; b < seg_offsets[l + 1]; b += FCPTS_KDE_CHUNK) {
                chunks.push_back({l, b, std::min<int64_t>(b + FCPTS_KDE_CHUNK, seg_offsets[l + 1])});
            }
        }
        const int64_t n_chunks = (int64_t)chunks.size();
        std::vector<double> partials((size_t)n_chunks * FCPTS_KDE_STAT_COUNT);
        const int threads = n_threads > 0 ? n_threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t c = 0; c < n_chunks; ++c) {
            const Chunk& ch = chunks[(size_t)c];
            chunk_pass<WithGrad>(w, g, gw, ch.begin, ch.end, thresholds[ch.segment],
                                 inv_bandwidths[ch.segment],
                                 &partials[(size_t)c * FCPTS_KDE_STAT_COUNT]);
        }
        std::fill(stats, stats + (size_t)n_seg * FCPTS_KDE_STAT_COUNT, 0.0);
        for (int64_t c = 0; c < n_chunks; ++c) {
            double* dst = stats + (size_t)chunks[(size_t)c].segment * FCPTS_KDE_STAT_COUNT;
            const double* src = &partials[(size_t)c * FCPTS_KDE_STAT_COUNT];
            for (int k = 0; k < FCPTS_KDE_STAT_COUNT; ++k) {
                dst[k] += src[k];
            }
        }
    } catch (const std::bad_alloc&) {
        FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "out of memory for the chunk table of %d segments",
                   n_seg);
    } catch (...) {
        FCPTS_FAIL(status, FCPTS_INTERNAL, -1, "unexpected C++ exception in the fused KDE pass");
    }
    return FCPTS_OK;
}

}  // namespace

extern "C" int fcpts_kde_fused_cpu(const float* w, const float* g, float* gw,
                                   const int64_t* seg_offsets, int32_t n_seg,
                                   const float* thresholds, const float* inv_bandwidths,
                                   double* stats, int32_t n_threads, fcpts_status* status) {
    return run_pass<true>(w, g, gw, seg_offsets, n_seg, thresholds, inv_bandwidths, stats,
                          n_threads, status);
}

extern "C" int fcpts_kde_forward_cpu(const float* w, const int64_t* seg_offsets, int32_t n_seg,
                                     const float* thresholds, const float* inv_bandwidths,
                                     double* stats, int32_t n_threads, fcpts_status* status) {
    return run_pass<false>(w, nullptr, nullptr, seg_offsets, n_seg, thresholds, inv_bandwidths,
                           stats, n_threads, status);
}

extern "C" int fcpts_parallel_copy_cpu(const void* src, void* dst, int64_t n_bytes,
                                       int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n_bytes >= 0, -1, "n_bytes must be >= 0, got %lld", (long long)n_bytes);
    FCPTS_REQUIRE(status, n_bytes == 0 || (src != nullptr && dst != nullptr), -1,
                  "src and dst must not be NULL");
    const int threads = n_threads > 0 ? n_threads : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
    {
        const int64_t parts = omp_get_num_threads();
        const int64_t id = omp_get_thread_num();
        const int64_t slice = (n_bytes / parts + 63) & ~int64_t(63);
        const int64_t begin = std::min(n_bytes, id * slice);
        const int64_t end = std::min(n_bytes, begin + slice);
        if (end > begin) {
            std::memcpy(static_cast<char*>(dst) + begin, static_cast<const char*>(src) + begin,
                        (size_t)(end - begin));
        }
    }
    return FCPTS_OK;
}

extern "C" int32_t fcpts_cpu_default_threads(void) { return omp_get_max_threads(); }

extern "C" const char* fcpts_cpu_build_info(void) {
    static const std::string info = [] {
        const dnnl_version_t* v = dnnl_version();
        char buf[256];
        std::snprintf(buf, sizeof buf, "libfcpts_cpu %s; g++ %s; OpenMP %d; oneDNN %d.%d.%d",
                      FCPTS_VERSION, __VERSION__, _OPENMP, v->major, v->minor, v->patch);
        return std::string(buf);
    }();
    return info.c_str();
}
