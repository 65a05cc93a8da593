/*
 * Sparse fully connected layer on the CPU (contract in fcpts/sparse_cpu.h):
 *   y[n, m] = bias[m] + sum_{p in row m} values[p] * x[n, col_idx[p]]
 * one output row m per loop iteration (OpenMP over rows), all images of the batch in the inner loop so that
 * the row's CSR entries are read from memory once per call.
 *
 * Non-finite inputs: the dense product ONNX Runtime computes has 0 * Inf = 0 * NaN = NaN for every weight the
 * CSR does not store. So y[n, m] = NaN where image n holds more non-finite features (all[n]) than row m's
 * stored columns read (stored[n, m]; columns are unique within a row, csr_check.h). all[n] is one pass over x
 * per call; stored is only counted for images with a non-finite feature.
 */
#include <omp.h>

#include <cmath>
#include <memory>
#include <new>
#include <vector>

#include "fcpts/ops_math.h"
#include "fcpts/sparse_cpu.h"
#include "csr_check.h"
#include "live_plans.h"

struct fcpts_sparse_linear {
    fcpts::LivePlan live;  /* counted by fcpts_cpu_live_plans */
    int64_t batch = 0, in = 0, out = 0;
    std::vector<int32_t> row_ptr, col_idx;
    std::vector<float> values, bias;
    std::vector<int32_t> nonfinite;  /* [batch]: non-finite features of image n in the current call */
    int threads = 1;
};


extern "C" int fcpts_sparse_linear_create(int64_t batch, int64_t in, int64_t out, const int32_t* row_ptr,
                                          const int32_t* col_idx, const float* values, const float* bias,
                                          int32_t n_threads, fcpts_sparse_linear** plan, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, row_ptr && plan, -1, "NULL row_ptr or plan");
    FCPTS_REQUIRE(status, batch > 0 && in > 0 && out > 0, -1, "sizes must be positive (batch %lld, in %lld, out %lld)",
                  (long long)batch, (long long)in, (long long)out);
    const int rc = fcpts_csr_check(row_ptr, col_idx, values, out, in, status);
    if (rc != FCPTS_OK) return rc;
    const int32_t nnz = row_ptr[out];
    try {
        std::unique_ptr<fcpts_sparse_linear> p(new fcpts_sparse_linear());
        p->batch = batch;
        p->in = in;
        p->out = out;
        p->row_ptr.assign(row_ptr, row_ptr + out + 1);
        p->col_idx.assign(col_idx ? col_idx : nullptr, col_idx ? col_idx + nnz : nullptr);
        p->values.assign(values ? values : nullptr, values ? values + nnz : nullptr);
        if (bias) p->bias.assign(bias, bias + out);
        p->nonfinite.assign((size_t)batch, 0);
        p->threads = n_threads > 0 ? n_threads : omp_get_max_threads();
        *plan = p.release();
        return FCPTS_OK;
    } catch (const std::bad_alloc&) {
        FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "sparse linear plan: out of memory");
    }
}

extern "C" int fcpts_sparse_linear_forward(fcpts_sparse_linear* p, const float* x, float* y, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, p && x && y && x != y, -1, "NULL plan or buffer, or y aliases x");
    const int32_t* rp = p->row_ptr.data();
    const int32_t* ci = p->col_idx.data();
    const float* v = p->values.data();
    int32_t* all = p->nonfinite.data();
    int32_t any = 0;
    for (int64_t n = 0; n < p->batch; ++n) {
        const float* xn = x + n * p->in;
        int32_t count = 0;
        for (int64_t k = 0; k < p->in; ++k) count += fcpts_nonfinite_f(xn[k]);
        all[n] = count;
        any |= count;
    }
#pragma omp parallel for schedule(static) num_threads(p->threads)
    for (int64_t m = 0; m < p->out; ++m) {
        const float b = p->bias.empty() ? 0.0f : p->bias[m];
        for (int64_t n = 0; n < p->batch; ++n) {
            const float* xn = x + n * p->in;
            float acc = b;
            for (int32_t k = rp[m]; k < rp[m + 1]; ++k) acc += v[k] * xn[ci[k]];
            if (any && all[n] > 0) {
                int32_t stored = 0;
                for (int32_t k = rp[m]; k < rp[m + 1]; ++k) stored += fcpts_nonfinite_f(xn[ci[k]]);
                if (all[n] > stored) acc = NAN;
            }
            y[n * p->out + m] = acc;
        }
    }
    return FCPTS_OK;
}

extern "C" void fcpts_sparse_linear_destroy(fcpts_sparse_linear* p) { delete p; }
