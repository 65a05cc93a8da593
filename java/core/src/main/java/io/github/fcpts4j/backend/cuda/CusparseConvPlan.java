package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.backend.WindowGeometry;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A pruned convolution on the GPU: the CSR weight and bias are uploaded once
 * into pool memory, the native plan (native/include/fcpts/sparse_cuda.h) runs
 *   cols = im2col(x);  C = W_csr cols (cuSPARSE SpMM);  y = act(C + bias + residual)
 * on the backend's stream. Groups must be 1 ({@link CudaNetworkKernels#supportsSparseConv}).
 */
final class CusparseConvPlan implements NetworkKernels.SparseConvPlan {
    private final CudaNetworkKernels kernels;
    private final boolean withResidual;
    private final TensorScope owned = new TensorScope();
    private final CudaNatives.Status status;
    private CudaNatives.SparseConvHandle handle;

    CusparseConvPlan(CudaNetworkKernels kernels, WindowGeometry g, int[] rowPtr, int[] colIdx, float[] values,
                     float[] bias, boolean withResidual, ConvActivation activation, float lo, float hi) {
        this.kernels = kernels;
        this.withResidual = withResidual;
        if (g.groups() != 1) {
            throw new FcptsException(ErrorCode.NOT_IMPLEMENTED, "sparse convolution " + g + ": the cuSPARSE path "
                    + "takes groups = 1 only (run grouped convolutions dense on cuda)");
        }
        checkCsr(g, rowPtr, colIdx, values);
        try {
            loadCusparse();
            status = owned.track(new CudaNatives.Status());
            CudaBuffer rows = upload(new IntPointer(rowPtr), rowPtr.length * 4L, "CSR row pointers");
            CudaBuffer cols = upload(new IntPointer(Math.max(1, colIdx.length)).put(colIdx), colIdx.length * 4L,
                    "CSR column indices");
            CudaBuffer vals = upload(new FloatPointer(Math.max(1, values.length)).put(values), values.length * 4L,
                    "CSR values");
            CudaBuffer b = bias == null ? null : upload(new FloatPointer(bias), bias.length * 4L, "bias");
            CudaNatives.SparseConvHandle h = new CudaNatives.SparseConvHandle();
            try (LongPointer geometry = new LongPointer(g.toArray())) {
                // the plan's im2col, product and SpMM buffers are cudaMalloc'd by the native side, outside the
                // pool: after an allocation failure the pool's cache is freed and the plan built once more
                kernels.retryAfterTrim(() -> CudaKernels.check(CudaNatives.fcpts_sparse_conv_cuda_create(geometry,
                        new IntPointer(rows.at(0)), new IntPointer(cols.at(0)), vals.floats(), values.length,
                        b == null ? null : b.floats(), activation.ordinal(), lo, hi, kernels.stream(), h, status),
                        status, "fcpts_sparse_conv_cuda_create"));
            }
            handle = h;
            CudaErrors.check(cudaStreamSynchronize(kernels.stream()), "cudaStreamSynchronize after the CSR upload");
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /** The CSR checks of the CPU plan (native/src/csr_check.h), here before anything reaches the device. */
    private static void checkCsr(WindowGeometry g, int[] rowPtr, int[] colIdx, float[] values) {
        long k = g.channels() * g.kernelHeight() * g.kernelWidth();
        String where = "sparse convolution " + g + ": ";
        if (rowPtr.length != g.outChannels() + 1 || colIdx.length != values.length) {
            throw new IllegalArgumentException(where + "CSR of " + (rowPtr.length - 1) + " rows with "
                    + colIdx.length + " columns and " + values.length + " values for " + g.outChannels()
                    + " output channels");
        }
        if (rowPtr[0] != 0 || rowPtr[rowPtr.length - 1] != colIdx.length) {
            throw new IllegalArgumentException(where + "row pointers must run from 0 to " + colIdx.length);
        }
        for (int r = 0; r + 1 < rowPtr.length; r++) {
            if (rowPtr[r + 1] < rowPtr[r]) {
                throw new IllegalArgumentException(where + "row pointers decrease at row " + r);
            }
        }
        for (int i = 0; i < colIdx.length; i++) {
            if (colIdx[i] < 0 || colIdx[i] >= k) {
                throw new IllegalArgumentException(where + "column index " + colIdx[i] + " at " + i
                        + " is outside [0, " + k + ")");
            }
        }
    }

    private static void loadCusparse() {
        try {
            org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cusparse.class);
        } catch (LinkageError e) {
            // the native plan dlopens libcusparse.so.12 itself and reports a precise error if it is missing
        }
    }

    private CudaBuffer upload(Pointer host, long bytes, String what) {
        try (Pointer h = host) {
            CudaBuffer d = owned.track(kernels.buffer(bytes, what + " of a sparse convolution"));
            if (bytes > 0) {
                CudaErrors.check(cudaMemcpyAsync(d.at(0), h, bytes, cudaMemcpyHostToDevice, kernels.stream()),
                        "cudaMemcpyAsync of the " + what);
            }
            // the host copy is freed when this returns: wait for the copy to leave it
            CudaErrors.check(cudaStreamSynchronize(kernels.stream()), "cudaStreamSynchronize after the " + what);
            return d;
        }
    }

    @Override
    public void forward(Tensor x, Tensor residual, Tensor y) {
        if (handle == null) {
            throw new IllegalStateException("sparse convolution plan used after close()");
        }
        if ((residual != null) != withResidual) {
            throw new IllegalArgumentException("sparse convolution plan " + (withResidual ? "needs" : "takes no")
                    + " residual input");
        }
        CudaKernels.check(CudaNatives.fcpts_sparse_conv_cuda_forward(handle, CudaNetworkKernels.dev(x),
                CudaNetworkKernels.dev(residual), CudaNetworkKernels.dev(y), status), status,
                "fcpts_sparse_conv_cuda_forward");
    }

    @Override
    public void close() {
        CudaNatives.SparseConvHandle h = handle;
        handle = null;
        if (h != null) {
            CudaNatives.fcpts_sparse_conv_cuda_destroy(h);
        }
        owned.close();
    }
}
