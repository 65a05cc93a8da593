package io.github.fcpts4j.sparse;

import java.util.Arrays;

/**
 * A pruned weight in CSR form (sparse runtime, issue 5): row = output channel,
 * column = input channel (within its group) x kernel position, 32-bit indices,
 * float32 values; exact zeros are not stored. Built once per layer.
 *
 * @param rows    output channels
 * @param columns weights per output channel (c_in / groups x k_h x k_w, or the input features of a Gemm)
 * @param rowPtr  [rows + 1] offsets into colIdx / values
 * @param colIdx  [nnz] column of each stored weight, ascending within a row
 * @param values  [nnz]
 */
public record CsrMatrix(int rows, int columns, int[] rowPtr, int[] colIdx, float[] values) {

    /** The non-zeros of a row-major [rows, columns] matrix. */
    public static CsrMatrix of(float[] dense, int rows, int columns) {
        if ((long) rows * columns != dense.length) {
            throw new IllegalArgumentException(rows + " x " + columns + " does not match " + dense.length
                    + " weights");
        }
        int nnz = 0;
        for (float v : dense) {
            nnz += v != 0f ? 1 : 0;
        }
        int[] rowPtr = new int[rows + 1], colIdx = new int[nnz];
        float[] values = new float[nnz];
        int p = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                float v = dense[r * columns + c];
                if (v != 0f) {
                    colIdx[p] = c;
                    values[p++] = v;
                }
            }
            rowPtr[r + 1] = p;
        }
        return new CsrMatrix(rows, columns, rowPtr, colIdx, values);
    }

    /** Stored weights. */
    public int nonZeros() {
        return values.length;
    }

    /** Fraction of zeros. */
    public double sparsity() {
        long all = (long) rows * columns;
        return all == 0 ? 0 : 1.0 - (double) values.length / all;
    }

    /** The dense row-major matrix again. */
    public float[] toDense() {
        float[] out = new float[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                out[r * columns + colIdx[p]] = values[p];
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CsrMatrix m && m.rows == rows && m.columns == columns && Arrays.equals(m.rowPtr, rowPtr)
                && Arrays.equals(m.colIdx, colIdx) && Arrays.equals(m.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rowPtr) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "CsrMatrix[" + rows + " x " + columns + ", nnz " + values.length + "]";
    }
}
