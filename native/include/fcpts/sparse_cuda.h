/*
 * C ABI of the GPU sparse convolution of libfcpts_cuda (sparse runtime on the
 * cuda backend): a plan built once per layer that runs
 *   cols = im2col(x)                          [c kh kw, n oh ow]   (fcpts_im2col_cuda)
 *   C    = W_csr * cols                       [oc, n oh ow]        (cuSPARSE SpMM, CSR_ALG2, row-major)
 *   y    = act(C^T-by-image + bias + residual) [n, oc, oh, ow]    (fcpts_sparse_epilogue_cuda)
 * A 1x1, stride-1, unpadded convolution of a single image skips im2col (x is
 * already [c, h w]). Groups must be 1. Non-finite inputs give NaN wherever the
 * dense sum would (a zero weight, not stored, times Inf / NaN), as on the CPU;
 * columns must be unique within a row (see sparse_conv_cuda.cu).
 *
 * cuSPARSE's generic API (cusparseCreateCsr / CreateDnMat / SpMM) is not part
 * of the org.bytedeco presets, and the build machine has no cuSPARSE headers:
 * the plan resolves those functions at run time with dlopen("libcusparse.so.12")
 * (the copy the presets already loaded, or the one on the library path) and
 * declares their stable C signatures itself. A missing library is a typed
 * FCPTS_CUDA_ERROR naming it, never a crash.
 *
 * rows (oc + 1), cols and vals (nnz) are DEVICE arrays owned by the caller and
 * must outlive the plan; bias (oc) is a device array or NULL. The plan owns its
 * cuSPARSE handle, descriptors, im2col buffer, product buffer and workspace
 * (cudaMalloc'd; freed by destroy). Everything runs on `stream`.
 */
#ifndef FCPTS_SPARSE_CUDA_H
#define FCPTS_SPARSE_CUDA_H

#include <stdint.h>

#include "fcpts/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fcpts_sparse_conv_cuda fcpts_sparse_conv_cuda;

/* geometry: host int64[FCPTS_GEOMETRY_LEN] (fcpts/ops_cpu.h); activation: enum fcpts_activation. */
int fcpts_sparse_conv_cuda_create(const int64_t* geometry, const int32_t* rows, const int32_t* cols,
                                  const float* vals, int64_t nnz, const float* bias, int32_t activation, float lo,
                                  float hi, void* stream, fcpts_sparse_conv_cuda** plan, fcpts_status* status);

/* y = act(conv(x) + bias + residual); residual NULL unless the chain has one. */
int fcpts_sparse_conv_cuda_forward(fcpts_sparse_conv_cuda* plan, const float* x, const float* residual, float* y,
                                   fcpts_status* status);

void fcpts_sparse_conv_cuda_destroy(fcpts_sparse_conv_cuda* plan);

#ifdef __cplusplus
}
#endif

#endif /* FCPTS_SPARSE_CUDA_H */
