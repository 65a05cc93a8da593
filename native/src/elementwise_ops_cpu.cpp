/*
 * Elementwise operators of the CPU engine, forward and backward (contract and formulas: fcpts/ops_cpu.h;
 * CUDA twin: cuda-kernels/elementwise_ops.cu; per-element math shared with it: fcpts/ops_math.h):
 *   unary      y = f(x), dx = f'(x) dy:  relu max(x, 0) | clip min(max(x, a), b) | leaky x >= 0 ? x : a x |
 *              sigmoid 1 / (1 + e^-x) | hard sigmoid min(1, max(0, a x + b)) | hard swish x min(1, max(0, x/6 + 1/2)) |
 *              tanh (f' = 1 - tanh^2) | exp (e^x) | sqrt (0.5 / sqrt x, NaN below 0) | erf (2 / sqrt(pi) e^-x^2);
 *              the expressions, kinks included, are the entries of fcpts/ops.def
 *   binary     y = a (op) b with numpy broadcasting given as element strides (0 = broadcast):  a + b | a - b | a b | a / b |
 *              a == b ? 1 : 0
 *   binary bwd local gradients  add (dy, dy)  sub (dy, -dy)  mul (dy b, dy a)  div (dy / b, -dy a / b^2) equal (0, 0)
 *              in double,
 *              summed over each operand's broadcast axes
 *   fill       y[i] = value
 * Every loop is data-parallel with a static schedule; broadcast reductions are parallel over the elements of
 * the reduced operand and sum in double, each output written by one thread: no atomics, the same result for
 * any thread count. Called from java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fcpts/ops_cpu.h"
#include "fcpts/ops_dispatch.h"
#include "fcpts/ops_math.h"

namespace {

int threads_of(int32_t n) { return n > 0 ? n : omp_get_max_threads(); }

/* One loop per op (fcpts/ops_dispatch.h): OP is a compile-time constant, the shared switch folds to its case. */
template <int OP>
void unary_loop(float alpha, float beta, const float* x, float* y, int64_t n, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = 0; i < n; ++i) y[i] = fcpts_unary_value(OP, x[i], alpha, beta);
}

template <int OP>
void unary_backward_loop(float alpha, float beta, const float* x, const float* dy, float* dx, int64_t n,
                         int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * fcpts_unary_grad(OP, x[i], alpha, beta);
}

template <int OP>
void binary_loop(const float* a, const int64_t* a_strides, const float* b, const int64_t* b_strides, float* y,
                 const int64_t* y_dims, int rank, int threads) {
    int64_t total = 1;
    for (int d = 0; d < rank; ++d) total *= y_dims[d];
    const int64_t inner = y_dims[rank - 1];
    const int64_t sa = a_strides[rank - 1], sb = b_strides[rank - 1];
    const int64_t rows = inner == 0 ? 0 : total / inner;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t r = 0; r < rows; ++r) {
        int64_t rem = r, oa = 0, ob = 0;
        for (int d = rank - 2; d >= 0; --d) {
            const int64_t idx = rem % y_dims[d];
            rem /= y_dims[d];
            oa += idx * a_strides[d];
            ob += idx * b_strides[d];
        }
        float* out = y + r * inner;
        for (int64_t i = 0; i < inner; ++i) out[i] = fcpts_binary_value(OP, a[oa + i * sa], b[ob + i * sb]);
    }
}

/*
 * Sums contributions g(i) over every output index i that maps to the same
 * element of an operand with strides `s` (0 = broadcast axis); writes the
 * operand densely. `local` gives the per-output-element gradient.
 */
template <typename Local>
void reduce_to_operand(const int64_t* s, const int64_t* y_dims, int rank, float* out, int threads, Local local) {
    bool dense = true; /* operand not broadcast at all: one output element per operand element */
    for (int d = rank - 1, stride = 1; d >= 0; --d) {
        dense &= y_dims[d] == 1 || s[d] == stride;
        stride *= (int)y_dims[d];
    }
    if (dense) {
        int64_t total = 1;
        for (int d = 0; d < rank; ++d) total *= y_dims[d];
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t i = 0; i < total; ++i) out[i] = (float)local(i);
        return;
    }
    int64_t kept_dims[FCPTS_MAX_RANK], kept_count = 1, red_dims[FCPTS_MAX_RANK], red_count = 1;
    int64_t y_strides[FCPTS_MAX_RANK];
    int64_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
        y_strides[d] = stride;
        stride *= y_dims[d];
    }
    for (int d = 0; d < rank; ++d) {
        const bool broadcast = s[d] == 0 && y_dims[d] != 1;
        kept_dims[d] = broadcast ? 1 : y_dims[d];
        red_dims[d] = broadcast ? y_dims[d] : 1;
        kept_count *= kept_dims[d];
        red_count *= red_dims[d];
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t k = 0; k < kept_count; ++k) {
        int64_t rem = k, base = 0;
        for (int d = rank - 1; d >= 0; --d) {
            base += (rem % kept_dims[d]) * y_strides[d];
            rem /= kept_dims[d];
        }
        double sum = 0.0;
        for (int64_t r = 0; r < red_count; ++r) {
            int64_t rr = r, off = 0;
            for (int d = rank - 1; d >= 0; --d) {
                off += (rr % red_dims[d]) * y_strides[d];
                rr /= red_dims[d];
            }
            sum += local(base + off);
        }
        out[k] = (float)sum;
    }
}

/* Flat output index -> operand element offset for strides `s`. */
inline int64_t operand_offset(int64_t i, const int64_t* s, const int64_t* y_dims, int rank) {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0; --d) {
        off += (i % y_dims[d]) * s[d];
        i /= y_dims[d];
    }
    return off;
}

}  // namespace

extern "C" int fcpts_unary_cpu(int32_t op, float alpha, float beta, const float* x, float* y, int64_t n,
                               int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE_UNARY_OP(status, op);
    FCPTS_REQUIRE(status, n == 0 || (x && y), -1, "NULL buffer");
    fcpts_dispatch_unary(op, [&](auto c) {
        unary_loop<decltype(c)::value>(alpha, beta, x, y, n, threads_of(n_threads));
    });
    return FCPTS_OK;
}

extern "C" int fcpts_binary_cpu(int32_t op, const float* a, const int64_t* a_strides, const float* b,
                                const int64_t* b_strides, float* y, const int64_t* y_dims, int32_t rank,
                                int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE_BINARY_OP(status, op);
    FCPTS_REQUIRE(status, rank >= 1 && rank <= FCPTS_MAX_RANK, -1, "rank %d outside 1..%d", rank, FCPTS_MAX_RANK);
    FCPTS_REQUIRE(status, a && b && y && a_strides && b_strides && y_dims, -1, "NULL argument");
    fcpts_dispatch_binary(op, [&](auto c) {
        binary_loop<decltype(c)::value>(a, a_strides, b, b_strides, y, y_dims, rank, threads_of(n_threads));
    });
    return FCPTS_OK;
}

extern "C" int fcpts_unary_backward_cpu(int32_t op, float alpha, float beta, const float* x, const float* dy,
                                        float* dx, int64_t n, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE_UNARY_OP(status, op);
    FCPTS_REQUIRE(status, n == 0 || (x && dy && dx), -1, "NULL buffer");
    fcpts_dispatch_unary(op, [&](auto c) {
        unary_backward_loop<decltype(c)::value>(alpha, beta, x, dy, dx, n, threads_of(n_threads));
    });
    return FCPTS_OK;
}

extern "C" int fcpts_binary_backward_cpu(int32_t op, const float* a, const int64_t* a_strides, const float* b,
                                         const int64_t* b_strides, const float* dy, const int64_t* y_dims,
                                         int32_t rank, float* da, float* db, int32_t n_threads,
                                         fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE_BINARY_OP(status, op);
    FCPTS_REQUIRE(status, rank >= 1 && rank <= FCPTS_MAX_RANK, -1, "rank %d outside 1..%d", rank, FCPTS_MAX_RANK);
    FCPTS_REQUIRE(status, a && b && dy && a_strides && b_strides && y_dims, -1, "NULL argument");
    const int threads = threads_of(n_threads);
    /* operand values are only read by mul / div */
    auto av = [&](int64_t i) { return a[operand_offset(i, a_strides, y_dims, rank)]; };
    auto bv = [&](int64_t i) { return b[operand_offset(i, b_strides, y_dims, rank)]; };
    if (da) {
        reduce_to_operand(a_strides, y_dims, rank, da, threads, [&](int64_t i) -> double {
            switch (op) {
                case FCPTS_BINARY_ADD:
                case FCPTS_BINARY_SUB: return dy[i];
                case FCPTS_BINARY_MUL: return (double)dy[i] * bv(i);
                case FCPTS_BINARY_DIV: return (double)dy[i] / bv(i);
                case FCPTS_BINARY_EQUAL: return 0.0; /* a step function: no gradient */
                default: return NAN; /* not reached: op was checked */
            }
        });
    }
    if (db) {
        reduce_to_operand(b_strides, y_dims, rank, db, threads, [&](int64_t i) -> double {
            switch (op) {
                case FCPTS_BINARY_ADD: return dy[i];
                case FCPTS_BINARY_SUB: return -(double)dy[i];
                case FCPTS_BINARY_MUL: return (double)dy[i] * av(i);
                case FCPTS_BINARY_DIV: {
                    const double bb = bv(i);
                    return -(double)dy[i] * av(i) / (bb * bb);
                }
                case FCPTS_BINARY_EQUAL: return 0.0;
                default: return NAN; /* not reached: op was checked */
            }
        });
    }
    return FCPTS_OK;
}

extern "C" int fcpts_fill_cpu(float* y, int64_t n, float value, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n == 0 || y, -1, "NULL buffer");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t i = 0; i < n; ++i) y[i] = value;
    return FCPTS_OK;
}
