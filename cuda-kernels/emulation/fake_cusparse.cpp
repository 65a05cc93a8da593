/*
 * A host-side stand-in for libcusparse.so.12 (TEST ONLY): the dozen generic-API entry points that
 * cuda-kernels/sparse_conv_cuda.cu resolves with dlsym, with the C signatures it declares, computing
 *   C[rows_a, cols_b] = alpha * A_csr[rows_a, k] * B[k, cols_b] + beta * C      (row-major B and C)
 * on host memory in double. Every argument the plan relies on is checked (index and value types, index base,
 * row-major order, leading dimensions, operand shapes, the CSR_ALG2 algorithm, non-transposed operands) and a
 * mismatch returns CUSPARSE_STATUS_INVALID_VALUE (3). It lets the emulation test run the sparse convolution
 * plan end to end (im2col, SpMM, epilogue) against the CPU sparse kernel; it says nothing about the real
 * library's ABI, which the declarations in sparse_conv_cuda.cu follow from cusparse.h.
 */
#include <cstdint>
#include <cstdlib>

namespace {

constexpr int kOk = 0, kInvalid = 3;

struct Csr {
    int64_t rows, cols, nnz;
    const int32_t* row_ptr;
    const int32_t* col_idx;
    const float* values;
};

struct Dense {
    int64_t rows, cols, ld;
    float* values;
};

}  // namespace

extern "C" {

int cusparseCreate(void** handle) {
    *handle = reinterpret_cast<void*>(0x1);
    return kOk;
}

int cusparseDestroy(void*) { return kOk; }

int cusparseSetStream(void*, void*) { return kOk; }

int cusparseCreateCsr(void** out, int64_t rows, int64_t cols, int64_t nnz, void* row_ptr, void* col_idx,
                      void* values, int row_type, int col_type, int base, int value_type) {
    if (row_type != 2 || col_type != 2 || base != 0 || value_type != 0 || rows < 0 || cols < 0 || nnz < 0) {
        return kInvalid;
    }
    *out = new Csr{rows, cols, nnz, static_cast<int32_t*>(row_ptr), static_cast<int32_t*>(col_idx),
                   static_cast<float*>(values)};
    return kOk;
}

int cusparseCreateDnMat(void** out, int64_t rows, int64_t cols, int64_t ld, void* values, int value_type,
                        int order) {
    if (value_type != 0 || order != 2 || ld < cols) {
        return kInvalid;
    }
    *out = new Dense{rows, cols, ld, static_cast<float*>(values)};
    return kOk;
}

int cusparseDestroySpMat(void* m) {
    delete static_cast<Csr*>(m);
    return kOk;
}

int cusparseDestroyDnMat(void* m) {
    delete static_cast<Dense*>(m);
    return kOk;
}

int cusparseDnMatSetValues(void* m, void* values) {
    static_cast<Dense*>(m)->values = static_cast<float*>(values);
    return kOk;
}

static int check(int op_a, int op_b, void* a, void* b, void* c, int compute, int alg) {
    const Csr* A = static_cast<Csr*>(a);
    const Dense* B = static_cast<Dense*>(b);
    const Dense* C = static_cast<Dense*>(c);
    if (op_a != 0 || op_b != 0 || compute != 0 || alg != 6 || A->cols != B->rows || A->rows != C->rows ||
        B->cols != C->cols) {
        return kInvalid;
    }
    return kOk;
}

int cusparseSpMM_bufferSize(void*, int op_a, int op_b, const void*, void* a, void* b, const void*, void* c,
                            int compute, int alg, size_t* bytes) {
    *bytes = 256;
    return check(op_a, op_b, a, b, c, compute, alg);
}

int cusparseSpMM_preprocess(void*, int op_a, int op_b, const void*, void* a, void* b, const void*, void* c,
                            int compute, int alg, void* buffer) {
    return buffer ? check(op_a, op_b, a, b, c, compute, alg) : kInvalid;
}

int cusparseSpMM(void*, int op_a, int op_b, const void* alpha, void* a, void* b, const void* beta, void* c,
                 int compute, int alg, void* buffer) {
    const int rc = buffer ? check(op_a, op_b, a, b, c, compute, alg) : kInvalid;
    if (rc != kOk) return rc;
    const Csr* A = static_cast<Csr*>(a);
    const Dense* B = static_cast<Dense*>(b);
    Dense* C = static_cast<Dense*>(c);
    const double al = *static_cast<const float*>(alpha), be = *static_cast<const float*>(beta);
    for (int64_t r = 0; r < A->rows; ++r) {
        for (int64_t j = 0; j < C->cols; ++j) {
            double acc = 0;
            for (int32_t q = A->row_ptr[r]; q < A->row_ptr[r + 1]; ++q) {
                acc += (double)A->values[q] * B->values[(int64_t)A->col_idx[q] * B->ld + j];
            }
            float* out = &C->values[r * C->ld + j];
            *out = (float)(al * acc + (be == 0 ? 0.0 : be * *out));
        }
    }
    return kOk;
}

const char* cusparseGetErrorName(int status) {
    return status == kInvalid ? "CUSPARSE_STATUS_INVALID_VALUE" : "CUSPARSE_STATUS_FAKE";
}

}  // extern "C"
