/*
 * OpenMP operators of the CPU engine that need no oneDNN (contract and math:
 * fcpts/ops_cpu.h): elementwise unary and broadcasting binary ops, inference
 * BatchNorm, global average pooling, softmax, transpose and concat copies.
 * Every loop is data-parallel with a static schedule; reductions (pooling,
 * softmax) run in double per output. Called from java: backend.cpu.CpuNatives.
 */
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fcpts/ops_cpu.h"
#include "fcpts/ops_math.h"

namespace {

int threads_of(int32_t n) { return n > 0 ? n : omp_get_max_threads(); }

inline float unary(int op, float x, float alpha, float beta) { return fcpts_unary_value(op, x, alpha, beta); }

inline float binary(int op, float a, float b) { return fcpts_binary_value(op, a, b); }

}  // namespace

extern "C" int fcpts_unary_cpu(int32_t op, float alpha, float beta, const float* x, float* y, int64_t n,
                               int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, op >= FCPTS_UNARY_RELU && op <= FCPTS_UNARY_HARD_SWISH, -1, "unknown unary op %d", op);
    FCPTS_REQUIRE(status, n == 0 || (x && y), -1, "NULL buffer");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t i = 0; i < n; ++i) y[i] = unary(op, x[i], alpha, beta);
    return FCPTS_OK;
}

extern "C" int fcpts_binary_cpu(int32_t op, const float* a, const int64_t* a_strides, const float* b,
                                const int64_t* b_strides, float* y, const int64_t* y_dims, int32_t rank,
                                int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, op >= FCPTS_BINARY_ADD && op <= FCPTS_BINARY_DIV, -1, "unknown binary op %d", op);
    FCPTS_REQUIRE(status, rank >= 1 && rank <= FCPTS_MAX_RANK, -1, "rank %d outside 1..%d", rank, FCPTS_MAX_RANK);
    FCPTS_REQUIRE(status, a && b && y && a_strides && b_strides && y_dims, -1, "NULL argument");
    int64_t total = 1;
    for (int d = 0; d < rank; ++d) total *= y_dims[d];
    const int64_t inner = y_dims[rank - 1];
    const int64_t sa = a_strides[rank - 1], sb = b_strides[rank - 1];
    const int64_t rows = inner == 0 ? 0 : total / inner;
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t r = 0; r < rows; ++r) {
        int64_t rem = r, oa = 0, ob = 0;
        for (int d = rank - 2; d >= 0; --d) {
            const int64_t idx = rem % y_dims[d];
            rem /= y_dims[d];
            oa += idx * a_strides[d];
            ob += idx * b_strides[d];
        }
        float* out = y + r * inner;
        for (int64_t i = 0; i < inner; ++i) out[i] = binary(op, a[oa + i * sa], b[ob + i * sb]);
    }
    return FCPTS_OK;
}

extern "C" int fcpts_batchnorm_inference_cpu(const float* x, int64_t n, int64_t c, int64_t spatial,
                                             const float* gamma, const float* beta, const float* mean,
                                             const float* var, float epsilon, float* y, int32_t n_threads,
                                             fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && gamma && beta && mean && var && y, -1, "NULL argument");
    for (int64_t ch = 0; ch < c; ++ch) {
        FCPTS_REQUIRE(status, var[ch] + epsilon > 0.0f, ch, "channel %lld: variance + epsilon must be > 0",
                      (long long)ch);
    }
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t plane = 0; plane < n * c; ++plane) {
        const int64_t ch = plane % c;
        const float scale = gamma[ch] / std::sqrt(var[ch] + epsilon);
        const float shift = beta[ch] - mean[ch] * scale;
        const float* in = x + plane * spatial;
        float* out = y + plane * spatial;
        for (int64_t i = 0; i < spatial; ++i) out[i] = in[i] * scale + shift;
    }
    return FCPTS_OK;
}

extern "C" int fcpts_global_avg_pool_cpu(const float* x, int64_t planes, int64_t spatial, float* y,
                                         int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && y && spatial > 0, -1, "NULL buffer or empty plane");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t p = 0; p < planes; ++p) {
        double sum = 0.0;
        for (int64_t i = 0; i < spatial; ++i) sum += x[p * spatial + i];
        y[p] = (float)(sum / (double)spatial);
    }
    return FCPTS_OK;
}

extern "C" int fcpts_softmax_cpu(const float* x, int64_t outer, int64_t axis, int64_t inner, float* y,
                                 int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && y && axis > 0, -1, "NULL buffer or empty softmax axis");
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_of(n_threads))
    for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
            const float* in = x + o * axis * inner + i;
            float* out = y + o * axis * inner + i;
            float max = in[0];
            for (int64_t k = 1; k < axis; ++k) max = std::max(max, in[k * inner]);
            double sum = 0.0;
            for (int64_t k = 0; k < axis; ++k) sum += std::exp((double)in[k * inner] - max);
            for (int64_t k = 0; k < axis; ++k) out[k * inner] = (float)(std::exp((double)in[k * inner] - max) / sum);
        }
    }
    return FCPTS_OK;
}

extern "C" int fcpts_transpose_cpu(const float* x, const int64_t* x_dims, const int64_t* perm, int32_t rank,
                                   float* y, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, rank >= 1 && rank <= FCPTS_MAX_RANK, -1, "rank %d outside 1..%d", rank, FCPTS_MAX_RANK);
    FCPTS_REQUIRE(status, x && y && x_dims && perm, -1, "NULL argument");
    int64_t x_strides[FCPTS_MAX_RANK], y_dims[FCPTS_MAX_RANK], src_stride[FCPTS_MAX_RANK];
    int64_t total = 1;
    for (int d = rank - 1; d >= 0; --d) {
        x_strides[d] = total;
        total *= x_dims[d];
    }
    for (int d = 0; d < rank; ++d) {
        FCPTS_REQUIRE(status, perm[d] >= 0 && perm[d] < rank, d, "perm[%d] = %lld out of range", d,
                      (long long)perm[d]);
        y_dims[d] = x_dims[perm[d]];
        src_stride[d] = x_strides[perm[d]];
    }
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t i = 0; i < total; ++i) {
        int64_t rem = i, src = 0;
        for (int d = rank - 1; d >= 0; --d) {
            src += (rem % y_dims[d]) * src_stride[d];
            rem /= y_dims[d];
        }
        y[i] = x[src];
    }
    return FCPTS_OK;
}

extern "C" int fcpts_concat_piece_cpu(const float* x, int64_t outer, int64_t block, float* y, int64_t y_block,
                                      int64_t offset, int32_t n_threads, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, x && y && offset + block <= y_block, -1, "NULL buffer or piece outside the output");
#pragma omp parallel for schedule(static) num_threads(threads_of(n_threads))
    for (int64_t o = 0; o < outer; ++o) {
        std::memcpy(y + o * y_block + offset, x + o * block, (size_t)block * sizeof(float));
    }
    return FCPTS_OK;
}
