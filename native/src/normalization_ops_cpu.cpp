/*
 * Backward of the OpenMP operators of the CPU engine (contract and formulas:
 * fcpts/ops_cpu.h). Broadcast reductions are parallel over the elements of the
 * reduced operand and sum in double, each output written by one thread: no
 * atomics, the same result for any thread count. Called from
 * java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fcpts/ops_cpu.h"
#include "fcpts/ops_math.h"

namespace {

int threads_of(int32_t n) { return n > 0 ? n : omp_get_max_threads(); }

inline float unary_grad(int op, float x, float alpha, float beta) { return fcpts_unary_grad(op, x, alpha, beta); }

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

extern "C" int fcpts_unary_backward_cpu(int32_t op, float alpha, float beta, const float* x, const float* dy,
                                        float* dx, int64_t n, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, op >= FCPTS_UNARY_RELU && op <= FCPTS_UNARY_HARD_SWISH, -1, "unknown unary op %d", op);
    FCPTS_REQUIRE(status, n == 0 || (x && dy && dx), -1, "NULL buffer");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * unary_grad(op, x[i], alpha, beta);
    return FCPTS_OK;
}

extern "C" int fcpts_binary_backward_cpu(int32_t op, const float* a, const int64_t* a_strides, const float* b,
                                         const int64_t* b_strides, const float* dy, const int64_t* y_dims,
                                         int32_t rank, float* da, float* db, int32_t n_threads,
                                         fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, op >= FCPTS_BINARY_ADD && op <= FCPTS_BINARY_DIV, -1, "unknown binary op %d", op);
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
                default: return (double)dy[i] / bv(i);
            }
        });
    }
    if (db) {
        reduce_to_operand(b_strides, y_dims, rank, db, threads, [&](int64_t i) -> double {
            switch (op) {
                case FCPTS_BINARY_ADD: return dy[i];
                case FCPTS_BINARY_SUB: return -(double)dy[i];
                case FCPTS_BINARY_MUL: return (double)dy[i] * av(i);
                default: {
                    const double bb = bv(i);
                    return -(double)dy[i] * av(i) / (bb * bb);
                }
            }
        });
    }
    return FCPTS_OK;
}

extern "C" int fcpts_batchnorm_backward_cpu(const float* x, const float* dy, int64_t n, int64_t c, int64_t spatial,
                                            const float* gamma, const float* mean, const float* var, float epsilon,
                                            float* dx, float* dgamma, float* dbeta, int32_t n_threads,
                                            fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && dy && gamma && mean && var, -1, "NULL argument");
    const int threads = threads_of(n_threads);
    if (dx) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t plane = 0; plane < n * c; ++plane) {
            const int64_t ch = plane % c;
            const float scale = gamma[ch] / std::sqrt(var[ch] + epsilon);
            for (int64_t i = 0; i < spatial; ++i) dx[plane * spatial + i] = dy[plane * spatial + i] * scale;
        }
    }
    if (dgamma || dbeta) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t ch = 0; ch < c; ++ch) {
            /* sum dy (x - mean) / std = (sum dy x - mean sum dy) / std; per plane in float, planes in double */
            const double inv_std = 1.0 / std::sqrt((double)var[ch] + epsilon);
            double sdx = 0.0, sb = 0.0;
            for (int64_t b = 0; b < n; ++b) {
                const float* xs = x + (b * c + ch) * spatial;
                const float* gs = dy + (b * c + ch) * spatial;
                float pdx = 0.0f, pb = 0.0f;
#pragma omp simd reduction(+ : pdx, pb)
                for (int64_t i = 0; i < spatial; ++i) {
                    pdx += gs[i] * (xs[i] - mean[ch]);
                    pb += gs[i];
                }
                sdx += pdx;
                sb += pb;
            }
            const double sg = sdx * inv_std;
            if (dgamma) dgamma[ch] = (float)sg;
            if (dbeta) dbeta[ch] = (float)sb;
        }
    }
    return FCPTS_OK;
}

extern "C" int fcpts_global_avg_pool_backward_cpu(const float* dy, int64_t planes, int64_t spatial, float* dx,
                                                  int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, dy && dx && spatial > 0, -1, "NULL buffer or empty plane");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t p = 0; p < planes; ++p) {
        const float g = dy[p] / (float)spatial;
        for (int64_t i = 0; i < spatial; ++i) dx[p * spatial + i] = g;
    }
    return FCPTS_OK;
}

extern "C" int fcpts_softmax_backward_cpu(const float* y, const float* dy, int64_t outer, int64_t axis,
                                          int64_t inner, float* dx, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, y && dy && dx && axis > 0, -1, "NULL buffer or empty softmax axis");
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_of(n_threads))
    for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
            const int64_t base = o * axis * inner + i;
            double dot = 0.0;
            for (int64_t k = 0; k < axis; ++k) dot += (double)dy[base + k * inner] * y[base + k * inner];
            for (int64_t k = 0; k < axis; ++k) {
                dx[base + k * inner] = (float)(y[base + k * inner] * ((double)dy[base + k * inner] - dot));
            }
        }
    }
    return FCPTS_OK;
}

extern "C" int fcpts_slice_piece_cpu(const float* dy, int64_t outer, int64_t block, int64_t y_block, int64_t offset,
                                     float* dx, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, dy && dx && offset + block <= y_block, -1, "NULL buffer or piece outside the input");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t o = 0; o < outer; ++o) {
        std::memcpy(dx + o * block, dy + o * y_block + offset, (size_t)block * sizeof(float));
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

extern "C" int fcpts_column_sum_cpu(const float* x, int64_t rows, int64_t cols, float* out, int32_t n_threads,
                                    fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && out, -1, "NULL buffer");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t j = 0; j < cols; ++j) {
        double s = 0.0;
        for (int64_t i = 0; i < rows; ++i) s += x[i * cols + j];
        out[j] = (float)s;
    }
    return FCPTS_OK;
}
