/*
 * Internal helpers shared by the network-operator kernels of libfcpts_cuda
 * (contract: fcpts/ops_cuda.h). Not part of the C ABI.
 *
 *   - grid sizing: every kernel is a grid-stride loop over 64-bit indices run
 *     by at most kMaxBlocksPerSm * SMs blocks of kThreads threads (one full
 *     wave); callers never launch an empty grid;
 *   - Tiling: a [rows, len] index space (rows = planes, image rows, matrix
 *     rows) cut into tiles of one row and at most kChunk elements, a tile per
 *     group of tpp = min(256, pow2ceil(len)) threads. Per-row work (channel
 *     lookup, offset decomposition) happens once per tile, the element loop
 *     is a plain stride-tpp loop: accesses coalesced, no division per element;
 *   - RowGroups: the same group-of-tpp-threads layout for row reductions
 *     (softmax, losses, average pooling): every thread of a block runs the same
 *     number of iterations so that group_allreduce may __syncthreads;
 *   - group_allreduce: a fixed shuffle / shared-memory tree, no atomics, so the
 *     result is bitwise reproducible from run to run;
 *   - HostArray: small host arrays (shapes, strides) passed by value;
 *   - check_launch: records cudaGetLastError's name and code in fcpts_status.
 */
#ifndef FCPTS_CUDA_LAUNCH_UTIL_CUH
#define FCPTS_CUDA_LAUNCH_UTIL_CUH

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>

#include "fcpts/ops_cpu.h"
#include "fcpts/ops_math.h"
#include "fcpts/status.h"

namespace fcpts_cuda {
/* host functions are static (internal linkage): nothing of this header is exported from libfcpts_cuda */

constexpr int kThreads = 256;           /* threads per block, every kernel */
constexpr int kWarps = kThreads / 32;
constexpr int kMaxBlocksPerSm = 8;      /* 8 * 256 = 2048 resident threads per SM on sm_80 / sm_90 */
constexpr int64_t kChunk = 8 * kThreads; /* elements of one row handled by one tile */
constexpr unsigned kFullMask = 0xffffffffu;

static inline cudaStream_t as_stream(void* stream) { return static_cast<cudaStream_t>(stream); }

/* Streaming multiprocessors of the current device, cached per device (80 if the query fails). */
static inline int sm_count() {
    static std::atomic<int> cache[64];
    int device = 0;
    if (cudaGetDevice(&device) != cudaSuccess) {
        cudaGetLastError(); /* clear it: the launch check must not report a failed query */
        return 80;
    }
    const bool cached = device >= 0 && device < 64;
    if (cached) {
        const int v = cache[device].load(std::memory_order_relaxed);
        if (v > 0) return v;
    }
    int sms = 0;
    if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess || sms <= 0) {
        cudaGetLastError();
        sms = 80;
    }
    if (cached) cache[device].store(sms, std::memory_order_relaxed);
    return sms;
}

/* Blocks for `items` work items, `per_block` items per block-iteration: ceil, capped at one wave, >= 1. */
static inline int grid_for(int64_t items, int64_t per_block) {
    const int64_t cap = (int64_t)sm_count() * kMaxBlocksPerSm;
    int64_t blocks = (items + per_block - 1) / per_block;
    if (blocks > cap) blocks = cap;
    return blocks < 1 ? 1 : (int)blocks;
}

/* Records the CUDA error (name, code, call site) after a launch; FCPTS_OK if none. */
static inline int check_launch(fcpts_status* status, const char* what, const char* file, int line) {
    const cudaError_t err = cudaGetLastError();
    if (err == cudaSuccess) return FCPTS_OK;
    return fcpts_status_set(status, FCPTS_CUDA_ERROR, -1, file, line, cudaGetErrorName(err), (int)err, "%s: %s",
                            what, cudaGetErrorString(err));
}

#define FCPTS_CHECK_LAUNCH(status, what) ::fcpts_cuda::check_launch((status), (what), __FILE__, __LINE__)

/* Small host array passed to a kernel by value (kernel parameters live in constant memory). */
template <typename T, int N = FCPTS_MAX_RANK>
struct HostArray {
    T v[N];
};

/* log2 of the group size for rows of `len` elements: tpp = min(256, pow2ceil(len)), 1 for len <= 1. */
static inline int group_shift(int64_t len) {
    int shift = 0;
    while (shift < 8 && ((int64_t)1 << shift) < len) ++shift;
    return shift;
}

/* ---- Tiling: [rows, len] elements, a tile = (row, chunk of <= kChunk elements) per thread group ---- */

struct Tiling {
    int64_t rows, len;
    int64_t chunks;    /* tiles per row */
    int64_t tiles;     /* rows * chunks */
    int shift;         /* log2(threads per tile) */
};

static inline Tiling make_tiling(int64_t rows, int64_t len) {
    Tiling t;
    t.rows = rows;
    t.len = len;
    t.chunks = len > kChunk ? (len + kChunk - 1) / kChunk : 1;
    t.tiles = rows * t.chunks;
    t.shift = group_shift(len);
    return t;
}

/* Blocks for a tiling: (kThreads >> shift) tiles per block-iteration. */
static inline int grid_for(const Tiling& t) { return grid_for(t.tiles, kThreads >> t.shift); }

/*
 * Calls body(row, begin, end, step) for every tile this thread takes part in; the body loops
 * for (e = begin; e < end; e += step). Tiles are independent: no synchronisation inside.
 */
template <typename Body>
__device__ __forceinline__ void for_each_tile(const Tiling& t, Body body) {
    const int tpp = 1 << t.shift;
    const int sub = threadIdx.x & (tpp - 1);
    const int64_t per_block = (int64_t)(blockDim.x >> t.shift);
    for (int64_t tile = (int64_t)blockIdx.x * per_block + (threadIdx.x >> t.shift); tile < t.tiles;
         tile += (int64_t)gridDim.x * per_block) {
        int64_t row = tile, begin = 0, end = t.len;
        if (t.chunks > 1) {
            row = tile / t.chunks;
            begin = (tile - row * t.chunks) * kChunk;
            end = begin + kChunk < t.len ? begin + kChunk : t.len;
        }
        body(row, begin + sub, end, (int64_t)tpp);
    }
}

/* ---- RowGroups: one group of tpp threads per row, block-uniform iteration count ---- */

/*
 * Calls body(row, active, sub, tpp) for every row of this thread's group; every thread of the
 * block runs the same number of iterations (inactive groups get active == false and must still
 * call group_allreduce the same number of times).
 */
template <typename Body>
__device__ __forceinline__ void for_each_row_group(int64_t rows, int shift, Body body) {
    const int tpp = 1 << shift;
    const int sub = threadIdx.x & (tpp - 1);
    const int64_t per_block = (int64_t)(blockDim.x >> shift);
    const int64_t grp = threadIdx.x >> shift;
    for (int64_t base = (int64_t)blockIdx.x * per_block; base < rows; base += (int64_t)gridDim.x * per_block) {
        const int64_t row = base + grp;
        body(row, row < rows, sub, tpp);
    }
}

struct SumOp {
    template <typename T>
    __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};

/* std::max semantics: (a < b) ? b : a. */
struct MaxOp {
    template <typename T>
    __device__ __forceinline__ T operator()(T a, T b) const { return a < b ? b : a; }
};

/*
 * Reduces v over each group of tpp = 1 << shift consecutive threads (tpp <= kThreads) and returns
 * the result to every thread of the group. Fixed tree: shuffles inside a warp (or a tpp-wide part
 * of it), then the warps of a group in ascending order. Must be reached by every thread of the block
 * (it synchronises when tpp > 32).
 */
template <typename T, typename Op>
__device__ __forceinline__ T group_allreduce(T v, int shift, Op op) {
    __shared__ T scratch[kWarps];
    const int tpp = 1 << shift;
    const int width = tpp < 32 ? tpp : 32;
    for (int offset = width >> 1; offset > 0; offset >>= 1) {
        v = op(v, __shfl_down_sync(kFullMask, v, offset, width));
    }
    v = __shfl_sync(kFullMask, v, 0, width);
    if (tpp <= 32) return v;
    const int warp = threadIdx.x >> 5;
    __syncthreads(); /* the previous call's readers are done with scratch */
    if ((threadIdx.x & 31) == 0) scratch[warp] = v;
    __syncthreads();
    const int warps_per_group = tpp >> 5;
    const int first = warp & ~(warps_per_group - 1);
    T r = scratch[first];
    for (int k = 1; k < warps_per_group; ++k) r = op(r, scratch[first + k]);
    return r;
}

static_assert(kThreads == 256, "block_allreduce_sum and group_shift assume 256-thread blocks (shift 8)");

/* Block-wide sum (group of the whole block, blockDim.x == kThreads), result in every thread. */
template <typename T>
__device__ __forceinline__ T block_allreduce_sum(T v) {
    return group_allreduce(v, 8, SumOp());
}

/* std::min / std::max with the CPU's NaN behaviour (the first argument wins on unordered compares). */
__device__ __forceinline__ float std_max(float a, float b) { return fcpts_max_f(a, b); }
__device__ __forceinline__ float std_min(float a, float b) { return fcpts_min_f(a, b); }

/* Fused-epilogue activation (enum fcpts_activation), as the CPU sparse epilogue: relu v > 0 ? v : 0, clip
 * std::min(std::max(v, lo), hi). */
__device__ __forceinline__ float apply_activation(int act, float v, float lo, float hi) {
    return fcpts_activation_value(act, v, lo, hi);
}

}  // namespace fcpts_cuda

#endif /* FCPTS_CUDA_LAUNCH_UTIL_CUH */
