/* Validation of a CSR matrix handed to the sparse plans (internal to libfcpts_cpu; sparse_cpu.cpp and
 * sparse_linear_cpu.cpp): row_ptr [rows + 1] starts at 0 and never decreases, every col_idx is in
 * [0, columns) and increases within its row (no column stored twice: the non-finite rule of the plans counts
 * a row's stored columns), col_idx and values exist when anything is stored. Fills status and returns its
 * code. */
#ifndef FCPTS_CSR_CHECK_H
#define FCPTS_CSR_CHECK_H

#include <stdint.h>

#include "fcpts/status.h"

inline int fcpts_csr_check(const int32_t* row_ptr, const int32_t* col_idx, const float* values, int64_t rows,
                           int64_t columns, fcpts_status* status) {
    FCPTS_REQUIRE(status, row_ptr != nullptr, -1, "NULL row_ptr");
    const int32_t nnz = row_ptr[rows];
    FCPTS_REQUIRE(status, row_ptr[0] == 0 && nnz >= 0, -1, "row_ptr must start at 0 (got %d) and end >= 0",
                  row_ptr[0]);
    FCPTS_REQUIRE(status, nnz == 0 || (col_idx && values), -1, "NULL col_idx or values with %d stored weights", nnz);
    for (int64_t m = 0; m < rows; ++m) {
        FCPTS_REQUIRE(status, row_ptr[m] <= row_ptr[m + 1], m, "row_ptr decreases at row %lld", (long long)m);
    }
    for (int32_t k = 0; k < nnz; ++k) {
        FCPTS_REQUIRE(status, col_idx[k] >= 0 && col_idx[k] < columns, k, "col_idx[%d] = %d outside [0, %lld)", k,
                      col_idx[k], (long long)columns);
    }
    for (int64_t m = 0; m < rows; ++m) {
        for (int32_t k = row_ptr[m] + 1; k < row_ptr[m + 1]; ++k) {
            FCPTS_REQUIRE(status, col_idx[k - 1] < col_idx[k], k,
                          "col_idx not increasing in row %lld at %d (%d after %d)", (long long)m, k, col_idx[k],
                          col_idx[k - 1]);
        }
    }
    return FCPTS_OK;
}

#endif /* FCPTS_CSR_CHECK_H */
