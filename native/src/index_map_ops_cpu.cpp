/*
 * Index maps on the CPU (contract: fcpts/ops_cpu.h, fcpts_index_map*; CUDA twin: cuda-kernels/index_map_ops.cu;
 * per-element math and the create-time check / transpose shared with it: fcpts/index_map_math.h):
 *   SUM  y[o, r] = sum_k w[k] x[o, cols[k]]     backward dx[o, c] = sum over c's transposed taps of w dy[o, r]
 *   MAX  y[o, r] = max_k x[o, cols[k]]          backward dx[o, c] = sum of dy[o, r] over rows whose winner read c
 *   empty row: y = fill (backward: nothing flows from it)
 * The plan copies the map, builds its transpose once, and (MAX) keeps the winning tap of every (o, r) from the last
 * forward. Forward is parallel over (o, r), backward over (o, c), static schedule: each output written by one
 * thread with a fixed summation order, the same bits for any thread count and as the GPU. Resize, Pad, Slice,
 * Split, Gather with constant indices and the reductions are such maps (built on the host by the Java ops).
 * Called from java: backend.cpu.CpuIndexMapPlan through CpuNatives.
 */
#include <omp.h>

#include <new>
#include <vector>

#include "fcpts/index_map_math.h"
#include "fcpts/ops_cpu.h"
#include "live_plans.h"

struct fcpts_index_map {
    fcpts::LivePlan live;  /* counted by fcpts_cpu_live_plans */
    int64_t outer = 0, in_size = 0, out_size = 0;
    int32_t mode = FCPTS_INDEX_MAP_SUM;
    float fill = 0.0f;
    int threads = 1;
    bool weighted = false;          /* weights given (SUM) */
    bool forward_done = false;      /* MAX: argmax holds a forward's winners */
    std::vector<int32_t> row_ptr;   /* [out_size + 1] */
    std::vector<int32_t> cols;      /* [nnz] */
    std::vector<float> weights;     /* [nnz] when weighted, else empty */
    std::vector<int32_t> t_ptr;     /* [in_size + 1] transposed map: column c's taps t_ptr[c] .. t_ptr[c + 1] */
    std::vector<int32_t> t_row;     /* [nnz] row of each transposed tap */
    std::vector<int32_t> t_tap;     /* [nnz] its tap index in cols / weights */
    std::vector<int32_t> argmax;    /* MAX: [outer * out_size] winning tap of the last forward, -1 for empty rows */
};

extern "C" int fcpts_index_map_create(int64_t outer, int64_t in_size, int64_t out_size, const int32_t* row_ptr,
                                      const int32_t* cols, const float* weights, int64_t nnz, float fill,
                                      int32_t mode, int32_t n_threads, fcpts_index_map** plan,
                                      fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, plan != nullptr, -1, "plan is NULL");
    const int rc = fcpts_index_map_check(outer, in_size, out_size, row_ptr, cols, nnz, mode, status);
    if (rc != FCPTS_OK) return rc;
    fcpts_index_map* p = new (std::nothrow) fcpts_index_map();
    if (p == nullptr) FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "index map plan: out of memory");
    try {
        p->outer = outer;
        p->in_size = in_size;
        p->out_size = out_size;
        p->mode = mode;
        p->fill = fill;
        p->threads = n_threads > 0 ? n_threads : omp_get_max_threads();
        p->row_ptr.assign(row_ptr, row_ptr + out_size + 1);
        p->cols.assign(cols, cols + nnz);
        p->weighted = weights != nullptr && mode == FCPTS_INDEX_MAP_SUM;
        if (p->weighted) p->weights.assign(weights, weights + nnz);
        p->t_ptr.resize((size_t)in_size + 1);
        p->t_row.resize((size_t)nnz);
        p->t_tap.resize((size_t)nnz);
        fcpts_index_map_transpose(in_size, out_size, p->row_ptr.data(), p->cols.data(), p->t_ptr.data(),
                                  p->t_row.data(), p->t_tap.data());
        if (mode == FCPTS_INDEX_MAP_MAX) p->argmax.assign((size_t)(outer * out_size), -1);
    } catch (const std::bad_alloc&) {
        delete p;
        FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "index map plan (outer %lld, in %lld, out %lld, nnz %lld): out "
                   "of memory", (long long)outer, (long long)in_size, (long long)out_size, (long long)nnz);
    }
    *plan = p;
    return FCPTS_OK;
}

extern "C" int fcpts_index_map_forward(fcpts_index_map* p, const float* x, float* y, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, p && x && y, -1, "NULL plan or buffer");
    FCPTS_REQUIRE(status, (const void*)x != (const void*)y, -1, "index map forward in place (y == x)");
    const int64_t outer = p->outer, in_size = p->in_size, out_size = p->out_size;
    const int32_t* rp = p->row_ptr.data();
    const int32_t* cols = p->cols.data();
    const float fill = p->fill;
    if (p->mode == FCPTS_INDEX_MAP_MAX) {
        int32_t* arg = p->argmax.data();
#pragma omp parallel for collapse(2) schedule(static) num_threads(p->threads)
        for (int64_t o = 0; o < outer; ++o) {
            for (int64_t r = 0; r < out_size; ++r) {
                y[o * out_size + r] =
                    fcpts_index_map_max_row(x + o * in_size, cols, rp[r], rp[r + 1], fill, &arg[o * out_size + r]);
            }
        }
        p->forward_done = true;
    } else {
        const float* w = p->weighted ? p->weights.data() : nullptr;
#pragma omp parallel for collapse(2) schedule(static) num_threads(p->threads)
        for (int64_t o = 0; o < outer; ++o) {
            for (int64_t r = 0; r < out_size; ++r) {
                y[o * out_size + r] = fcpts_index_map_sum_row(x + o * in_size, cols, w, rp[r], rp[r + 1], fill);
            }
        }
    }
    return FCPTS_OK;
}

extern "C" int fcpts_index_map_backward(fcpts_index_map* p, const float* dy, float* dx, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, p && dy && dx, -1, "NULL plan or buffer");
    FCPTS_REQUIRE(status, (const void*)dy != (const void*)dx, -1, "index map backward in place (dx == dy)");
    FCPTS_REQUIRE(status, p->mode != FCPTS_INDEX_MAP_MAX || p->forward_done, -1,
                  "backward of a MAX index map before any forward (no winners recorded)");
    const int64_t outer = p->outer, in_size = p->in_size, out_size = p->out_size;
    const int32_t* tp = p->t_ptr.data();
    const int32_t* tr = p->t_row.data();
    const int32_t* tt = p->t_tap.data();
    if (p->mode == FCPTS_INDEX_MAP_MAX) {
        const int32_t* arg = p->argmax.data();
#pragma omp parallel for collapse(2) schedule(static) num_threads(p->threads)
        for (int64_t o = 0; o < outer; ++o) {
            for (int64_t c = 0; c < in_size; ++c) {
                dx[o * in_size + c] =
                    fcpts_index_map_max_col(dy + o * out_size, arg + o * out_size, tr, tt, tp[c], tp[c + 1]);
            }
        }
    } else {
        const float* w = p->weighted ? p->weights.data() : nullptr;
#pragma omp parallel for collapse(2) schedule(static) num_threads(p->threads)
        for (int64_t o = 0; o < outer; ++o) {
            for (int64_t c = 0; c < in_size; ++c) {
                dx[o * in_size + c] = fcpts_index_map_sum_col(dy + o * out_size, tr, tt, w, tp[c], tp[c + 1]);
            }
        }
    }
    return FCPTS_OK;
}

extern "C" void fcpts_index_map_destroy(fcpts_index_map* plan) { delete plan; }
