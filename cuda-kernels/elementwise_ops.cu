/*
 * Elementwise network operators on the GPU (contract: fcpts/ops_cuda.h; CPU twins and formulas:
 * native/src/elementwise_ops_cpu.cpp; the sparse epilogue: sparse_cpu.cpp):
 *   unary      y = f(x):  relu max(x, 0) | clip min(max(x, a), b) | leaky x >= 0 ? x : a x |
 *              sigmoid 1 / (1 + e^-x) | hard sigmoid min(1, max(0, a x + b)) | hard swish x min(1, max(0, x/6 + 1/2)) |
 *              tanh | exp | sqrt (NaN below 0) | erf   (expressions: the entries of fcpts/ops.def)
 *   unary bwd  dx = dy f'(x)  (f' of the CPU twin, including its choices at the kinks)
 *   binary     y[i] = a[off_a(i)] (op) b[off_b(i)], off = sum_d idx_d stride_d (stride 0 = broadcast)
 *   binary bwd local gradients  add (dy, dy)  sub (dy, -dy)  mul (dy b, dy a)  div (dy / b, -dy a / b^2)  equal (0, 0)
 *              in double, summed over each operand's broadcast axes in the CPU's order, stored as float
 *   fill, conv epilogue y = act(y + bias[o] + residual), sparse epilogue y[b,o,s] =
 *              act(src[o, b S + s] + bias[o] + residual[b,o,s])   (act: none | relu | clip)
 *
 * Layout of the work: flat grid-stride loops for the purely elementwise ops; binary ops collapse
 * the axes that stay contiguous for a, b and y (so [N,C,H,W] + [1,C,1,1] runs as rows of H*W) and
 * tile by rows: the row's operand offsets are computed once per tile, no division per element.
 * Broadcast reductions (binary backward) never use atomics: one thread per operand element sums
 * its y elements sequentially in the CPU's order, or, when there are few operand elements with many
 * terms each (bias-like gradients), one block per operand element sums them with a fixed tree.
 * Built with --fmad=false (cmake/CMakeLists.txt): a * b + c rounds twice, as in the CPU build.
 */
#include <cuda_runtime.h>

#include "fcpts/ops_cuda.h"
#include "fcpts/ops_dispatch.h"
#include "fcpts/ops_math.h"
#include "launch_util.cuh"

using namespace fcpts_cuda;

namespace {

/* ---- unary ---- */

/* OP is a compile-time constant (fcpts_dispatch_unary of fcpts/ops_dispatch.h): the shared switch
 * (fcpts/ops_math.h, generated from fcpts/ops.def) folds to one case per kernel. */
template <int OP>
__device__ __forceinline__ float unary_value(float x, float alpha, float beta) {
    return fcpts_unary_value(OP, x, alpha, beta);
}

template <int OP>
__device__ __forceinline__ float unary_grad(float x, float alpha, float beta) {
    return fcpts_unary_grad(OP, x, alpha, beta);
}

template <int OP>
__global__ void __launch_bounds__(kThreads)
unary_kernel(const float* x, float* y, int64_t n, float alpha, float beta) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        y[i] = unary_value<OP>(x[i], alpha, beta);
    }
}

template <int OP>
__global__ void __launch_bounds__(kThreads)
unary_backward_kernel(const float* x, const float* dy, float* dx, int64_t n,
                      float alpha, float beta) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        dx[i] = dy[i] * unary_grad<OP>(x[i], alpha, beta);
    }
}

template <int OP>
void launch_unary(bool backward, const float* x, const float* dy, float* out, int64_t n, float alpha, float beta,
                  cudaStream_t s) {
    const int blocks = grid_for(n, kThreads);
    if (backward) {
        unary_backward_kernel<OP><<<blocks, kThreads, 0, s>>>(x, dy, out, n, alpha, beta);
    } else {
        unary_kernel<OP><<<blocks, kThreads, 0, s>>>(x, out, n, alpha, beta);
    }
}

int unary_common(bool backward, int32_t op, float alpha, float beta, const float* x, const float* dy, float* out,
                 int64_t n, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE_UNARY_OP(status, op);
    FCPTS_REQUIRE(status, n >= 0, -1, "n must be >= 0, got %lld", (long long)n);
    FCPTS_REQUIRE(status, n == 0 || (x && out && (!backward || dy)), -1, "NULL buffer");
    if (n == 0) return FCPTS_OK;
    const cudaStream_t s = as_stream(stream);
    fcpts_dispatch_unary(op, [&](auto c) {
        launch_unary<decltype(c)::value>(backward, x, dy, out, n, alpha, beta, s);
    });
    return FCPTS_CHECK_LAUNCH(status, backward ? "unary_backward_kernel launch" : "unary_kernel launch");
}

/* ---- binary: shared host-side shape handling ---- */

/*
 * y's axes with dimension 1 dropped and neighbours merged where a, b (and y, which is dense) stay
 * contiguous: axis d merges into the axis before it when s[d-1] == s[d] * dims[d] for both operands.
 * The flat y index, and the element of a and b it reads, are unchanged.
 */
struct RowShape {
    int rank;                     /* >= 1 after collapsing */
    HostArray<int64_t> dims, as, bs;
};

RowShape collapse_binary(const int64_t* y_dims, const int64_t* a_strides, const int64_t* b_strides, int rank) {
    RowShape r{};
    r.rank = 0;
    for (int d = 0; d < rank; ++d) {
        if (y_dims[d] == 1) continue;
        if (r.rank > 0 && r.as.v[r.rank - 1] == a_strides[d] * y_dims[d] &&
            r.bs.v[r.rank - 1] == b_strides[d] * y_dims[d]) {
            r.dims.v[r.rank - 1] *= y_dims[d];
            r.as.v[r.rank - 1] = a_strides[d];
            r.bs.v[r.rank - 1] = b_strides[d];
            continue;
        }
        r.dims.v[r.rank] = y_dims[d];
        r.as.v[r.rank] = a_strides[d];
        r.bs.v[r.rank] = b_strides[d];
        ++r.rank;
    }
    if (r.rank == 0) { /* a single element */
        r.rank = 1;
        r.dims.v[0] = 1;
        r.as.v[0] = 0;
        r.bs.v[0] = 0;
    }
    return r;
}

/* Offsets in a and b of the first element of y row `row` (all axes but the last). */
__device__ __forceinline__ void row_offsets(const RowShape& sh, int64_t row, int64_t& oa, int64_t& ob) {
    oa = 0;
    ob = 0;
    for (int d = sh.rank - 2; d >= 0; --d) {
        const int64_t dim = sh.dims.v[d];
        const int64_t q = row / dim;
        const int64_t idx = row - q * dim;
        row = q;
        oa += idx * sh.as.v[d];
        ob += idx * sh.bs.v[d];
    }
}

template <int OP>
__device__ __forceinline__ float binary_value(float a, float b) {
    return fcpts_binary_value(OP, a, b);
}

template <int OP>
__global__ void __launch_bounds__(kThreads)
binary_kernel(const float* a, const float* b, float* y, RowShape sh,
              Tiling t) {
    const int64_t inner = sh.dims.v[sh.rank - 1];
    const int64_t sa = sh.as.v[sh.rank - 1], sb = sh.bs.v[sh.rank - 1];
    for_each_tile(t, [&](int64_t row, int64_t begin, int64_t end, int64_t step) {
        int64_t oa, ob;
        row_offsets(sh, row, oa, ob);
        float* out = y + row * inner;
        for (int64_t i = begin; i < end; i += step) out[i] = binary_value<OP>(a[oa + i * sa], b[ob + i * sb]);
    });
}

/* ---- binary backward ---- */

/* The CPU's per-element local gradient of y = a (op) b with respect to a (FOR_A) or b, in double. */
template <int OP, bool FOR_A>
__device__ __forceinline__ double grad_term(const float* dy, const float* a, const float* b, int64_t oy, int64_t oa,
                                            int64_t ob) {
    static_assert(OP == FCPTS_BINARY_ADD || OP == FCPTS_BINARY_SUB || OP == FCPTS_BINARY_MUL ||
                      OP == FCPTS_BINARY_DIV || OP == FCPTS_BINARY_EQUAL,
                  "a new binary op needs its local gradients here and in elementwise_ops_cpu.cpp");
    if constexpr (OP == FCPTS_BINARY_EQUAL) {
        return 0.0; /* a step function: no gradient to either operand */
    } else if constexpr (FOR_A) {
        if constexpr (OP == FCPTS_BINARY_ADD || OP == FCPTS_BINARY_SUB) return dy[oy];
        if constexpr (OP == FCPTS_BINARY_MUL) return (double)dy[oy] * b[ob];
        if constexpr (OP == FCPTS_BINARY_DIV) return (double)dy[oy] / b[ob];
    } else {
        if constexpr (OP == FCPTS_BINARY_ADD) return dy[oy];
        if constexpr (OP == FCPTS_BINARY_SUB) return -(double)dy[oy];
        if constexpr (OP == FCPTS_BINARY_MUL) return (double)dy[oy] * a[oa];
        if constexpr (OP == FCPTS_BINARY_DIV) {
            const double bb = b[ob];
            return -(double)dy[oy] * a[oa] / (bb * bb);
        }
    }
}

/* Operand not broadcast (CPU "dense" case): out[i] = local(i) over y's flat index. */
template <int OP, bool FOR_A>
__global__ void __launch_bounds__(kThreads)
binary_grad_dense_kernel(const float* a, const float* b, const float* dy, float* out, RowShape sh, Tiling t) {
    const int64_t inner = sh.dims.v[sh.rank - 1];
    const int64_t sa = sh.as.v[sh.rank - 1], sb = sh.bs.v[sh.rank - 1];
    for_each_tile(t, [&](int64_t row, int64_t begin, int64_t end, int64_t step) {
        int64_t oa, ob;
        row_offsets(sh, row, oa, ob);
        const int64_t oy = row * inner;
        for (int64_t i = begin; i < end; i += step) {
            out[oy + i] = (float)grad_term<OP, FOR_A>(dy, a, b, oy + i, oa + i * sa, ob + i * sb);
        }
    });
}

/* Axes of y with their strides in y (dense), a and b; dims of 1 dropped, row-major neighbours merged. */
struct Axes {
    int n;
    int64_t count; /* product of dims (1 when n == 0) */
    HostArray<int64_t> dim, ys, as, bs;
};

void axes_push(Axes& x, int64_t dim, int64_t ys, int64_t as, int64_t bs, bool merge_ok) {
    if (dim == 1) return;
    const int k = x.n - 1;
    if (merge_ok && x.n > 0 && x.ys.v[k] == ys * dim && x.as.v[k] == as * dim && x.bs.v[k] == bs * dim) {
        x.dim.v[k] *= dim;
        x.ys.v[k] = ys;
        x.as.v[k] = as;
        x.bs.v[k] = bs;
    } else {
        x.dim.v[x.n] = dim;
        x.ys.v[x.n] = ys;
        x.as.v[x.n] = as;
        x.bs.v[x.n] = bs;
        ++x.n;
    }
    x.count *= dim;
}

/* Offsets of flat index r (row-major over x's axes), added to oy / oa / ob. */
template <typename I>
__device__ __forceinline__ void add_offsets(const Axes& x, I r, int64_t& oy, int64_t& oa, int64_t& ob) {
    for (int j = x.n - 1; j >= 0; --j) {
        const I dim = (I)x.dim.v[j];
        const I q = r / dim;
        const int64_t c = (int64_t)(r - q * dim);
        r = q;
        oy += c * x.ys.v[j];
        oa += c * x.as.v[j];
        ob += c * x.bs.v[j];
    }
}

/*
 * Broadcast reduction, one thread per operand element k (row-major over the kept axes): sums its
 * red.count terms sequentially in the CPU's order (row-major over the broadcast axes; the last one
 * as an inner loop, the others by an odometer).
 */
template <int OP, bool FOR_A>
__global__ void __launch_bounds__(kThreads)
binary_grad_reduce_thread_kernel(const float* __restrict__ a, const float* __restrict__ b,
                                 const float* __restrict__ dy, float* __restrict__ out, Axes kept, Axes red) {
    const int last = red.n - 1; /* red.n >= 1 (the host adds a unit axis when nothing is broadcast) */
    const int64_t inner = red.dim.v[last];
    const int64_t iys = red.ys.v[last], ias = red.as.v[last], ibs = red.bs.v[last];
    const int64_t outer = inner > 0 ? red.count / inner : 0;
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < kept.count;
         k += (int64_t)gridDim.x * blockDim.x) {
        int64_t oy = 0, oa = 0, ob = 0;
        add_offsets<int64_t>(kept, k, oy, oa, ob);
        int64_t c[FCPTS_MAX_RANK] = {0, 0, 0, 0, 0, 0, 0, 0};
        double sum = 0.0;
        for (int64_t o = 0; o < outer; ++o) {
            for (int64_t t = 0; t < inner; ++t) {
                sum += grad_term<OP, FOR_A>(dy, a, b, oy + t * iys, oa + t * ias, ob + t * ibs);
            }
            for (int j = last - 1; j >= 0; --j) { /* odometer over the outer broadcast axes */
                if (++c[j] < red.dim.v[j]) {
                    oy += red.ys.v[j];
                    oa += red.as.v[j];
                    ob += red.bs.v[j];
                    break;
                }
                c[j] = 0;
                oy -= (red.dim.v[j] - 1) * red.ys.v[j];
                oa -= (red.dim.v[j] - 1) * red.as.v[j];
                ob -= (red.dim.v[j] - 1) * red.bs.v[j];
            }
        }
        out[k] = (float)sum;
    }
}

/* Broadcast reduction, one block per operand element: thread t sums terms t, t + 256, ..., then a fixed tree. */
template <int OP, bool FOR_A, typename I>
__global__ void __launch_bounds__(kThreads)
binary_grad_reduce_block_kernel(const float* __restrict__ a, const float* __restrict__ b,
                                const float* __restrict__ dy, float* __restrict__ out, Axes kept, Axes red) {
    for (int64_t k = blockIdx.x; k < kept.count; k += gridDim.x) { /* block-uniform */
        int64_t by = 0, ba = 0, bb = 0;
        add_offsets<int64_t>(kept, k, by, ba, bb);
        double sum = 0.0;
        for (I r = (I)threadIdx.x; r < (I)red.count; r += (I)blockDim.x) {
            int64_t oy = by, oa = ba, ob = bb;
            add_offsets<I>(red, r, oy, oa, ob);
            sum += grad_term<OP, FOR_A>(dy, a, b, oy, oa, ob);
        }
        sum = block_allreduce_sum(sum);
        if (threadIdx.x == 0) out[k] = (float)sum;
    }
}

/* Few outputs with many terms each: a block per output (fixed tree) beats a thread per output. Shape-only
 * decision (no device property), so a given shape always sums in the same order. */
constexpr int64_t kBlockReduceMinTerms = 256;
constexpr int64_t kBlockReduceMaxOutputs = 32768;

template <int OP, bool FOR_A>
int reduce_to_operand(const float* a, const float* b, const float* dy, float* out, const int64_t* s,
                      const int64_t* a_strides, const int64_t* b_strides, const int64_t* y_dims, int rank,
                      cudaStream_t stream, fcpts_status* status) {
    /* dense: the operand has y's shape and dense strides (the CPU's test, with 64-bit strides) */
    bool dense = true;
    int64_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
        dense &= y_dims[d] == 1 || s[d] == stride;
        stride *= y_dims[d];
    }
    if (dense) {
        const RowShape sh = collapse_binary(y_dims, a_strides, b_strides, rank);
        int64_t total = 1;
        for (int d = 0; d < rank; ++d) total *= y_dims[d];
        if (total == 0) return FCPTS_OK;
        const Tiling t = make_tiling(total / sh.dims.v[sh.rank - 1], sh.dims.v[sh.rank - 1]);
        binary_grad_dense_kernel<OP, FOR_A><<<grid_for(t), kThreads, 0, stream>>>(a, b, dy, out, sh, t);
        return FCPTS_CHECK_LAUNCH(status, "binary_grad_dense_kernel launch");
    }
    int64_t y_strides[FCPTS_MAX_RANK];
    stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
        y_strides[d] = stride;
        stride *= y_dims[d];
    }
    Axes kept{}, red{};
    kept.count = 1;
    red.count = 1;
    for (int d = 0; d < rank; ++d) {
        const bool broadcast = s[d] == 0 && y_dims[d] != 1;
        /* a zero-size broadcast axis is kept as a 0 dim: no terms, the outputs become 0 as on the CPU */
        axes_push(broadcast ? red : kept, y_dims[d], y_strides[d], a_strides[d], b_strides[d], true);
    }
    if (kept.count == 0) return FCPTS_OK;
    if (red.n == 0) { /* not broadcast but not dense either (strided operand): one term per output */
        red.n = 1;
        red.dim.v[0] = 1;
        red.ys.v[0] = red.as.v[0] = red.bs.v[0] = 0;
    }
    if (red.count >= kBlockReduceMinTerms && kept.count <= kBlockReduceMaxOutputs) {
        const int blocks = grid_for(kept.count, 1);
        if (red.count <= (int64_t)UINT32_MAX - kThreads) {
            binary_grad_reduce_block_kernel<OP, FOR_A, uint32_t><<<blocks, kThreads, 0, stream>>>(a, b, dy, out,
                                                                                                  kept, red);
        } else {
            binary_grad_reduce_block_kernel<OP, FOR_A, int64_t><<<blocks, kThreads, 0, stream>>>(a, b, dy, out,
                                                                                                 kept, red);
        }
        return FCPTS_CHECK_LAUNCH(status, "binary_grad_reduce_block_kernel launch");
    }
    binary_grad_reduce_thread_kernel<OP, FOR_A><<<grid_for(kept.count, kThreads), kThreads, 0, stream>>>(
        a, b, dy, out, kept, red);
    return FCPTS_CHECK_LAUNCH(status, "binary_grad_reduce_thread_kernel launch");
}

template <int OP>
int binary_backward_op(const float* a, const int64_t* a_strides, const float* b, const int64_t* b_strides,
                       const float* dy, const int64_t* y_dims, int rank, float* da, float* db, cudaStream_t s,
                       fcpts_status* status) {
    if (da) {
        const int rc = reduce_to_operand<OP, true>(a, b, dy, da, a_strides, a_strides, b_strides, y_dims, rank, s,
                                                   status);
        if (rc != FCPTS_OK) return rc;
    }
    if (db) {
        return reduce_to_operand<OP, false>(a, b, dy, db, b_strides, a_strides, b_strides, y_dims, rank, s, status);
    }
    return FCPTS_OK;
}

/* ---- epilogues ---- */

/* y[p, s] = act(y[p, s] + bias[p % oc] + residual[p, s]) over planes p = b * oc + o. */
__global__ void __launch_bounds__(kThreads)
conv_epilogue_kernel(float* y, const float* __restrict__ bias, const float* __restrict__ residual,
                     int64_t oc, int32_t act, float lo, float hi, Tiling t) {
    for_each_tile(t, [&](int64_t plane, int64_t begin, int64_t end, int64_t step) {
        const float bv = bias ? bias[plane % oc] : 0.0f;
        float* out = y + plane * t.len;
        const float* res = residual ? residual + plane * t.len : nullptr;
        for (int64_t i = begin; i < end; i += step) {
            float v = out[i] + bv;
            if (res) v += res[i];
            out[i] = apply_activation(act, v, lo, hi);
        }
    });
}

/* y[b, o, s] = act(src[o, b * spatial + s] + bias[o] + residual[b, o, s]) over planes p = b * oc + o. */
__global__ void __launch_bounds__(kThreads)
sparse_epilogue_kernel(const float* __restrict__ src, const float* __restrict__ bias,
                       const float* __restrict__ residual, float* __restrict__ y, int64_t n, int64_t oc, int32_t act,
                       float lo, float hi, Tiling t) {
    for_each_tile(t, [&](int64_t plane, int64_t begin, int64_t end, int64_t step) {
        const int64_t b = plane / oc, o = plane - b * oc;
        const float bv = bias ? bias[o] : 0.0f;
        const float* in = src + (o * n + b) * t.len;
        const float* res = residual ? residual + plane * t.len : nullptr;
        float* out = y + plane * t.len;
        for (int64_t i = begin; i < end; i += step) {
            float v = in[i] + bv;
            if (res) v += res[i];
            out[i] = apply_activation(act, v, lo, hi);
        }
    });
}

__global__ void __launch_bounds__(kThreads) fill_kernel(float* __restrict__ y, int64_t n, float value) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        y[i] = value;
    }
}

int check_binary_args(int32_t op, const float* a, const int64_t* a_strides, const float* b, const int64_t* b_strides,
                      const void* y, const int64_t* y_dims, int32_t rank, int64_t* total, fcpts_status* status) {
    FCPTS_REQUIRE_BINARY_OP(status, op);
    FCPTS_REQUIRE(status, rank >= 1 && rank <= FCPTS_MAX_RANK, -1, "rank %d outside 1..%d", rank, FCPTS_MAX_RANK);
    FCPTS_REQUIRE(status, a && b && y && a_strides && b_strides && y_dims, -1, "NULL argument");
    int64_t n = 1;
    for (int d = 0; d < rank; ++d) {
        FCPTS_REQUIRE(status, y_dims[d] >= 0, d, "y_dims[%d] = %lld is negative", d, (long long)y_dims[d]);
        n *= y_dims[d];
    }
    *total = n;
    return FCPTS_OK;
}

int check_epilogue_args(int64_t n, int64_t oc, int64_t spatial, int32_t activation, fcpts_status* status) {
    FCPTS_REQUIRE_ACTIVATION(status, activation);
    FCPTS_REQUIRE(status, n >= 0 && oc >= 0 && spatial >= 0, -1,
                  "sizes must be >= 0 (n %lld, oc %lld, spatial %lld)", (long long)n, (long long)oc,
                  (long long)spatial);
    return FCPTS_OK;
}

}  // namespace

extern "C" int fcpts_unary_cuda(int32_t op, float alpha, float beta, const float* x, float* y, int64_t n,
                                void* stream, fcpts_status* status) {
    return unary_common(false, op, alpha, beta, x, nullptr, y, n, stream, status);
}

extern "C" int fcpts_unary_backward_cuda(int32_t op, float alpha, float beta, const float* x, const float* dy,
                                         float* dx, int64_t n, void* stream, fcpts_status* status) {
    return unary_common(true, op, alpha, beta, x, dy, dx, n, stream, status);
}

extern "C" int fcpts_binary_cuda(int32_t op, const float* a, const int64_t* a_strides, const float* b,
                                 const int64_t* b_strides, float* y, const int64_t* y_dims, int32_t rank,
                                 void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    int64_t total = 0;
    const int rc = check_binary_args(op, a, a_strides, b, b_strides, y, y_dims, rank, &total, status);
    if (rc != FCPTS_OK) return rc;
    if (total == 0) return FCPTS_OK;
    const RowShape sh = collapse_binary(y_dims, a_strides, b_strides, rank);
    const int64_t inner = sh.dims.v[sh.rank - 1];
    const Tiling t = make_tiling(total / inner, inner);
    const cudaStream_t s = as_stream(stream);
    const int blocks = grid_for(t);
    fcpts_dispatch_binary(op, [&](auto c) {
        constexpr int OP = decltype(c)::value;
        binary_kernel<OP><<<blocks, kThreads, 0, s>>>(a, b, y, sh, t);
    });
    return FCPTS_CHECK_LAUNCH(status, "binary_kernel launch");
}

extern "C" int fcpts_binary_backward_cuda(int32_t op, const float* a, const int64_t* a_strides, const float* b,
                                          const int64_t* b_strides, const float* dy, const int64_t* y_dims,
                                          int32_t rank, float* da, float* db, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    int64_t total = 0;
    const int rc = check_binary_args(op, a, a_strides, b, b_strides, dy, y_dims, rank, &total, status);
    if (rc != FCPTS_OK) return rc;
    const cudaStream_t s = as_stream(stream);
    int result = FCPTS_OK;
    fcpts_dispatch_binary(op, [&](auto c) {
        result = binary_backward_op<decltype(c)::value>(a, a_strides, b, b_strides, dy, y_dims, rank, da, db, s,
                                                         status);
    });
    return result;
}

extern "C" int fcpts_fill_cuda(float* y, int64_t n, float value, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n >= 0, -1, "n must be >= 0, got %lld", (long long)n);
    FCPTS_REQUIRE(status, n == 0 || y, -1, "NULL buffer");
    if (n == 0) return FCPTS_OK;
    fill_kernel<<<grid_for(n, kThreads), kThreads, 0, as_stream(stream)>>>(y, n, value);
    return FCPTS_CHECK_LAUNCH(status, "fill_kernel launch");
}

extern "C" int fcpts_conv_epilogue_cuda(float* y, const float* bias, const float* residual, int64_t n, int64_t oc,
                                        int64_t spatial, int32_t activation, float lo, float hi, void* stream,
                                        fcpts_status* status) {
    fcpts_status_clear(status);
    const int rc = check_epilogue_args(n, oc, spatial, activation, status);
    if (rc != FCPTS_OK) return rc;
    const int64_t planes = n * oc;
    if (planes == 0 || spatial == 0) return FCPTS_OK;
    FCPTS_REQUIRE(status, y != nullptr, -1, "y is NULL");
    FCPTS_REQUIRE(status, residual != y, -1, "residual aliases y");
    if (!bias && !residual && activation == FCPTS_ACT_NONE) return FCPTS_OK; /* nothing to apply */
    const Tiling t = make_tiling(planes, spatial);
    conv_epilogue_kernel<<<grid_for(t), kThreads, 0, as_stream(stream)>>>(y, bias, residual, oc, activation, lo, hi,
                                                                          t);
    return FCPTS_CHECK_LAUNCH(status, "conv_epilogue_kernel launch");
}

extern "C" int fcpts_sparse_epilogue_cuda(const float* src, const float* bias, const float* residual, int64_t n,
                                          int64_t oc, int64_t spatial, int32_t activation, float lo, float hi,
                                          float* y, void* stream, fcpts_status* status) {
    fcpts_status_clear(status);
    const int rc = check_epilogue_args(n, oc, spatial, activation, status);
    if (rc != FCPTS_OK) return rc;
    const int64_t planes = n * oc;
    if (planes == 0 || spatial == 0) return FCPTS_OK;
    FCPTS_REQUIRE(status, src && y, -1, "NULL src or y");
    FCPTS_REQUIRE(status, y != src && y != residual, -1, "y aliases src or residual");
    const Tiling t = make_tiling(planes, spatial);
    sparse_epilogue_kernel<<<grid_for(t), kThreads, 0, as_stream(stream)>>>(src, bias, residual, y, n, oc,
                                                                            activation, lo, hi, t);
    return FCPTS_CHECK_LAUNCH(status, "sparse_epilogue_kernel launch");
}
