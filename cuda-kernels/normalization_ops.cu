/*
 * Normalization and reduction operators on the GPU (contract: fcpts/ops_cuda.h; CPU twins and formulas:
 * native/src/normalization_ops_cpu.cpp, batchnorm_training_cpu.cpp). x is [n, c, spatial]:
 *   BN inference     s = gamma / sqrt(var + eps) (float), y = x s + (beta - mean s)
 *   BN inf. backward dx = dy s;  dgamma = sum dy (x - mean) / sqrt(var + eps) (double), dbeta = sum dy
 *   BN training      mean = E[x], var = E[(x - mean)^2] (two passes), invstd = 1 / sqrt(var + eps),
 *                    y = x (gamma invstd) + (beta - mean gamma invstd);
 *                    running = m running + (1 - m) batch (variance unbiased: var M / (M - 1)), M = n spatial
 *   BN tr. backward  dbeta = sum dy, dgamma = invstd sum dy (x - mean),
 *                    dx = (gamma invstd / M) (M dy - dbeta - xhat dgamma), xhat = (x - mean) invstd
 *   global avg pool  y[p] = sum_s x[p, s] / spatial (double);  backward dx[p, s] = dy[p] / spatial
 *   softmax          y = exp(x - max) / sum exp(x - max) over the middle axis of [outer, axis, inner] (double)
 *   softmax backward dx = y (dy - sum_axis dy y)  (double)
 *   column sum       out[j] = sum_i x[i, j]  (double)
 *   layer norm       per row of [rows, cols]: mu = E[x], var = E[(x - mu)^2] (double, two passes),
 *                    y = (x - mu) invstd gamma + beta;  backward dx = invstd / cols (cols g - sum g - xhat sum g xhat),
 *                    g = dy gamma;  dgamma = sum_rows dy xhat, dbeta = sum_rows dy  (double)
 * Per-element terms are the CPU's (same float / double promotions); sums run in double.
 *
 * Reductions without atomics, fixed order, bitwise reproducible:
 *   - BN statistics: one block per channel; thread t takes the channel's elements t, t + 256, ... (8 loads
 *     in flight), then a fixed shuffle / shared-memory tree. The training backward is one fused kernel per
 *     channel (sums, then dx from them); forward statistics and the elementwise passes are separate kernels
 *     tiled over all planes;
 *   - softmax over the last axis, global average pooling: a group of min(256, pow2ceil(len)) threads per
 *     row with a group tree; softmax over an inner axis (inner > 1): a thread per (outer, inner) position,
 *     sequential over the axis exactly as on the CPU (coalesced across the inner positions);
 *   - column sums: 32 columns per block, 8 row lanes each, the 8 partials added in lane order;
 *   - layer norm: a group of min(256, pow2ceil(cols)) threads per row (the softmax layout), group trees for the
 *     row sums; its dgamma / dbeta are column sums in the column-sum layout. The trees sum in a different order
 *     than the CPU's sequential double loops: mu and invstd can differ from the CPU's by an ulp of float.
 */
#include <cmath>

#include <cuda_runtime.h>

#include "fcpts/ops_cuda.h"
#include "launch_util.cuh"

using namespace fcpts_cuda;

namespace {

/* ---- per-channel walks over [n, c, spatial] ---- */

struct ChannelShape {
    int64_t n, c, spatial;
    int64_t step_b, step_s; /* kThreads = step_b * spatial + step_s */
};

ChannelShape channel_shape(int64_t n, int64_t c, int64_t spatial) {
    ChannelShape s{n, c, spatial, 0, 0};
    if (spatial > 0) {
        s.step_b = kThreads / spatial;
        s.step_s = kThreads % spatial;
    }
    return s;
}

constexpr int kUnroll = 8;

/*
 * Calls f(offset) for the elements m = threadIdx.x, + 256, ... < n * spatial of channel ch (offset of
 * m = b * spatial + s is (b c + ch) spatial + s), in ascending m; kUnroll offsets at a time so that the
 * loads of f are independent.
 */
template <typename F>
__device__ __forceinline__ void walk_channel(const ChannelShape& sh, int64_t ch, F f) {
    if (sh.spatial == 0) return;
    int64_t b = threadIdx.x / sh.spatial, s = threadIdx.x % sh.spatial;
    while (b < sh.n) {
        int64_t off[kUnroll];
        bool ok[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            ok[u] = b < sh.n;
            off[u] = (b * sh.c + ch) * sh.spatial + s;
            s += sh.step_s;
            b += sh.step_b;
            if (s >= sh.spatial) {
                s -= sh.spatial;
                ++b;
            }
        }
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            if (ok[u]) f(off[u]);
        }
    }
}

/* ---- BatchNorm inference ---- */

__global__ void __launch_bounds__(kThreads)
bn_inference_kernel(const float* x, int64_t c, const float* __restrict__ gamma,
                    const float* __restrict__ beta, const float* __restrict__ mean, const float* __restrict__ var,
                    float epsilon, float* y, Tiling t) {
    for_each_tile(t, [&](int64_t plane, int64_t begin, int64_t end, int64_t step) {
        const int64_t ch = plane % c;
        const float scale = gamma[ch] / sqrtf(var[ch] + epsilon);
        const float shift = beta[ch] - mean[ch] * scale;
        const float* in = x + plane * t.len;
        float* out = y + plane * t.len;
        for (int64_t i = begin; i < end; i += step) out[i] = in[i] * scale + shift;
    });
}

/* dx = dy * gamma / sqrt(var + eps) */
__global__ void __launch_bounds__(kThreads)
bn_backward_dx_kernel(const float* dy, int64_t c, const float* __restrict__ gamma,
                      const float* __restrict__ var, float epsilon, float* dx, Tiling t) {
    for_each_tile(t, [&](int64_t plane, int64_t begin, int64_t end, int64_t step) {
        const int64_t ch = plane % c;
        const float scale = gamma[ch] / sqrtf(var[ch] + epsilon);
        const float* in = dy + plane * t.len;
        float* out = dx + plane * t.len;
        for (int64_t i = begin; i < end; i += step) out[i] = in[i] * scale;
    });
}

/* dgamma = (sum dy (x - mean)) / sqrt(var + eps), dbeta = sum dy; one block per channel. */
__global__ void __launch_bounds__(kThreads)
bn_backward_params_kernel(const float* __restrict__ x, const float* __restrict__ dy, ChannelShape sh,
                          const float* __restrict__ mean, const float* __restrict__ var, float epsilon,
                          float* __restrict__ dgamma, float* __restrict__ dbeta) {
    for (int64_t ch = blockIdx.x; ch < sh.c; ch += gridDim.x) { /* block-uniform */
        const float m = mean[ch];
        double sdx = 0.0, sb = 0.0;
        walk_channel(sh, ch, [&](int64_t o) {
            const float g = dy[o];
            sdx += (double)(g * (x[o] - m));
            sb += (double)g;
        });
        sdx = block_allreduce_sum(sdx);
        sb = block_allreduce_sum(sb);
        if (threadIdx.x == 0) {
            const double inv_std = 1.0 / sqrt((double)var[ch] + epsilon);
            if (dgamma) dgamma[ch] = (float)(sdx * inv_std);
            if (dbeta) dbeta[ch] = (float)sb;
        }
    }
}

/* ---- BatchNorm training ---- */

/* Batch statistics of each channel (one block per channel): save_mean, save_invstd, running statistics. */
__global__ void __launch_bounds__(kThreads)
bn_training_stats_kernel(const float* __restrict__ x, ChannelShape sh, float* __restrict__ running_mean,
                         float* __restrict__ running_var, float momentum, float epsilon,
                         float* __restrict__ save_mean, float* __restrict__ save_invstd) {
    const double count = (double)(sh.n * sh.spatial);
    for (int64_t ch = blockIdx.x; ch < sh.c; ch += gridDim.x) { /* block-uniform */
        double sum = 0.0;
        walk_channel(sh, ch, [&](int64_t o) { sum += (double)x[o]; });
        sum = block_allreduce_sum(sum);
        const float mean = (float)(sum / count);
        double sq = 0.0;
        walk_channel(sh, ch, [&](int64_t o) {
            const float d = x[o] - mean;
            sq += (double)(d * d);
        });
        sq = block_allreduce_sum(sq);
        if (threadIdx.x == 0) {
            const double var = sq / count;
            const float invstd = (float)(1.0 / sqrt(var + epsilon));
            save_mean[ch] = mean;
            save_invstd[ch] = invstd;
            running_mean[ch] = momentum * running_mean[ch] + (1.0f - momentum) * mean;
            running_var[ch] = momentum * running_var[ch] + (1.0f - momentum) * (float)(var * count / (count - 1.0));
        }
    }
}

/* y = x (gamma invstd) + (beta - mean gamma invstd) */
__global__ void __launch_bounds__(kThreads)
bn_training_apply_kernel(const float* x, int64_t c, const float* __restrict__ gamma,
                         const float* __restrict__ beta, const float* __restrict__ save_mean,
                         const float* __restrict__ save_invstd, float* y, Tiling t) {
    for_each_tile(t, [&](int64_t plane, int64_t begin, int64_t end, int64_t step) {
        const int64_t ch = plane % c;
        const float scale = gamma[ch] * save_invstd[ch];
        const float shift = beta[ch] - save_mean[ch] * scale;
        const float* in = x + plane * t.len;
        float* out = y + plane * t.len;
        for (int64_t i = begin; i < end; i += step) out[i] = in[i] * scale + shift;
    });
}

/* Fused training backward, one block per channel: sums, then dgamma / dbeta and dx from them. */
__global__ void __launch_bounds__(kThreads)
bn_training_backward_kernel(const float* x, const float* dy, ChannelShape sh, /* no __restrict__: dx may alias */
                            const float* __restrict__ gamma, const float* __restrict__ save_mean,
                            const float* __restrict__ save_invstd, float* dx, float* __restrict__ dgamma,
                            float* __restrict__ dbeta) {
    const double count = (double)(sh.n * sh.spatial);
    for (int64_t ch = blockIdx.x; ch < sh.c; ch += gridDim.x) { /* block-uniform */
        const float mean = save_mean[ch], invstd = save_invstd[ch];
        double sdy = 0.0, sdyx = 0.0;
        walk_channel(sh, ch, [&](int64_t o) {
            const float g = dy[o];
            sdy += (double)g;
            sdyx += (double)(g * (x[o] - mean));
        });
        sdy = block_allreduce_sum(sdy);
        sdyx = block_allreduce_sum(sdyx);
        const double dg = sdyx * invstd;
        if (threadIdx.x == 0) {
            if (dgamma) dgamma[ch] = (float)dg;
            if (dbeta) dbeta[ch] = (float)sdy;
        }
        if (dx) { /* every dy / x element of the channel was read above: dx may alias dy */
            const float k = (float)(gamma[ch] * invstd / count);
            const float mdy = (float)sdy, mdg = (float)dg, fcount = (float)count;
            walk_channel(sh, ch, [&](int64_t o) {
                const float xhat = (x[o] - mean) * invstd;
                dx[o] = k * (fcount * dy[o] - mdy - xhat * mdg);
            });
        }
    }
}

/* ---- global average pooling ---- */

__global__ void __launch_bounds__(kThreads)
global_avg_pool_kernel(const float* __restrict__ x, int64_t planes, int64_t spatial, int shift,
                       float* __restrict__ y) {
    for_each_row_group(planes, shift, [&](int64_t p, bool active, int sub, int tpp) {
        double sum = 0.0;
        if (active) {
            const float* in = x + p * spatial;
            for (int64_t i = sub; i < spatial; i += tpp) sum += (double)in[i];
        }
        sum = group_allreduce(sum, shift, SumOp());
        if (active && sub == 0) y[p] = (float)(sum / (double)spatial);
    });
}

__global__ void __launch_bounds__(kThreads)
global_avg_pool_backward_kernel(const float* __restrict__ dy, float* __restrict__ dx, Tiling t) {
    for_each_tile(t, [&](int64_t p, int64_t begin, int64_t end, int64_t step) {
        const float g = dy[p] / (float)t.len;
        float* out = dx + p * t.len;
        for (int64_t i = begin; i < end; i += step) out[i] = g;
    });
}

/* ---- softmax ---- */

/* inner == 1: a group per row of `axis` contiguous elements. */
__global__ void __launch_bounds__(kThreads)
softmax_rows_kernel(const float* x, int64_t rows, int64_t axis, int shift, float* y) {
    for_each_row_group(rows, shift, [&](int64_t r, bool active, int sub, int tpp) {
        const float* in = x + r * axis;
        float m = -INFINITY;
        if (active) {
            for (int64_t k = sub; k < axis; k += tpp) m = std_max(m, in[k]);
        }
        m = group_allreduce(m, shift, MaxOp());
        double sum = 0.0;
        if (active) {
            for (int64_t k = sub; k < axis; k += tpp) sum += exp((double)in[k] - m);
        }
        sum = group_allreduce(sum, shift, SumOp());
        if (active) {
            float* out = y + r * axis;
            for (int64_t k = sub; k < axis; k += tpp) out[k] = (float)(exp((double)in[k] - m) / sum);
        }
    });
}

/* inner > 1: a thread per (o, i), sequential over the axis as on the CPU. */
__global__ void __launch_bounds__(kThreads)
softmax_strided_kernel(const float* x, int64_t axis, float* y, Tiling t) {
    const int64_t inner = t.len;
    for_each_tile(t, [&](int64_t o, int64_t begin, int64_t end, int64_t step) {
        for (int64_t i = begin; i < end; i += step) {
            const float* in = x + o * axis * inner + i;
            float* out = y + o * axis * inner + i;
            float m = in[0];
            for (int64_t k = 1; k < axis; ++k) m = std_max(m, in[k * inner]);
            double sum = 0.0;
            for (int64_t k = 0; k < axis; ++k) sum += exp((double)in[k * inner] - m);
            for (int64_t k = 0; k < axis; ++k) out[k * inner] = (float)(exp((double)in[k * inner] - m) / sum);
        }
    });
}

__global__ void __launch_bounds__(kThreads)
softmax_backward_rows_kernel(const float* y, const float* dy, int64_t rows, int64_t axis, int shift, float* dx) {
    for_each_row_group(rows, shift, [&](int64_t r, bool active, int sub, int tpp) {
        const float* yr = y + r * axis;
        const float* gr = dy + r * axis;
        double dot = 0.0;
        if (active) {
            for (int64_t k = sub; k < axis; k += tpp) dot += (double)gr[k] * yr[k];
        }
        dot = group_allreduce(dot, shift, SumOp());
        if (active) {
            float* out = dx + r * axis;
            for (int64_t k = sub; k < axis; k += tpp) out[k] = (float)(yr[k] * ((double)gr[k] - dot));
        }
    });
}

__global__ void __launch_bounds__(kThreads)
softmax_backward_strided_kernel(const float* y, const float* dy, int64_t axis, float* dx, Tiling t) {
    const int64_t inner = t.len;
    for_each_tile(t, [&](int64_t o, int64_t begin, int64_t end, int64_t step) {
        for (int64_t i = begin; i < end; i += step) {
            const int64_t base = o * axis * inner + i;
            double dot = 0.0;
            for (int64_t k = 0; k < axis; ++k) dot += (double)dy[base + k * inner] * y[base + k * inner];
            for (int64_t k = 0; k < axis; ++k) {
                dx[base + k * inner] = (float)(y[base + k * inner] * ((double)dy[base + k * inner] - dot));
            }
        }
    });
}

/* ---- column sums ---- */

constexpr int kColLanes = 32;
constexpr int kRowLanes = kThreads / kColLanes;

__global__ void __launch_bounds__(kThreads)
column_sum_kernel(const float* __restrict__ x, int64_t rows, int64_t cols, float* __restrict__ out) {
    __shared__ double partial[kRowLanes][kColLanes];
    const int lane = threadIdx.x % kColLanes, row_lane = threadIdx.x / kColLanes;
    const int64_t tiles = (cols + kColLanes - 1) / kColLanes;
    for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) { /* block-uniform */
        const int64_t j = tile * kColLanes + lane;
        double s = 0.0;
        if (j < cols) {
            for (int64_t i = row_lane; i < rows; i += kRowLanes) s += (double)x[i * cols + j];
        }
        partial[row_lane][lane] = s;
        __syncthreads();
        if (row_lane == 0 && j < cols) {
            double total = partial[0][lane];
            for (int k = 1; k < kRowLanes; ++k) total += partial[k][lane];
            out[j] = (float)total;
        }
        __syncthreads();
    }
}

/* ---- layer normalization ---- */

__global__ void __launch_bounds__(kThreads)
layer_norm_kernel(const float* x, int64_t rows, int64_t cols, int shift, const float* __restrict__ gamma,
                  const float* __restrict__ beta, float epsilon, float* y, /* y may alias x */
                  float* __restrict__ save_mean, float* __restrict__ save_invstd) {
    for_each_row_group(rows, shift, [&](int64_t r, bool active, int sub, int tpp) {
        const float* in = x + r * cols;
        double sum = 0.0;
        if (active) {
            for (int64_t j = sub; j < cols; j += tpp) sum += (double)in[j];
        }
        sum = group_allreduce(sum, shift, SumOp());
        const float mu = (float)(sum / (double)cols);
        double sq = 0.0;
        if (active) {
            for (int64_t j = sub; j < cols; j += tpp) {
                const double d = (double)in[j] - (double)mu;
                sq += d * d;
            }
        }
        sq = group_allreduce(sq, shift, SumOp());
        const float invstd = fcpts_layer_norm_invstd(sq, cols, epsilon);
        if (active) {
            float* out = y + r * cols;
            for (int64_t j = sub; j < cols; j += tpp) {
                const float v = fcpts_layer_norm_value(in[j], mu, invstd, gamma[j]);
                out[j] = beta ? v + beta[j] : v;
            }
            if (sub == 0) {
                save_mean[r] = mu;
                save_invstd[r] = invstd;
            }
        }
    });
}

/* dgamma[j] = sum_r dy xhat, dbeta[j] = sum_r dy: 32 columns per block, 8 row lanes (column_sum_kernel's layout). */
__global__ void __launch_bounds__(kThreads)
layer_norm_params_kernel(const float* __restrict__ x, const float* __restrict__ dy, int64_t rows, int64_t cols,
                         const float* __restrict__ save_mean, const float* __restrict__ save_invstd,
                         float* __restrict__ dgamma, float* __restrict__ dbeta) {
    __shared__ double partial_g[kRowLanes][kColLanes];
    __shared__ double partial_b[kRowLanes][kColLanes];
    const int lane = threadIdx.x % kColLanes, row_lane = threadIdx.x / kColLanes;
    const int64_t tiles = (cols + kColLanes - 1) / kColLanes;
    for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) { /* block-uniform */
        const int64_t j = tile * kColLanes + lane;
        double sg = 0.0, sb = 0.0;
        if (j < cols) {
            for (int64_t r = row_lane; r < rows; r += kRowLanes) {
                const float g = dy[r * cols + j];
                const float xhat = (x[r * cols + j] - save_mean[r]) * save_invstd[r];
                sg += (double)g * xhat;
                sb += (double)g;
            }
        }
        partial_g[row_lane][lane] = sg;
        partial_b[row_lane][lane] = sb;
        __syncthreads();
        if (row_lane == 0 && j < cols) {
            double tg = partial_g[0][lane], tb = partial_b[0][lane];
            for (int k = 1; k < kRowLanes; ++k) {
                tg += partial_g[k][lane];
                tb += partial_b[k][lane];
            }
            if (dgamma) dgamma[j] = (float)tg;
            if (dbeta) dbeta[j] = (float)tb;
        }
        __syncthreads();
    }
}

__global__ void __launch_bounds__(kThreads)
layer_norm_dx_kernel(const float* x, const float* dy, int64_t rows, int64_t cols, int shift, /* dx may alias dy */
                     const float* __restrict__ gamma, const float* __restrict__ save_mean,
                     const float* __restrict__ save_invstd, float* dx) {
    const float fcols = (float)cols;
    for_each_row_group(rows, shift, [&](int64_t r, bool active, int sub, int tpp) {
        const float* xs = x + r * cols;
        const float* gs = dy + r * cols;
        const float mu = active ? save_mean[r] : 0.0f, invstd = active ? save_invstd[r] : 0.0f;
        double sum_g = 0.0, sum_gx = 0.0;
        if (active) {
            for (int64_t j = sub; j < cols; j += tpp) {
                const float g = gs[j] * gamma[j];
                const float xhat = (xs[j] - mu) * invstd;
                sum_g += (double)g;
                sum_gx += (double)g * xhat;
            }
        }
        sum_g = group_allreduce(sum_g, shift, SumOp());
        sum_gx = group_allreduce(sum_gx, shift, SumOp());
        if (active) {
            const float k = (float)((double)invstd / (double)cols);
            const float fg = (float)sum_g, fgx = (float)sum_gx;
            float* out = dx + r * cols;
            for (int64_t j = sub; j < cols; j += tpp) {
                const float g = gs[j] * gamma[j];
                const float xhat = (xs[j] - mu) * invstd;
                out[j] = fcpts_layer_norm_dx(g, xhat, k, fcols, fg, fgx);
            }
        }
    });
}

int check_layer_norm(int64_t rows, int64_t cols, fcpts_status* status) {
    FCPTS_REQUIRE(status, rows >= 0 && cols > 0, -1, "layer norm needs rows >= 0 and cols > 0 (rows %lld, cols %lld)",
                  (long long)rows, (long long)cols);
    return FCPTS_OK;
}

int check_bn_sizes(int64_t n, int64_t c, int64_t spatial, fcpts_status* status) {
    FCPTS_REQUIRE(status, n >= 0 && c >= 0 && spatial >= 0, -1,
                  "sizes must be >= 0 (n %lld, c %lld, spatial %lld)", (long long)n, (long long)c,
                  (long long)spatial);
    return FCPTS_OK;
}

int check_softmax(const void* a, const void* b, const void* out, int64_t outer, int64_t axis, int64_t inner,
                  fcpts_status* status) {
    FCPTS_REQUIRE(status, a && b && out && axis > 0, -1, "NULL buffer or empty softmax axis");
    FCPTS_REQUIRE(status, outer >= 0 && inner >= 0, -1, "outer %lld and inner %lld must be >= 0", (long long)outer,
                  (long long)inner);
    return FCPTS_OK;
}

}  // namespace

extern "C" int fcpts_batchnorm_inference_cuda(const float* x, int64_t n, int64_t c, int64_t spatial,
                                              const float* gamma, const float* beta, const float* mean,
                                              const float* variance, float epsilon, float* y, void* stream,
                                              fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && gamma && beta && mean && variance && y, -1, "NULL argument");
    const int rc = check_bn_sizes(n, c, spatial, status);
    if (rc != FCPTS_OK) return rc;
    /* The CPU's check variance + epsilon > 0 would need the device values on the host (a synchronisation);
     * a channel that fails it gets NaN / inf outputs instead. */
    const int64_t planes = n * c;
    if (planes == 0 || spatial == 0) return FCPTS_OK;
    const Tiling t = make_tiling(planes, spatial);
    bn_inference_kernel<<<grid_for(t), kThreads, 0, as_stream(stream)>>>(x, c, gamma, beta, mean, variance, epsilon,
                                                                         y, t);
    return FCPTS_CHECK_LAUNCH(status, "bn_inference_kernel launch");
}

extern "C" int fcpts_batchnorm_backward_cuda(const float* x, const float* dy, int64_t n, int64_t c, int64_t spatial,
                                             const float* gamma, const float* mean, const float* variance,
                                             float epsilon, float* dx, float* dgamma, float* dbeta, void* stream,
                                             fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && dy && gamma && mean && variance, -1, "NULL argument");
    const int rc = check_bn_sizes(n, c, spatial, status);
    if (rc != FCPTS_OK) return rc;
    const cudaStream_t s = as_stream(stream);
    /* parameter gradients first: they read dy, which dx may overwrite */
    if ((dgamma || dbeta) && c > 0) {
        bn_backward_params_kernel<<<grid_for(c, 1), kThreads, 0, s>>>(x, dy, channel_shape(n, c, spatial), mean,
                                                                      variance, epsilon, dgamma, dbeta);
        const int lrc = FCPTS_CHECK_LAUNCH(status, "bn_backward_params_kernel launch");
        if (lrc != FCPTS_OK) return lrc;
    }
    if (dx && n * c > 0 && spatial > 0) {
        const Tiling t = make_tiling(n * c, spatial);
        bn_backward_dx_kernel<<<grid_for(t), kThreads, 0, s>>>(dy, c, gamma, variance, epsilon, dx, t);
        return FCPTS_CHECK_LAUNCH(status, "bn_backward_dx_kernel launch");
    }
    return FCPTS_OK;
}

extern "C" int fcpts_batchnorm_training_cuda(const float* x, int64_t n, int64_t c, int64_t spatial,
                                             const float* gamma, const float* beta, float* running_mean,
                                             float* running_var, float momentum, float epsilon, float* y,
                                             float* save_mean, float* save_invstd, void* stream,
                                             fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && gamma && beta && running_mean && running_var && y && save_mean && save_invstd, -1,
                  "NULL argument");
    const int rc = check_bn_sizes(n, c, spatial, status);
    if (rc != FCPTS_OK) return rc;
    FCPTS_REQUIRE(status, n * spatial > 1, -1,
                  "training BatchNorm needs more than one value per channel (n %lld, spatial %lld)", (long long)n,
                  (long long)spatial);
    if (c == 0) return FCPTS_OK;
    const cudaStream_t s = as_stream(stream);
    bn_training_stats_kernel<<<grid_for(c, 1), kThreads, 0, s>>>(x, channel_shape(n, c, spatial), running_mean,
                                                                 running_var, momentum, epsilon, save_mean,
                                                                 save_invstd);
    const int lrc = FCPTS_CHECK_LAUNCH(status, "bn_training_stats_kernel launch");
    if (lrc != FCPTS_OK) return lrc;
    const Tiling t = make_tiling(n * c, spatial);
    bn_training_apply_kernel<<<grid_for(t), kThreads, 0, s>>>(x, c, gamma, beta, save_mean, save_invstd, y, t);
    return FCPTS_CHECK_LAUNCH(status, "bn_training_apply_kernel launch");
}

extern "C" int fcpts_batchnorm_training_backward_cuda(const float* x, const float* dy, int64_t n, int64_t c,
                                                      int64_t spatial, const float* gamma, const float* save_mean,
                                                      const float* save_invstd, float* dx, float* dgamma,
                                                      float* dbeta, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && dy && gamma && save_mean && save_invstd, -1, "NULL argument");
    const int rc = check_bn_sizes(n, c, spatial, status);
    if (rc != FCPTS_OK) return rc;
    if (c == 0 || (!dx && !dgamma && !dbeta)) return FCPTS_OK;
    bn_training_backward_kernel<<<grid_for(c, 1), kThreads, 0, as_stream(stream)>>>(
        x, dy, channel_shape(n, c, spatial), gamma, save_mean, save_invstd, dx, dgamma, dbeta);
    return FCPTS_CHECK_LAUNCH(status, "bn_training_backward_kernel launch");
}

extern "C" int fcpts_global_avg_pool_cuda(const float* x, int64_t planes, int64_t spatial, float* y, void* stream,
                                          fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && y && spatial > 0, -1, "NULL buffer or empty plane");
    FCPTS_REQUIRE(status, planes >= 0, -1, "planes must be >= 0, got %lld", (long long)planes);
    if (planes == 0) return FCPTS_OK;
    const int shift = group_shift(spatial);
    global_avg_pool_kernel<<<grid_for(planes, kThreads >> shift), kThreads, 0, as_stream(stream)>>>(x, planes,
                                                                                                    spatial, shift, y);
    return FCPTS_CHECK_LAUNCH(status, "global_avg_pool_kernel launch");
}

extern "C" int fcpts_global_avg_pool_backward_cuda(const float* dy, int64_t planes, int64_t spatial, float* dx,
                                                   void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, dy && dx && spatial > 0, -1, "NULL buffer or empty plane");
    FCPTS_REQUIRE(status, planes >= 0, -1, "planes must be >= 0, got %lld", (long long)planes);
    if (planes == 0) return FCPTS_OK;
    const Tiling t = make_tiling(planes, spatial);
    global_avg_pool_backward_kernel<<<grid_for(t), kThreads, 0, as_stream(stream)>>>(dy, dx, t);
    return FCPTS_CHECK_LAUNCH(status, "global_avg_pool_backward_kernel launch");
}

extern "C" int fcpts_softmax_cuda(const float* x, int64_t outer, int64_t axis, int64_t inner, float* y, void* stream,
                                  fcpts_status* status) {
    fcpts_status_clear(status);
    const int rc = check_softmax(x, x, y, outer, axis, inner, status);
    if (rc != FCPTS_OK) return rc;
    if (outer == 0 || inner == 0) return FCPTS_OK;
    const cudaStream_t s = as_stream(stream);
    if (inner == 1) {
        const int shift = group_shift(axis);
        softmax_rows_kernel<<<grid_for(outer, kThreads >> shift), kThreads, 0, s>>>(x, outer, axis, shift, y);
        return FCPTS_CHECK_LAUNCH(status, "softmax_rows_kernel launch");
    }
    const Tiling t = make_tiling(outer, inner);
    softmax_strided_kernel<<<grid_for(t), kThreads, 0, s>>>(x, axis, y, t);
    return FCPTS_CHECK_LAUNCH(status, "softmax_strided_kernel launch");
}

extern "C" int fcpts_softmax_backward_cuda(const float* y, const float* dy, int64_t outer, int64_t axis,
                                           int64_t inner, float* dx, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    const int rc = check_softmax(y, dy, dx, outer, axis, inner, status);
    if (rc != FCPTS_OK) return rc;
    if (outer == 0 || inner == 0) return FCPTS_OK;
    const cudaStream_t s = as_stream(stream);
    if (inner == 1) {
        const int shift = group_shift(axis);
        softmax_backward_rows_kernel<<<grid_for(outer, kThreads >> shift), kThreads, 0, s>>>(y, dy, outer, axis,
                                                                                             shift, dx);
        return FCPTS_CHECK_LAUNCH(status, "softmax_backward_rows_kernel launch");
    }
    const Tiling t = make_tiling(outer, inner);
    softmax_backward_strided_kernel<<<grid_for(t), kThreads, 0, s>>>(y, dy, axis, dx, t);
    return FCPTS_CHECK_LAUNCH(status, "softmax_backward_strided_kernel launch");
}

extern "C" int fcpts_column_sum_cuda(const float* x, int64_t rows, int64_t cols, float* out, void* stream,
                                     fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && out, -1, "NULL buffer");
    FCPTS_REQUIRE(status, rows >= 0 && cols >= 0, -1, "rows %lld and cols %lld must be >= 0", (long long)rows,
                  (long long)cols);
    if (cols == 0) return FCPTS_OK;
    column_sum_kernel<<<grid_for((cols + kColLanes - 1) / kColLanes, 1), kThreads, 0, as_stream(stream)>>>(
        x, rows, cols, out);
    return FCPTS_CHECK_LAUNCH(status, "column_sum_kernel launch");
}

extern "C" int fcpts_layer_norm_cuda(const float* x, int64_t rows, int64_t cols, const float* gamma,
                                     const float* beta, float epsilon, float* y, float* save_mean, float* save_invstd,
                                     void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && gamma && y && save_mean && save_invstd, -1, "NULL argument");
    const int rc = check_layer_norm(rows, cols, status);
    if (rc != FCPTS_OK) return rc;
    if (rows == 0) return FCPTS_OK;
    const int shift = group_shift(cols);
    layer_norm_kernel<<<grid_for(rows, kThreads >> shift), kThreads, 0, as_stream(stream)>>>(
        x, rows, cols, shift, gamma, beta, epsilon, y, save_mean, save_invstd);
    return FCPTS_CHECK_LAUNCH(status, "layer_norm_kernel launch");
}

extern "C" int fcpts_layer_norm_backward_cuda(const float* x, const float* dy, int64_t rows, int64_t cols,
                                              const float* gamma, const float* save_mean, const float* save_invstd,
                                              float* dx, float* dgamma, float* dbeta, void* stream,
                                              fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && dy && gamma && save_mean && save_invstd, -1, "NULL argument");
    const int rc = check_layer_norm(rows, cols, status);
    if (rc != FCPTS_OK) return rc;
    const cudaStream_t s = as_stream(stream);
    /* parameter gradients first: they read dy, which dx may overwrite */
    if (dgamma || dbeta) {
        layer_norm_params_kernel<<<grid_for((cols + kColLanes - 1) / kColLanes, 1), kThreads, 0, s>>>(
            x, dy, rows, cols, save_mean, save_invstd, dgamma, dbeta);
        const int lrc = FCPTS_CHECK_LAUNCH(status, "layer_norm_params_kernel launch");
        if (lrc != FCPTS_OK) return lrc;
    }
    if (dx && rows > 0) {
        const int shift = group_shift(cols);
        layer_norm_dx_kernel<<<grid_for(rows, kThreads >> shift), kThreads, 0, s>>>(x, dy, rows, cols, shift, gamma,
                                                                                   save_mean, save_invstd, dx);
        return FCPTS_CHECK_LAUNCH(status, "layer_norm_dx_kernel launch");
    }
    return FCPTS_OK;
}
