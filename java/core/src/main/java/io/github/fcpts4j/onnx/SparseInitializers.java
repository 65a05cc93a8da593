package io.github.fcpts4j.onnx;

import ai.onnx.proto.OnnxMl;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.TensorData;

import java.util.Arrays;

/**
 * ONNX sparse initializers (GraphProto.sparse_initializer, COO): a
 * SparseTensorProto holds the dense dims, the non-zero values (a float tensor
 * of [nnz], named like the tensor) and their positions (an int64 tensor, [nnz]
 * linear indices in row-major order, or [nnz, rank] coordinates). ONNX Runtime
 * turns them into dense tensors when it loads a model, so a pruned model
 * stored this way computes exactly what its dense form computes while the
 * file holds 12 bytes per non-zero instead of 4 per weight: smaller once more
 * than two thirds of a tensor is zero.
 */
final class SparseInitializers {
    /**
     * The most elements a sparse initializer may expand to (2^27, 512 MiB of floats; VGG-16's largest weight
     * has 103M): its file holds only the non-zeros, so its dims alone would otherwise decide an allocation.
     */
    static final long MAX_DENSE_ELEMENTS = 1L << 27;

    private SparseInitializers() {
    }

    /** Whether {@code data} takes fewer bytes as a sparse initializer (float, more than 2/3 zeros). */
    static boolean smallerWhenSparse(TensorData data) {
        if (!data.isFloat()) {
            return false;
        }
        long nonZero = 0;
        for (float v : data.floats()) {
            nonZero += v != 0f ? 1 : 0;
        }
        return nonZero * (Float.BYTES + Long.BYTES) < data.size() * Float.BYTES;
    }

    static OnnxMl.SparseTensorProto write(String name, TensorData data) {
        float[] w = data.floats();
        int nonZero = 0;
        for (float v : w) {
            nonZero += v != 0f ? 1 : 0;
        }
        float[] values = new float[nonZero];
        long[] indices = new long[nonZero];
        for (int i = 0, k = 0; i < w.length; i++) {
            if (w[i] != 0f) {
                values[k] = w[i];
                indices[k++] = i;
            }
        }
        OnnxMl.SparseTensorProto.Builder b = OnnxMl.SparseTensorProto.newBuilder()
                .setValues(OnnxTensors.write(name, TensorData.ofFloats(new long[] {nonZero}, values)))
                .setIndices(OnnxTensors.write(name + "_indices",
                        TensorData.ofLongs(DataType.INT64, new long[] {nonZero}, indices)));
        for (long d : data.dims()) {
            b.addDims(d);
        }
        return b.build();
    }

    /** The dense tensor; malformed indices are an INVALID_MODEL error naming the tensor. */
    static TensorData read(OnnxMl.SparseTensorProto sparse, String where) {
        String name = sparse.getValues().getName();
        TensorData values = OnnxTensors.read(sparse.getValues(), where);
        TensorData indices = OnnxTensors.read(sparse.getIndices(), where);
        long[] dims = sparse.getDimsList().stream().mapToLong(Long::longValue).toArray();
        if (!values.isFloat()) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": sparse initializer '" + name
                    + "' holds " + values.type() + " values; only float is supported");
        }
        long size = 1;
        for (long d : dims) {
            if (d < 0 || (d > 0 && size > MAX_DENSE_ELEMENTS / d)) {
                throw new FcptsException(d < 0 ? ErrorCode.INVALID_MODEL : ErrorCode.UNSUPPORTED_MODEL, where
                        + ": sparse initializer '" + name + "' has dims " + Arrays.toString(dims) + (d < 0
                        ? ", a negative dimension" : ", more than the " + MAX_DENSE_ELEMENTS + " elements (512 MiB of "
                        + "floats) fcpts4j expands a sparse tensor to"));
            }
            size *= d;
        }
        long nonZero = values.size();
        boolean linear = indices.rank() == 1 && indices.size() == nonZero;
        boolean coordinates = indices.rank() == 2 && indices.dims()[0] == nonZero && indices.dims()[1] == dims.length;
        if (indices.type() != DataType.INT64 || (!linear && !coordinates)) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": sparse initializer '" + name
                    + "' has dims " + Arrays.toString(dims) + ", " + nonZero + " values and indices of shape "
                    + Arrays.toString(indices.dims()) + " (" + indices.type() + "); expected int64 [nnz] or [nnz, rank]");
        }
        float[] dense = new float[(int) size];
        float[] v = values.floats();
        long[] idx = indices.longs();
        for (int k = 0; k < nonZero; k++) {
            long at = 0;
            if (linear) {
                at = idx[k];
            } else {
                for (int r = 0; r < dims.length; r++) {
                    long c = idx[k * dims.length + r];
                    if (c < 0 || c >= dims[r]) {
                        at = -1;
                        break;
                    }
                    at = at * dims[r] + c;
                }
            }
            if (at < 0 || at >= size) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": sparse initializer '" + name
                        + "': index of value " + k + " is outside dims " + Arrays.toString(dims));
            }
            dense[(int) at] = v[k];
        }
        return TensorData.ofFloats(dims, dense);
    }
}
