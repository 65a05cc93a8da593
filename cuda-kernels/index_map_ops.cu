/*
 * Index maps on the GPU (contract: fcpts/ops_cuda.h, fcpts_index_map_cuda*; CPU twin and formulas:
 * native/src/index_map_ops_cpu.cpp; per-element math, create-time check and transpose: fcpts/index_map_math.h):
 *   SUM  y[o, r] = sum_k w[k] x[o, cols[k]]     backward dx[o, c] = sum over c's transposed taps of w dy[o, r]
 *   MAX  y[o, r] = max_k x[o, cols[k]]          backward dx[o, c] = sum of dy[o, r] over rows whose winner read c
 *   empty row: y = fill
 * Forward: one thread per (o, r) (grid-stride over outer * out_size), walking row r's taps in order; MAX writes
 * the winning tap to the plan's argmax buffer. Backward: one thread per (o, c) walking column c's transposed taps
 * in (row, tap) order; MAX adds dy[o, r] where argmax[o, r] is that tap, so two rows that share a winner never
 * race. No atomics: every output has one writer and the CPU's summation order, bitwise equal to the CPU
 * (compiled with --fmad=false like the CPU without FMA contraction; checked by the emulation test).
 *
 * Cost: forward reads nnz x values per slice (gathers: uncoalesced when columns jump) and writes out_size floats;
 * backward reads nnz dy values per slice and writes in_size floats. Memory-bound; no shared memory.
 *
 * The plan's device buffers (cudaMalloc, freed by destroy): row_ptr [out_size + 1], cols [nnz], weights [nnz]
 * (weighted SUM only), t_ptr [in_size + 1], t_row / t_tap [nnz], argmax [outer * out_size] (MAX only).
 */
#include <cuda_runtime.h>

#include <new>
#include <vector>

#include "fcpts/index_map_math.h"
#include "fcpts/ops_cuda.h"
#include "launch_util.cuh"

using namespace fcpts_cuda;

struct fcpts_index_map_cuda {
    int64_t outer = 0, in_size = 0, out_size = 0, nnz = 0;
    int32_t mode = FCPTS_INDEX_MAP_SUM;
    float fill = 0.0f;
    cudaStream_t stream = nullptr;
    bool forward_done = false;     /* MAX: a forward was queued, argmax is (or will be, in stream order) written */
    int32_t* row_ptr = nullptr;    /* device [out_size + 1] */
    int32_t* cols = nullptr;       /* device [nnz] */
    float* weights = nullptr;      /* device [nnz], NULL unless a weighted SUM map */
    int32_t* t_ptr = nullptr;      /* device [in_size + 1] transposed map */
    int32_t* t_row = nullptr;      /* device [nnz] */
    int32_t* t_tap = nullptr;      /* device [nnz] */
    int32_t* argmax = nullptr;     /* device [outer * out_size], MAX only */
};

namespace {

__global__ void __launch_bounds__(kThreads)
index_map_sum_kernel(const float* __restrict__ x, int64_t outer, int64_t in_size, int64_t out_size,
                     const int32_t* __restrict__ row_ptr, const int32_t* __restrict__ cols,
                     const float* __restrict__ w, float fill, float* __restrict__ y) {
    const int64_t total = outer * out_size;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t o = i / out_size, r = i - o * out_size;
        y[i] = fcpts_index_map_sum_row(x + o * in_size, cols, w, row_ptr[r], row_ptr[r + 1], fill);
    }
}

__global__ void __launch_bounds__(kThreads)
index_map_max_kernel(const float* __restrict__ x, int64_t outer, int64_t in_size, int64_t out_size,
                     const int32_t* __restrict__ row_ptr, const int32_t* __restrict__ cols, float fill,
                     int32_t* __restrict__ argmax, float* __restrict__ y) {
    const int64_t total = outer * out_size;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t o = i / out_size, r = i - o * out_size;
        int32_t arg = -1;
        y[i] = fcpts_index_map_max_row(x + o * in_size, cols, row_ptr[r], row_ptr[r + 1], fill, &arg);
        argmax[i] = arg;
    }
}

__global__ void __launch_bounds__(kThreads)
index_map_sum_backward_kernel(const float* __restrict__ dy, int64_t outer, int64_t in_size, int64_t out_size,
                              const int32_t* __restrict__ t_ptr, const int32_t* __restrict__ t_row,
                              const int32_t* __restrict__ t_tap, const float* __restrict__ w,
                              float* __restrict__ dx) {
    const int64_t total = outer * in_size;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t o = i / in_size, c = i - o * in_size;
        dx[i] = fcpts_index_map_sum_col(dy + o * out_size, t_row, t_tap, w, t_ptr[c], t_ptr[c + 1]);
    }
}

__global__ void __launch_bounds__(kThreads)
index_map_max_backward_kernel(const float* __restrict__ dy, int64_t outer, int64_t in_size, int64_t out_size,
                              const int32_t* __restrict__ t_ptr, const int32_t* __restrict__ t_row,
                              const int32_t* __restrict__ t_tap, const int32_t* __restrict__ argmax,
                              float* __restrict__ dx) {
    const int64_t total = outer * in_size;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t o = i / in_size, c = i - o * in_size;
        dx[i] = fcpts_index_map_max_col(dy + o * out_size, argmax + o * out_size, t_row, t_tap, t_ptr[c],
                                        t_ptr[c + 1]);
    }
}

int cuda_fail(fcpts_status* status, cudaError_t err, const char* what, int line) {
    return fcpts_status_set(status, err == cudaErrorMemoryAllocation ? FCPTS_OUT_OF_MEMORY : FCPTS_CUDA_ERROR, -1,
                            __FILE__, line, cudaGetErrorName(err), (int)err, "%s: %s", what,
                            cudaGetErrorString(err));
}

#define INDEX_MAP_CUDA_CHECK(call, what)                                   \
    do {                                                                   \
        const cudaError_t err_ = (call);                                   \
        if (err_ != cudaSuccess) {                                         \
            fcpts_index_map_cuda_destroy(p);                               \
            return cuda_fail(status, err_, what, __LINE__);                \
        }                                                                  \
    } while (0)

/* cudaMalloc of count elements (at least one, so that an empty map still has valid pointers). */
template <typename T>
cudaError_t device_alloc(T** out, int64_t count) {
    return cudaMalloc(reinterpret_cast<void**>(out), (size_t)(count > 0 ? count : 1) * sizeof(T));
}

}  // namespace

extern "C" int fcpts_index_map_cuda_create(int64_t outer, int64_t in_size, int64_t out_size, const int32_t* row_ptr,
                                           const int32_t* cols, const float* weights, int64_t nnz, float fill,
                                           int32_t mode, void* stream, fcpts_index_map_cuda** plan,
                                           fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, plan != nullptr, -1, "plan is NULL");
    const int rc = fcpts_index_map_check(outer, in_size, out_size, row_ptr, cols, nnz, mode, status);
    if (rc != FCPTS_OK) return rc;
    std::vector<int32_t> t_ptr, t_row, t_tap;
    try {
        t_ptr.resize((size_t)in_size + 1);
        t_row.resize((size_t)nnz);
        t_tap.resize((size_t)nnz);
    } catch (const std::bad_alloc&) {
        FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "index map plan: out of host memory for the transposed map");
    }
    fcpts_index_map_transpose(in_size, out_size, row_ptr, cols, t_ptr.data(), t_row.data(), t_tap.data());
    fcpts_index_map_cuda* p = new (std::nothrow) fcpts_index_map_cuda();
    if (p == nullptr) FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "index map plan: out of memory");
    p->outer = outer;
    p->in_size = in_size;
    p->out_size = out_size;
    p->nnz = nnz;
    p->mode = mode;
    p->fill = fill;
    p->stream = as_stream(stream);
    const bool weighted = weights != nullptr && mode == FCPTS_INDEX_MAP_SUM;
    INDEX_MAP_CUDA_CHECK(device_alloc(&p->row_ptr, out_size + 1), "cudaMalloc of the index map's row pointers");
    INDEX_MAP_CUDA_CHECK(device_alloc(&p->cols, nnz), "cudaMalloc of the index map's columns");
    if (weighted) INDEX_MAP_CUDA_CHECK(device_alloc(&p->weights, nnz), "cudaMalloc of the index map's weights");
    INDEX_MAP_CUDA_CHECK(device_alloc(&p->t_ptr, in_size + 1), "cudaMalloc of the transposed map's pointers");
    INDEX_MAP_CUDA_CHECK(device_alloc(&p->t_row, nnz), "cudaMalloc of the transposed map's rows");
    INDEX_MAP_CUDA_CHECK(device_alloc(&p->t_tap, nnz), "cudaMalloc of the transposed map's taps");
    if (mode == FCPTS_INDEX_MAP_MAX) {
        INDEX_MAP_CUDA_CHECK(device_alloc(&p->argmax, outer * out_size), "cudaMalloc of the index map's argmax");
    }
    const cudaStream_t s = p->stream;
    const auto up = [&](void* dst, const void* src, int64_t count, size_t size) {
        return count > 0 ? cudaMemcpyAsync(dst, src, (size_t)count * size, cudaMemcpyHostToDevice, s) : cudaSuccess;
    };
    INDEX_MAP_CUDA_CHECK(up(p->row_ptr, row_ptr, out_size + 1, sizeof(int32_t)), "upload of the row pointers");
    INDEX_MAP_CUDA_CHECK(up(p->cols, cols, nnz, sizeof(int32_t)), "upload of the columns");
    if (weighted) INDEX_MAP_CUDA_CHECK(up(p->weights, weights, nnz, sizeof(float)), "upload of the weights");
    INDEX_MAP_CUDA_CHECK(up(p->t_ptr, t_ptr.data(), in_size + 1, sizeof(int32_t)), "upload of the transposed map");
    INDEX_MAP_CUDA_CHECK(up(p->t_row, t_row.data(), nnz, sizeof(int32_t)), "upload of the transposed rows");
    INDEX_MAP_CUDA_CHECK(up(p->t_tap, t_tap.data(), nnz, sizeof(int32_t)), "upload of the transposed taps");
    /* the host copies (the caller's arrays, t_*) may go away when this returns */
    INDEX_MAP_CUDA_CHECK(cudaStreamSynchronize(s), "cudaStreamSynchronize after the index map upload");
    *plan = p;
    return FCPTS_OK;
}

extern "C" int fcpts_index_map_cuda_forward(fcpts_index_map_cuda* p, const float* x, float* y, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, p && x && y, -1, "NULL plan or buffer");
    FCPTS_REQUIRE(status, (const void*)x != (const void*)y, -1, "index map forward in place (y == x)");
    const int grid = grid_for(p->outer * p->out_size, kThreads);
    if (p->mode == FCPTS_INDEX_MAP_MAX) {
        index_map_max_kernel<<<grid, kThreads, 0, p->stream>>>(x, p->outer, p->in_size, p->out_size, p->row_ptr,
                                                               p->cols, p->fill, p->argmax, y);
        const int rc = FCPTS_CHECK_LAUNCH(status, "index_map_max_kernel launch");
        if (rc == FCPTS_OK) p->forward_done = true;
        return rc;
    }
    index_map_sum_kernel<<<grid, kThreads, 0, p->stream>>>(x, p->outer, p->in_size, p->out_size, p->row_ptr,
                                                           p->cols, p->weights, p->fill, y);
    return FCPTS_CHECK_LAUNCH(status, "index_map_sum_kernel launch");
}

extern "C" int fcpts_index_map_cuda_backward(fcpts_index_map_cuda* p, const float* dy, float* dx,
                                             fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, p && dy && dx, -1, "NULL plan or buffer");
    FCPTS_REQUIRE(status, (const void*)dy != (const void*)dx, -1, "index map backward in place (dx == dy)");
    FCPTS_REQUIRE(status, p->mode != FCPTS_INDEX_MAP_MAX || p->forward_done, -1,
                  "backward of a MAX index map before any forward (no winners recorded)");
    const int grid = grid_for(p->outer * p->in_size, kThreads);
    if (p->mode == FCPTS_INDEX_MAP_MAX) {
        index_map_max_backward_kernel<<<grid, kThreads, 0, p->stream>>>(dy, p->outer, p->in_size, p->out_size,
                                                                        p->t_ptr, p->t_row, p->t_tap, p->argmax, dx);
        return FCPTS_CHECK_LAUNCH(status, "index_map_max_backward_kernel launch");
    }
    index_map_sum_backward_kernel<<<grid, kThreads, 0, p->stream>>>(dy, p->outer, p->in_size, p->out_size, p->t_ptr,
                                                                    p->t_row, p->t_tap, p->weights, dx);
    return FCPTS_CHECK_LAUNCH(status, "index_map_sum_backward_kernel launch");
}

extern "C" void fcpts_index_map_cuda_destroy(fcpts_index_map_cuda* p) {
    if (p == nullptr) return;
    cudaFree(p->row_ptr);
    cudaFree(p->cols);
    cudaFree(p->weights);
    cudaFree(p->t_ptr);
    cudaFree(p->t_row);
    cudaFree(p->t_tap);
    cudaFree(p->argmax);
    delete p;
}
