/*
 * FCPTS_HD: the qualifier of per-element math shared verbatim by the CPU
 * kernels (C++) and the CUDA kernels (nvcc): __host__ __device__ inline under
 * nvcc, static always-inline otherwise.
 */
#ifndef FCPTS_HD_H
#define FCPTS_HD_H

#if defined(__CUDACC__)
#define FCPTS_HD __host__ __device__ __forceinline__
#else
#define FCPTS_HD static inline __attribute__((always_inline))
#endif

#endif /* FCPTS_HD_H */
