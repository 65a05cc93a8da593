/*
 * CPU emulation of the CUDA runtime and device built-ins that cuda-kernels/*_ops.cu use (TEST ONLY; never in a
 * library). With this header first on the include path, the kernels compile as plain C++ after
 * cmake/modules/cuda_launch_to_host.cmake rewrote every `kernel<<<grid, block, shm, stream>>>(args)` into
 * `emu::launch(&kernel, grid, block, shm, stream)(args)`: each block runs as `block` std::threads with a real
 * block barrier (__syncthreads) and per-warp barriers for __shfl_*_sync, so index math, bounds, grid-stride
 * loops, shared-memory reductions and warp shuffles execute as written. Not emulated: memory spaces (device
 * pointers are host pointers), timing, occupancy, and device math library ulps (expf, sqrt come from libm).
 * Used by ops_emulation_test.cpp (fcpts_cuda_emulation_test), which compares every operator of
 * fcpts/ops_cuda.h against its CPU twin of libfcpts_cpu.
 */
#pragma once
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>
#include <cstdio>
#include <cstdlib>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

typedef int cudaError_t;
typedef void* cudaStream_t;
enum { cudaSuccess = 0, cudaErrorMemoryAllocation = 2, cudaDevAttrMultiProcessorCount = 16 };
/* device memory is host memory here */
inline cudaError_t cudaMalloc(void** p, size_t bytes) {
    *p = std::malloc(bytes > 0 ? bytes : 1);
    return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
inline cudaError_t cudaFree(void* p) {
    std::free(p);
    return cudaSuccess;
}
enum cudaMemcpyKind { cudaMemcpyHostToHost = 0, cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2 };
inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind, cudaStream_t) {
    std::memcpy(dst, src, bytes);
    return cudaSuccess;
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
inline cudaError_t cudaGetLastError() { return 0; }
inline cudaError_t cudaGetDevice(int* d) { *d = 0; return 0; }
inline int emu_sms = 1;
inline cudaError_t cudaDeviceGetAttribute(int* v, int, int) { *v = emu_sms; return 0; }
inline const char* cudaGetErrorName(cudaError_t) { return "cudaSuccess"; }
inline const char* cudaGetErrorString(cudaError_t) { return "no error"; }

namespace emu {
struct Dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local Dim3 tidx, bidx;
inline Dim3 bdim, gdim;
inline std::barrier<>* block_bar = nullptr;
inline std::barrier<>* warp_bar[32];
inline uint64_t slots[32][32];
inline long launches = 0;

inline void sync_block() { block_bar->arrive_and_wait(); }

template <typename T>
T exchange(T v, int src_lane_of_this) {
    const int lane = tidx.x % 32, warp = tidx.x / 32;
    uint64_t raw = 0;
    std::memcpy(&raw, &v, sizeof(T));
    slots[warp][lane] = raw;
    warp_bar[warp]->arrive_and_wait();
    uint64_t got = slots[warp][src_lane_of_this];
    warp_bar[warp]->arrive_and_wait();
    T r;
    std::memcpy(&r, &got, sizeof(T));
    return r;
}

template <typename K>
auto launch(K kernel, int grid, int block, int shm, cudaStream_t) {
    (void)shm;
    return [=](auto... args) {
        if (grid <= 0 || block <= 0) { std::fprintf(stderr, "EMPTY GRID\n"); std::abort(); }
        ++launches;
        gdim.x = grid;
        bdim.x = block;
        for (int b = 0; b < grid; ++b) {
            std::barrier<> bb(block);
            block_bar = &bb;
            std::vector<std::unique_ptr<std::barrier<>>> wb;
            for (int w = 0; w < block / 32; ++w) { wb.emplace_back(new std::barrier<>(32)); warp_bar[w] = wb.back().get(); }
            std::vector<std::thread> ts;
            for (int t = 0; t < block; ++t) {
                ts.emplace_back([=]() { tidx.x = t; bidx.x = b; kernel(args...); });
            }
            for (auto& th : ts) th.join();
        }
    };
}
}  // namespace emu

#define threadIdx emu::tidx
#define blockIdx emu::bidx
#define blockDim emu::bdim
#define gridDim emu::gdim
#define __syncthreads() emu::sync_block()

template <typename T>
T __shfl_down_sync(unsigned, T v, int offset, int width = 32) {
    const int lane = threadIdx.x % 32;
    const int seg = lane % width;
    return emu::exchange(v, seg + offset < width ? lane + offset : lane);
}
template <typename T>
T __shfl_sync(unsigned, T v, int src, int width = 32) {
    const int lane = threadIdx.x % 32;
    return emu::exchange(v, lane - lane % width + src % width);
}
inline double __longlong_as_double(long long x) { double d; std::memcpy(&d, &x, 8); return d; }
using std::exp; using std::sqrt; using std::log;
