/*
 * Sparse convolution plans on the CPU (math and layouts in fcpts/sparse_cpu.h).
 *
 * Per image: stage the input as sh*sw phase planes of the zero-padded input,
 *   P[a*sw + b][c][i][j] = xpad[c][i*sh + a][j*sw + b]        (i < Hq, j < Wq)
 * so that a window tap (c, ky, kx) of output (oh, ow) reads P at a fixed offset from q = oh*Wq + ow:
 *   offset = ((a*sw + b)*C + c)*Hq*Wq + (ky*dh / sh)*Wq + kx*dw / sw,   a = ky*dh % sh, b = kx*dw % sw.
 * Then for every task (output channel m, 64 consecutive q from q0)
 *   acc[j] = sum_{p in row m} values[p] * P[offset[p] + q0 + j]         (j < 64, in 8 AVX2 registers)
 *   y[m, oh, ow] = act(acc[j] + bias[m] + residual[m, oh, ow])          (q0 + j = oh*Wq + ow, ow < OW only)
 * The staging buffer ends in 64 + Wq zeroed floats so that a tile never reads past it.
 * A 1x1 convolution with stride 1 and no padding ("direct") has one phase plane equal to the input itself, so
 * its tiles read the image in place instead of a staged copy (one copy and one pass over the input fewer); its
 * last tile per row reads only the positions that exist (masked loads), the others the same as staged.
 *
 * Non-finite inputs: the dense sum ONNX Runtime computes multiplies every weight, and 0 * Inf = 0 * NaN = NaN,
 * while the CSR sum never sees the zeros it does not store. Staging notes whether an image holds a non-finite
 * value (fcpts_nonfinite_f on each staged value, fused into the staging pass; a direct plan scans its input
 * instead); only then is the image
 * revisited (poison_image): with N the staged 0 / 1 indicator of non-finite inputs,
 *   all[g, q]    = sum over every tap of group g of N[offset(tap) + q]
 *   stored[m, q] = sum over row m's stored taps of N[offset[p] + q]
 * and y[m, oh, ow] = NaN where all[g(m), q] > stored[m, q]: a non-finite input meets a weight the CSR does not
 * store (columns are unique within a row, csr_check.h). Stored weights already carried Inf / NaN through the FMAs,
 * and act(NaN) is NaN for every epilogue (fcpts/ops.def), so the fused store stays as it is. Counts are exact
 * in float (at most c / groups kh kw < 2^24 terms).
 */
#include "fcpts/sparse_cpu.h"

#include "fcpts/ops_dispatch.h"
#include "fcpts/ops_math.h"

#include "csr_check.h"
#include "live_plans.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <vector>

namespace {

constexpr int64_t TILE = 64;

struct Geometry {
    int64_t n, c, h, w, oc, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};

}  // namespace

struct fcpts_sparse_conv {
    fcpts::LivePlan live;        /* counted by fcpts_cpu_live_plans */
    Geometry g{};
    int64_t hq = 0, wq = 0;      /* size of one phase plane */
    int64_t q_count = 0;         /* positions computed per output channel: oh * wq */
    std::vector<int32_t> row_ptr, offsets;
    std::vector<float> values, bias, stage;
    std::vector<int> nonfinite;  /* [n]: image i staged a non-finite value in the current call */
    int32_t activation = FCPTS_ACT_NONE;
    float lo = 0, hi = 0;
    int threads = 1;
    bool direct = false;         /* 1x1, stride 1, no padding: the staging would copy the input as it is */
};

namespace {

struct Task {
    const fcpts_sparse_conv* p;
    const float* stage;     /* the staged image, or the image itself for a direct plan */
    const float* residual;  /* image's residual or NULL */
    float* y;               /* image's output */
};

/* out[k] = act(acc[k] + b + res[k]) for k < n; one loop per activation and residual case so that each
 * vectorizes. */
template <int32_t ACT, bool RESIDUAL>
inline void store_run(const float* __restrict__ acc, float b, const float* __restrict__ res, float lo, float hi,
                      float* __restrict__ out, int64_t n) {
    for (int64_t k = 0; k < n; ++k) {
        float v = acc[k] + b;
        if (RESIDUAL) v += res[k];
        out[k] = fcpts_activation_value(ACT, v, lo, hi);  /* NaN stays NaN (fcpts/ops.def) */
    }
}

template <int32_t ACT>
inline void store_run(const float* acc, float b, const float* res, float lo, float hi, float* out, int64_t n) {
    if (res) {
        store_run<ACT, true>(acc, b, res, lo, hi, out, n);
    } else {
        store_run<ACT, false>(acc, b, nullptr, lo, hi, out, n);
    }
}

/* Stores one tile's sums: positions q0 .. q0 + TILE - 1 of output channel m, run by run along the rows of
 * width Wq, dropping the columns ow >= OW. */
inline void store_tile(const Task& t, int64_t m, int64_t q0, const float* acc) {
    const fcpts_sparse_conv* p = t.p;
    const int64_t ow = p->g.ow, plane = p->g.oh * ow;
    const float b = p->bias.empty() ? 0.0f : p->bias[m];
    const int64_t end = std::min<int64_t>(TILE, p->q_count - q0);
    float* out = t.y + m * plane;
    const float* res = t.residual ? t.residual + m * plane : nullptr;
    for (int64_t j = 0; j < end;) {
        const int64_t row = (q0 + j) / p->wq, col = (q0 + j) % p->wq;
        const int64_t run = std::min(end - j, p->wq - col), valid = std::max<int64_t>(0, std::min(run, ow - col));
        if (valid > 0) {
            const int64_t o = row * ow + col;
            const float* r = res ? res + o : nullptr;
            fcpts_dispatch_activation(p->activation, [&](auto c) {
                store_run<decltype(c)::value>(acc + j, b, r, p->lo, p->hi, out + o, valid);
            });
        }
        j += run;
    }
}

__attribute__((target("avx2,fma"))) void tile_avx2(const float* __restrict__ vals, const int32_t* __restrict__ offs,
                                                   int32_t begin, int32_t end, const float* __restrict__ src,
                                                   float* __restrict__ acc_out) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int32_t k = begin; k < end; ++k) {
        const __m256 v = _mm256_broadcast_ss(vals + k);
        const float* s = src + offs[k];
        a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s), a0);
        a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 8), a1);
        a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 16), a2);
        a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 24), a3);
        a4 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 32), a4);
        a5 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 40), a5);
        a6 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 48), a6);
        a7 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 56), a7);
    }
    _mm256_storeu_ps(acc_out, a0);
    _mm256_storeu_ps(acc_out + 8, a1);
    _mm256_storeu_ps(acc_out + 16, a2);
    _mm256_storeu_ps(acc_out + 24, a3);
    _mm256_storeu_ps(acc_out + 32, a4);
    _mm256_storeu_ps(acc_out + 40, a5);
    _mm256_storeu_ps(acc_out + 48, a6);
    _mm256_storeu_ps(acc_out + 56, a7);
}

/* tile_avx2 for the last tile of a direct plan: lanes from `len` on are neither read (masked loads) nor
 * meaningful; the lanes below it get the same FMAs in the same order as in tile_avx2. */
__attribute__((target("avx2,fma"))) void tail_avx2(const float* __restrict__ vals, const int32_t* __restrict__ offs,
                                                   int32_t begin, int32_t end, const float* __restrict__ src,
                                                   int64_t len, float* __restrict__ acc_out) {
    __m256i mask[TILE / 8];
    for (int64_t r = 0; r < TILE / 8; ++r) {
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        mask[r] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(len - 8 * r)), lane);
    }
    __m256 a[TILE / 8];
    for (int64_t r = 0; r < TILE / 8; ++r) a[r] = _mm256_setzero_ps();
    for (int32_t k = begin; k < end; ++k) {
        const __m256 v = _mm256_broadcast_ss(vals + k);
        const float* s = src + offs[k];
        for (int64_t r = 0; r < TILE / 8; ++r) a[r] = _mm256_fmadd_ps(v, _mm256_maskload_ps(s + 8 * r, mask[r]), a[r]);
    }
    for (int64_t r = 0; r < TILE / 8; ++r) _mm256_storeu_ps(acc_out + 8 * r, a[r]);
}

/* tile_generic over the first `len` lanes only (the last tile of a direct plan without AVX2). */
void tail_generic(const float* __restrict__ vals, const int32_t* __restrict__ offs, int32_t begin, int32_t end,
                  const float* __restrict__ src, int64_t len, float* __restrict__ acc) {
    for (int64_t j = 0; j < TILE; ++j) acc[j] = 0.0f;
    for (int32_t k = begin; k < end; ++k) {
        const float v = vals[k];
        const float* __restrict__ s = src + offs[k];
        for (int64_t j = 0; j < len; ++j) acc[j] += v * s[j];
    }
}

void tile_generic(const float* __restrict__ vals, const int32_t* __restrict__ offs, int32_t begin, int32_t end,
                  const float* __restrict__ src, float* __restrict__ acc) {
    for (int64_t j = 0; j < TILE; ++j) acc[j] = 0.0f;
    for (int32_t k = begin; k < end; ++k) {
        const float v = vals[k];
        const float* __restrict__ s = src + offs[k];
        for (int64_t j = 0; j < TILE; ++j) acc[j] += v * s[j];
    }
}

const bool HAVE_AVX2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

/* Every (tile, row) task of one image; call inside a parallel region. Tile-major so that the threads share
 * the staging slice of a tile in cache. */
void compute_image(const Task& t) {
    const fcpts_sparse_conv* p = t.p;
    const int64_t tiles = (p->q_count + TILE - 1) / TILE, rows = p->g.oc;
    const float* vals = p->values.data();
    const int32_t* offs = p->offsets.data();
#pragma omp for schedule(static)
    for (int64_t task = 0; task < tiles * rows; ++task) {
        const int64_t m = task % rows, q0 = task / rows * TILE;
        alignas(32) float acc[TILE];
        /* a direct plan reads the image itself, which ends at the last channel's q_count: no padding after it */
        const int64_t len = p->direct ? std::min<int64_t>(TILE, p->q_count - q0) : TILE;
        if (HAVE_AVX2) {
            if (len < TILE) {
                tail_avx2(vals, offs, p->row_ptr[m], p->row_ptr[m + 1], t.stage + q0, len, acc);
            } else {
                tile_avx2(vals, offs, p->row_ptr[m], p->row_ptr[m + 1], t.stage + q0, acc);
            }
        } else if (len < TILE) {
            tail_generic(vals, offs, p->row_ptr[m], p->row_ptr[m + 1], t.stage + q0, len, acc);
        } else {
            tile_generic(vals, offs, p->row_ptr[m], p->row_ptr[m + 1], t.stage + q0, acc);
        }
        store_tile(t, m, q0, acc);
    }
}

/*
 * The phase planes of one image (see the top of the file); padding and the tail of each row read as 0. With
 * INDICATOR each staged value is replaced by 1 if non-finite, else 0 (poison_image). *nonfinite becomes 1 if a
 * staged value is Inf or NaN (written by any thread that saw one; read after the loop's barrier).
 */
template <bool INDICATOR>
void stage_image(const fcpts_sparse_conv* p, const float* x, float* s, int* nonfinite) {
    const Geometry& g = p->g;
    const int64_t rows = g.sh * g.sw * g.c * p->hq;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
        const int64_t i = r % p->hq, c = r / p->hq % g.c, phase = r / (p->hq * g.c);
        const int64_t a = phase / g.sw, b = phase % g.sw, iy = i * g.sh + a - g.pt;
        float* dst = s + r * p->wq;
        if (iy < 0 || iy >= g.h) {
            std::memset(dst, 0, sizeof(float) * (size_t)p->wq);
            continue;
        }
        const float* src = x + (c * g.h + iy) * g.w;
        for (int64_t j = 0; j < p->wq; ++j) {
            const int64_t ix = j * g.sw + b - g.pl;
            dst[j] = ix >= 0 && ix < g.w ? src[ix] : 0.0f;
        }
        int seen = 0;  /* a second, contiguous pass over the staged row: it vectorizes, the gather above not */
        for (int64_t j = 0; j < p->wq; ++j) seen |= fcpts_nonfinite_f(dst[j]);
        if (INDICATOR) {
            for (int64_t j = 0; j < p->wq; ++j) dst[j] = (float)fcpts_nonfinite_f(dst[j]);
        }
        if (seen) {
#pragma omp atomic write
            *nonfinite = 1;
        }
    }
}

/* *nonfinite = 1 if one of the `count` values of x is Inf or NaN (a direct plan's image, which it does not
 * stage); call inside a parallel region. */
void scan_image(const float* __restrict__ x, int64_t count, int* nonfinite) {
    constexpr int64_t CHUNK = 4096;
#pragma omp for schedule(static)
    for (int64_t c0 = 0; c0 < count; c0 += CHUNK) {
        const int64_t end = std::min(count, c0 + CHUNK);
        int seen = 0;
        for (int64_t i = c0; i < end; ++i) seen |= fcpts_nonfinite_f(x[i]);
        if (seen) {
#pragma omp atomic write
            *nonfinite = 1;
        }
    }
}

/* Counts of tile q0 .. q0 + TILE - 1: acc[j] = sum over the taps' offsets of N[offset + q0 + j]. */
inline void count_tile(const float* __restrict__ n, const int32_t* __restrict__ offs, int64_t count, int64_t q0,
                       float* __restrict__ acc) {
    for (int64_t j = 0; j < TILE; ++j) acc[j] = 0.0f;
    for (int64_t k = 0; k < count; ++k) {
        const float* __restrict__ src = n + offs[k] + q0;
        for (int64_t j = 0; j < TILE; ++j) acc[j] += src[j];
    }
}

/*
 * One image with a non-finite input (see the top of the file): marks (the plan's staging size) receives the
 * indicator staging, every_tap [groups][c / groups kh kw] the offsets of all taps of each group, all
 * [groups][q_count] their counts. Call inside a parallel region; y is the image's output.
 */
void poison_image(const fcpts_sparse_conv* p, const float* x, float* marks, const int32_t* every_tap, float* all,
                  float* y) {
    const Geometry& g = p->g;
    const int64_t taps = g.c / g.groups * g.kh * g.kw, tiles = (p->q_count + TILE - 1) / TILE;
    const int64_t cout_g = g.oc / g.groups, plane = g.oh * g.ow;
    int unused = 0;
    stage_image<true>(p, x, marks, &unused);
#pragma omp for schedule(static)
    for (int64_t task = 0; task < g.groups * tiles; ++task) {
        const int64_t grp = task / tiles, q0 = task % tiles * TILE;
        alignas(32) float acc[TILE];
        count_tile(marks, every_tap + grp * taps, taps, q0, acc);
        const int64_t end = std::min<int64_t>(TILE, p->q_count - q0);
        std::memcpy(all + grp * p->q_count + q0, acc, sizeof(float) * (size_t)end);
    }
#pragma omp for schedule(static)
    for (int64_t task = 0; task < g.oc * tiles; ++task) {
        const int64_t m = task / tiles, q0 = task % tiles * TILE;
        alignas(32) float stored[TILE];
        const int32_t b = p->row_ptr[m];
        count_tile(marks, p->offsets.data() + b, p->row_ptr[m + 1] - b, q0, stored);
        const float* every = all + m / cout_g * p->q_count + q0;
        const int64_t end = std::min<int64_t>(TILE, p->q_count - q0);
        for (int64_t j = 0; j < end; ++j) {
            const int64_t row = (q0 + j) / p->wq, col = (q0 + j) % p->wq;
            if (col < g.ow && every[j] > stored[j]) y[m * plane + row * g.ow + col] = NAN;
        }
    }
}

/* Offsets of every tap of each group, [groups][c / groups kh kw], as the create loop computes stored ones. */
std::vector<int32_t> every_tap_offsets(const fcpts_sparse_conv* p) {
    const Geometry& g = p->g;
    const int64_t cin_g = g.c / g.groups, window = g.kh * g.kw;
    std::vector<int32_t> out((size_t)(g.groups * cin_g * window));
    for (int64_t grp = 0; grp < g.groups; ++grp) {
        for (int64_t col = 0; col < cin_g * window; ++col) {
            const int64_t c = grp * cin_g + col / window, kpos = col % window;
            const int64_t ry = kpos / g.kw * g.dh, rx = kpos % g.kw * g.dw;
            const int64_t phase = ry % g.sh * g.sw + rx % g.sw;
            out[(size_t)(grp * cin_g * window + col)] =
                (int32_t)(((phase * g.c + c) * p->hq + ry / g.sh) * p->wq + rx / g.sw);
        }
    }
    return out;
}

}  // namespace

extern "C" int fcpts_sparse_conv_create(const int64_t* geometry, const int32_t* row_ptr, const int32_t* col_idx,
                                        const float* values, const float* bias, int32_t activation, float clip_lo,
                                        float clip_hi, int32_t n_threads, fcpts_sparse_conv** plan,
                                        fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE_ACTIVATION(status, activation);
    FCPTS_REQUIRE(status, geometry && row_ptr && plan, -1, "NULL geometry, row_ptr or plan");
    const int64_t* a = geometry;
    const Geometry g{a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
                     a[15], a[16], a[17]};
    FCPTS_REQUIRE(status, g.n > 0 && g.c > 0 && g.h > 0 && g.w > 0 && g.oc > 0 && g.oh > 0 && g.ow > 0 && g.kh > 0 &&
                              g.kw > 0 && g.sh > 0 && g.sw > 0 && g.dh > 0 && g.dw > 0 && g.groups > 0,
                  -1, "sizes, strides, dilations and groups must be positive");
    FCPTS_REQUIRE(status, g.pt >= 0 && g.pl >= 0 && g.pb >= 0 && g.pr >= 0, -1, "negative padding");
    FCPTS_REQUIRE(status, g.c % g.groups == 0 && g.oc % g.groups == 0, 17, "groups %lld must divide %lld and %lld",
                  (long long)g.groups, (long long)g.c, (long long)g.oc);
    const int64_t cin_g = g.c / g.groups, cout_g = g.oc / g.groups, window = g.kh * g.kw, columns = cin_g * window;
    const int rc = fcpts_csr_check(row_ptr, col_idx, values, g.oc, columns, status);
    if (rc != FCPTS_OK) return rc;
    const int32_t nnz = row_ptr[g.oc];
    try {
        std::unique_ptr<fcpts_sparse_conv> p(new fcpts_sparse_conv());
        p->g = g;
        p->hq = g.oh + (g.kh - 1) * g.dh / g.sh;
        p->wq = g.ow + (g.kw - 1) * g.dw / g.sw;
        FCPTS_REQUIRE(status, (g.oh - 1) * g.sh + (g.kh - 1) * g.dh < g.h + g.pt + g.pb &&
                                  (g.ow - 1) * g.sw + (g.kw - 1) * g.dw < g.w + g.pl + g.pr, -1,
                      "output %lldx%lld does not fit the padded input", (long long)g.oh, (long long)g.ow);
        p->q_count = g.oh * p->wq;
        const int64_t stage_floats = g.sh * g.sw * g.c * p->hq * p->wq + TILE + p->wq;
        if (stage_floats > std::numeric_limits<int32_t>::max()) {
            FCPTS_FAIL(status, FCPTS_INVALID_ARGUMENT, -1, "layer too large for 32-bit offsets (%lld floats)",
                       (long long)stage_floats);
        }
        p->row_ptr.assign(row_ptr, row_ptr + g.oc + 1);
        p->values.assign(values ? values : nullptr, values ? values + nnz : nullptr);
        p->offsets.resize((size_t)nnz);
        for (int64_t m = 0; m < g.oc; ++m) {
            const int64_t first_channel = m / cout_g * cin_g;
            for (int32_t k = row_ptr[m]; k < row_ptr[m + 1]; ++k) {
                const int64_t c = first_channel + col_idx[k] / window, kpos = col_idx[k] % window;
                const int64_t ry = kpos / g.kw * g.dh, rx = kpos % g.kw * g.dw;
                const int64_t phase = ry % g.sh * g.sw + rx % g.sw;
                p->offsets[(size_t)k] = (int32_t)(((phase * g.c + c) * p->hq + ry / g.sh) * p->wq + rx / g.sw);
            }
        }
        if (bias) p->bias.assign(bias, bias + g.oc);
        p->stage.assign((size_t)stage_floats, 0.0f);
        p->nonfinite.assign((size_t)g.n, 0);
        p->activation = activation;
        p->lo = clip_lo;
        p->hi = clip_hi;
        p->threads = n_threads > 0 ? n_threads : omp_get_max_threads();
        p->direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.pb == 0 &&
                    g.pr == 0;
        *plan = p.release();
        return FCPTS_OK;
    } catch (const std::bad_alloc&) {
        FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "sparse conv plan: out of memory");
    }
}

extern "C" int fcpts_sparse_conv_forward(fcpts_sparse_conv* p, const float* x, const float* residual, float* y,
                                         fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, p && x && y, -1, "NULL plan or buffer");
    FCPTS_REQUIRE(status, y != x && y != residual, -1, "y aliases x or residual");
    const Geometry& g = p->g;
    const int64_t in_image = g.c * g.h * g.w, out_image = g.oc * g.oh * g.ow;
    float* stage = p->stage.data();
    int* nonfinite = p->nonfinite.data();
    std::fill(p->nonfinite.begin(), p->nonfinite.end(), 0);
#pragma omp parallel num_threads(p->threads)
    for (int64_t image = 0; image < g.n; ++image) {
        const float* xi = x + image * in_image;
        if (p->direct) {
            scan_image(xi, in_image, nonfinite + image);
        } else {
            stage_image<false>(p, xi, stage, nonfinite + image);
        }
        compute_image(Task{p, p->direct ? xi : stage, residual ? residual + image * out_image : nullptr,
                           y + image * out_image});
    }
    if (std::find(p->nonfinite.begin(), p->nonfinite.end(), 1) == p->nonfinite.end()) return FCPTS_OK;
    try {  /* the rare path: buffers made here, outside the parallel region */
        std::vector<float> marks(p->stage.size(), 0.0f), all((size_t)(g.groups * p->q_count));
        const std::vector<int32_t> every_tap = every_tap_offsets(p);
#pragma omp parallel num_threads(p->threads)
        for (int64_t image = 0; image < g.n; ++image) {
            if (nonfinite[image]) {
                poison_image(p, x + image * in_image, marks.data(), every_tap.data(), all.data(),
                             y + image * out_image);
            }
        }
    } catch (const std::bad_alloc&) {
        FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "sparse conv: out of memory for the non-finite input pass");
    }
    return FCPTS_OK;
}

extern "C" void fcpts_sparse_conv_destroy(fcpts_sparse_conv* p) { delete p; }
