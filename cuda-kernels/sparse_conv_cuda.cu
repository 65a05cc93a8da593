/*
 * Sparse convolution on the GPU through cuSPARSE SpMM (contract: fcpts/sparse_cuda.h).
 *
 *   cols[K, P] = im2col(x),  K = c kh kw,  P = n oh ow           (fcpts_im2col_cuda)
 *   C[oc, P]   = W_csr[oc, K] * cols[K, P]                        (cusparseSpMM, CSR_ALG2, row-major B / C)
 *   y[b, o, s] = act(C[o, b oh ow + s] + bias[o] + residual[b, o, s])   (fcpts_sparse_epilogue_cuda)
 *
 * Non-finite inputs (the CPU twin's rule, native/src/sparse_cpu.cpp): the dense sum has 0 * Inf = 0 * NaN = NaN
 * for every weight the CSR does not store. nonfinite_flag_kernel reads x once per call and stores the call's
 * epoch in a device flag when x holds Inf or NaN; zero_weight_nan_kernel then (and only then: its threads
 * return at once when the flag holds an older epoch) sets C[o, p] = NaN where column p of cols holds more
 * non-finite entries than row o's stored columns read (columns unique within a row). act(NaN) is NaN, so the
 * epilogue keeps it. The epoch, a host counter, spares a memset per call.
 *
 * Cost: SpMM reads nnz weights and nnz * P / (rows touched) columns of cols; at 90 % sparsity the product does
 * a tenth of the dense FLOPs. im2col writes K * P floats (kh kw times the input), which is what cuDNN's
 * implicit GEMM avoids; the 1x1 / stride 1 / pad 0 / single-image case reads x in place.
 *
 * cuSPARSE's generic API is resolved with dlopen / dlsym (the presets do not map it and there are no
 * cuSPARSE headers at build time): the typedefs below are the stable C ABI of cusparse.h (CUDA 11 to 13),
 * enums passed as int.
 */
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <new>

#include "fcpts/ops_cuda.h"
#include "fcpts/ops_math.h"
#include "fcpts/sparse_cuda.h"
#include "launch_util.cuh"

namespace {

/* ---- the slice of cusparse.h this file needs ---- */
typedef void* cusparse_handle;
typedef void* cusparse_sp_mat;
typedef void* cusparse_dn_mat;
typedef int (*create_fn)(cusparse_handle*);
typedef int (*destroy_fn)(cusparse_handle);
typedef int (*set_stream_fn)(cusparse_handle, cudaStream_t);
typedef int (*create_csr_fn)(cusparse_sp_mat*, int64_t, int64_t, int64_t, void*, void*, void*, int, int, int, int);
typedef int (*create_dn_mat_fn)(cusparse_dn_mat*, int64_t, int64_t, int64_t, void*, int, int);
typedef int (*destroy_sp_mat_fn)(cusparse_sp_mat);
typedef int (*destroy_dn_mat_fn)(cusparse_dn_mat);
typedef int (*dn_mat_set_values_fn)(cusparse_dn_mat, void*);
typedef int (*spmm_buffer_size_fn)(cusparse_handle, int, int, const void*, cusparse_sp_mat, cusparse_dn_mat,
                                   const void*, cusparse_dn_mat, int, int, size_t*);
typedef int (*spmm_fn)(cusparse_handle, int, int, const void*, cusparse_sp_mat, cusparse_dn_mat, const void*,
                       cusparse_dn_mat, int, int, void*);
typedef const char* (*error_name_fn)(int);

constexpr int kIndex32 = 2;          /* CUSPARSE_INDEX_32I */
constexpr int kBaseZero = 0;         /* CUSPARSE_INDEX_BASE_ZERO */
constexpr int kReal32 = 0;           /* CUDA_R_32F */
constexpr int kOrderRow = 2;         /* CUSPARSE_ORDER_ROW */
constexpr int kNoTranspose = 0;      /* CUSPARSE_OPERATION_NON_TRANSPOSE */
constexpr int kCsrAlg2 = 6;          /* CUSPARSE_SPMM_CSR_ALG2: row-major dense operands */

struct cusparse_api {
    void* library = nullptr;
    create_fn create = nullptr;
    destroy_fn destroy = nullptr;
    set_stream_fn set_stream = nullptr;
    create_csr_fn create_csr = nullptr;
    create_dn_mat_fn create_dn_mat = nullptr;
    destroy_sp_mat_fn destroy_sp_mat = nullptr;
    destroy_dn_mat_fn destroy_dn_mat = nullptr;
    dn_mat_set_values_fn dn_mat_set_values = nullptr;
    spmm_buffer_size_fn spmm_buffer_size = nullptr;
    spmm_fn spmm_preprocess = nullptr;
    spmm_fn spmm = nullptr;
    error_name_fn error_name = nullptr;
};

template <typename F>
bool resolve(void* library, const char* name, F* out) {
    *out = reinterpret_cast<F>(dlsym(library, name));
    return *out != nullptr;
}

/* Loads libcusparse once; on failure names the library or symbol in *status. */
const cusparse_api* load_cusparse(fcpts_status* status) {
    static cusparse_api api;
    static bool loaded = false;
    if (loaded) return &api;
    void* lib = dlopen("libcusparse.so.12", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        const char* why = dlerror();
        fcpts_status_set(status, FCPTS_CUDA_ERROR, -1, __FILE__, __LINE__, "dlopen", 0,
                         "cuSPARSE could not be loaded (libcusparse.so.12 must be on the library path): %s",
                         why ? why : "unknown reason");
        return nullptr;
    }
    const char* missing = nullptr;
    if (!resolve(lib, "cusparseCreate", &api.create)) missing = "cusparseCreate";
    else if (!resolve(lib, "cusparseDestroy", &api.destroy)) missing = "cusparseDestroy";
    else if (!resolve(lib, "cusparseSetStream", &api.set_stream)) missing = "cusparseSetStream";
    else if (!resolve(lib, "cusparseCreateCsr", &api.create_csr)) missing = "cusparseCreateCsr";
    else if (!resolve(lib, "cusparseCreateDnMat", &api.create_dn_mat)) missing = "cusparseCreateDnMat";
    else if (!resolve(lib, "cusparseDestroySpMat", &api.destroy_sp_mat)) missing = "cusparseDestroySpMat";
    else if (!resolve(lib, "cusparseDestroyDnMat", &api.destroy_dn_mat)) missing = "cusparseDestroyDnMat";
    else if (!resolve(lib, "cusparseDnMatSetValues", &api.dn_mat_set_values)) missing = "cusparseDnMatSetValues";
    else if (!resolve(lib, "cusparseSpMM_bufferSize", &api.spmm_buffer_size)) missing = "cusparseSpMM_bufferSize";
    else if (!resolve(lib, "cusparseSpMM_preprocess", &api.spmm_preprocess)) missing = "cusparseSpMM_preprocess";
    else if (!resolve(lib, "cusparseSpMM", &api.spmm)) missing = "cusparseSpMM";
    else if (!resolve(lib, "cusparseGetErrorName", &api.error_name)) missing = "cusparseGetErrorName";
    if (missing) {
        fcpts_status_set(status, FCPTS_CUDA_ERROR, -1, __FILE__, __LINE__, "dlsym", 0,
                         "libcusparse.so.12 has no symbol %s", missing);
        dlclose(lib);
        return nullptr;
    }
    api.library = lib;
    loaded = true;
    return &api;
}

}  // namespace

struct fcpts_sparse_conv_cuda {
    const cusparse_api* api = nullptr;
    cusparse_handle handle = nullptr;
    cusparse_sp_mat a = nullptr;
    cusparse_dn_mat b = nullptr;
    cusparse_dn_mat c = nullptr;
    int64_t geometry[FCPTS_GEOMETRY_LEN] = {};
    const float* bias = nullptr;
    int32_t activation = 0;
    float lo = 0.0f, hi = 0.0f;
    cudaStream_t stream = nullptr;
    bool direct = false;          /* 1x1, stride 1, no pad, one image: B is x itself */
    float* cols = nullptr;        /* [K, P] unless direct */
    float* product = nullptr;     /* [oc, P] */
    void* workspace = nullptr;
    const int32_t* rows = nullptr;  /* the caller's device CSR (row offsets [oc + 1], columns [nnz]) */
    const int32_t* csr_cols = nullptr;
    unsigned* flag = nullptr;     /* device: the epoch of the last call whose x held Inf or NaN */
    unsigned epoch = 0;
};

namespace {

#define CUSPARSE_CHECK(call)                                                                                 \
    do {                                                                                                     \
        const int rc_ = (call);                                                                              \
        if (rc_ != 0) {                                                                                      \
            return fcpts_status_set(status, FCPTS_CUDA_ERROR, -1, __FILE__, __LINE__,                        \
                                    plan->api->error_name(rc_), rc_, "%s failed", #call);                   \
        }                                                                                                    \
    } while (0)

int cuda_fail(fcpts_status* status, cudaError_t err, const char* what, int line) {
    const int code = err == cudaErrorMemoryAllocation ? FCPTS_OUT_OF_MEMORY : FCPTS_CUDA_ERROR;
    return fcpts_status_set(status, code, -1, __FILE__, line, cudaGetErrorName(err), (int)err, "%s: %s", what,
                            cudaGetErrorString(err));
}

int allocate(void** out, int64_t bytes, const char* what, fcpts_status* status) {
    const cudaError_t err = cudaMalloc(out, bytes > 0 ? (size_t)bytes : 1);
    if (err != cudaSuccess) {
        (void)cudaGetLastError();
        return cuda_fail(status, err, what, __LINE__);
    }
    return FCPTS_OK;
}

/* flag = epoch when any of v[0 .. n) is Inf or NaN (threads that saw one store the same value). */
__global__ void __launch_bounds__(fcpts_cuda::kThreads)
nonfinite_flag_kernel(const float* __restrict__ v, int64_t n, unsigned* flag, unsigned epoch) {
    int seen = 0;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        seen |= fcpts_nonfinite_f(v[i]);
    }
    if (seen) *flag = epoch;
}

/* c[o, q] = NaN where column q of b [k, p] holds more non-finite entries than row o's stored columns read. */
__global__ void __launch_bounds__(fcpts_cuda::kThreads)
zero_weight_nan_kernel(const int32_t* __restrict__ rows, const int32_t* __restrict__ cols, const float* __restrict__ b,
                       int64_t k, int64_t p, int64_t oc, float* __restrict__ c, const unsigned* flag, unsigned epoch) {
    if (*flag != epoch) return;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < oc * p; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t o = i / p, q = i - o * p;
        int all = 0, stored = 0;
        for (int64_t r = 0; r < k; ++r) all += fcpts_nonfinite_f(b[r * p + q]);
        if (all == 0) continue;
        for (int32_t j = rows[o]; j < rows[o + 1]; ++j) stored += fcpts_nonfinite_f(b[(int64_t)cols[j] * p + q]);
        if (all > stored) c[i] = NAN;
    }
}

int build(fcpts_sparse_conv_cuda* plan, const int32_t* rows, const int32_t* cols, const float* vals, int64_t nnz,
          fcpts_status* status) {
    const int64_t* g = plan->geometry;
    const int64_t n = g[0], c = g[1], oc = g[4], oh = g[5], ow = g[6], kh = g[7], kw = g[8];
    const int64_t k = c * kh * kw, p = n * oh * ow;
    plan->direct = kh == 1 && kw == 1 && g[9] == 1 && g[10] == 1 && g[13] == 0 && g[14] == 0 && g[15] == 0 &&
                   g[16] == 0 && n == 1;
    if (!plan->direct) {
        int rc = allocate(reinterpret_cast<void**>(&plan->cols), k * p * (int64_t)sizeof(float), "im2col buffer",
                          status);
        if (rc) return rc;
    }
    int rc = allocate(reinterpret_cast<void**>(&plan->product), oc * p * (int64_t)sizeof(float), "SpMM product",
                      status);
    if (rc) return rc;
    rc = allocate(reinterpret_cast<void**>(&plan->flag), (int64_t)sizeof(unsigned), "non-finite flag", status);
    if (rc) return rc;
    static const unsigned zero = 0;
    const cudaError_t err = cudaMemcpyAsync(plan->flag, &zero, sizeof zero, cudaMemcpyHostToDevice, plan->stream);
    if (err != cudaSuccess) return cuda_fail(status, err, "non-finite flag reset", __LINE__);
    plan->rows = rows;
    plan->csr_cols = cols;
    CUSPARSE_CHECK(plan->api->create(&plan->handle));
    CUSPARSE_CHECK(plan->api->set_stream(plan->handle, plan->stream));
    CUSPARSE_CHECK(plan->api->create_csr(&plan->a, oc, k, nnz, const_cast<int32_t*>(rows),
                                         const_cast<int32_t*>(cols), const_cast<float*>(vals), kIndex32, kIndex32,
                                         kBaseZero, kReal32));
    /* B's values are set per call (x itself when direct); any valid pointer will do for planning */
    void* b_values = plan->direct ? static_cast<void*>(plan->product) : static_cast<void*>(plan->cols);
    CUSPARSE_CHECK(plan->api->create_dn_mat(&plan->b, k, p, p, b_values, kReal32, kOrderRow));
    CUSPARSE_CHECK(plan->api->create_dn_mat(&plan->c, oc, p, p, plan->product, kReal32, kOrderRow));
    const float alpha = 1.0f, beta = 0.0f;
    size_t workspace = 0;
    CUSPARSE_CHECK(plan->api->spmm_buffer_size(plan->handle, kNoTranspose, kNoTranspose, &alpha, plan->a, plan->b,
                                               &beta, plan->c, kReal32, kCsrAlg2, &workspace));
    rc = allocate(&plan->workspace, (int64_t)workspace, "SpMM workspace", status);
    if (rc) return rc;
    if (!plan->direct) {
        CUSPARSE_CHECK(plan->api->spmm_preprocess(plan->handle, kNoTranspose, kNoTranspose, &alpha, plan->a,
                                                  plan->b, &beta, plan->c, kReal32, kCsrAlg2, plan->workspace));
    }
    return FCPTS_OK;
}

}  // namespace

extern "C" int fcpts_sparse_conv_cuda_create(const int64_t* geometry, const int32_t* rows, const int32_t* cols,
                                             const float* vals, int64_t nnz, const float* bias, int32_t activation,
                                             float lo, float hi, void* stream, fcpts_sparse_conv_cuda** out,
                                             fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE_ACTIVATION(status, activation);
    FCPTS_REQUIRE(status, geometry && rows && out, -1, "NULL argument");
    FCPTS_REQUIRE(status, nnz == 0 || (cols && vals), -1, "NULL column or value array for %lld stored weights",
                  (long long)nnz);
    FCPTS_REQUIRE(status, geometry[17] == 1, 17, "groups must be 1 for the cuSPARSE path, got %lld",
                  (long long)geometry[17]);
    for (int i = 0; i < FCPTS_GEOMETRY_LEN; ++i) {
        FCPTS_REQUIRE(status, geometry[i] >= 0, i, "geometry entry %d is negative", i);
    }
    *out = nullptr;
    const cusparse_api* api = load_cusparse(status);
    if (!api) return status ? status->code : FCPTS_CUDA_ERROR;
    fcpts_sparse_conv_cuda* plan = new (std::nothrow) fcpts_sparse_conv_cuda();
    if (!plan) FCPTS_FAIL(status, FCPTS_OUT_OF_MEMORY, -1, "host allocation of the sparse conv plan failed");
    plan->api = api;
    for (int i = 0; i < FCPTS_GEOMETRY_LEN; ++i) plan->geometry[i] = geometry[i];
    plan->bias = bias;
    plan->activation = activation;
    plan->lo = lo;
    plan->hi = hi;
    plan->stream = static_cast<cudaStream_t>(stream);
    const int rc = build(plan, rows, cols, vals, nnz, status);
    if (rc != FCPTS_OK) {
        fcpts_sparse_conv_cuda_destroy(plan);
        return rc;
    }
    *out = plan;
    return FCPTS_OK;
}

extern "C" int fcpts_sparse_conv_cuda_forward(fcpts_sparse_conv_cuda* plan, const float* x, const float* residual,
                                              float* y, fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, plan && x && y, -1, "NULL argument");
    const int64_t* g = plan->geometry;
    const float alpha = 1.0f, beta = 0.0f;
    plan->epoch = plan->epoch + 1 == 0 ? 1 : plan->epoch + 1;
    const int64_t in = g[0] * g[1] * g[2] * g[3], k = g[1] * g[7] * g[8], p = g[0] * g[5] * g[6];
    using fcpts_cuda::grid_for;
    using fcpts_cuda::kThreads;
    nonfinite_flag_kernel<<<grid_for(in, kThreads), kThreads, 0, plan->stream>>>(x, in, plan->flag, plan->epoch);
    int rc = FCPTS_CHECK_LAUNCH(status, "nonfinite_flag_kernel launch");
    if (rc != FCPTS_OK) return rc;
    if (plan->direct) {
        CUSPARSE_CHECK(plan->api->dn_mat_set_values(plan->b, const_cast<float*>(x)));
    } else {
        rc = fcpts_im2col_cuda(g, x, plan->cols, plan->stream, status);
        if (rc != FCPTS_OK) return rc;
    }
    CUSPARSE_CHECK(plan->api->spmm(plan->handle, kNoTranspose, kNoTranspose, &alpha, plan->a, plan->b, &beta,
                                   plan->c, kReal32, kCsrAlg2, plan->workspace));
    const float* b = plan->direct ? x : plan->cols;
    zero_weight_nan_kernel<<<grid_for(g[4] * p, kThreads), kThreads, 0, plan->stream>>>(
        plan->rows, plan->csr_cols, b, k, p, g[4], plan->product, plan->flag, plan->epoch);
    rc = FCPTS_CHECK_LAUNCH(status, "zero_weight_nan_kernel launch");
    if (rc != FCPTS_OK) return rc;
    return fcpts_sparse_epilogue_cuda(plan->product, plan->bias, residual, g[0], g[4], g[5] * g[6],
                                      plan->activation, plan->lo, plan->hi, y, plan->stream, status);
}

extern "C" void fcpts_sparse_conv_cuda_destroy(fcpts_sparse_conv_cuda* plan) {
    if (!plan) return;
    if (plan->api) {
        if (plan->a) plan->api->destroy_sp_mat(plan->a);
        if (plan->b) plan->api->destroy_dn_mat(plan->b);
        if (plan->c) plan->api->destroy_dn_mat(plan->c);
        if (plan->handle) plan->api->destroy(plan->handle);
    }
    cudaFree(plan->cols);
    cudaFree(plan->workspace);
    cudaFree(plan->product);
    cudaFree(plan->flag);
    delete plan;
}
