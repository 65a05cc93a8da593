package io.github.fcpts4j.backend.cuda;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * An index map on the GPU (see {@link NetworkKernels.IndexMapPlan}): the native plan of
 * cuda-kernels/index_map_ops.cu (fcpts_index_map_cuda* of native/include/fcpts/ops_cuda.h) checks the map
 * exactly as the CPU plan does, builds the transposed map on the host and copies both into device buffers it
 * owns (cudaMalloc'd outside the pool, like the cuSPARSE plan's: after an out-of-memory failure the pool's
 * cache is freed and the plan built once more), plus the argmax buffer of a MAX map. Forward and backward run
 * on the backend's stream and give the CPU plan's bits. Close is idempotent; use after close throws.
 */
final class CudaIndexMapPlan implements NetworkKernels.IndexMapPlan {
    /** enum fcpts_index_map_mode of native/include/fcpts/index_map_math.h. */
    private static final int MODE_SUM = 0, MODE_MAX = 1;
    private final long inElements, outElements;
    private final CudaNatives.Status status = new CudaNatives.Status();
    private CudaNatives.IndexMapHandle handle;

    CudaIndexMapPlan(CudaNetworkKernels kernels, long outer, long inSize, long outSize, int[] rowPtr, int[] cols,
                     float[] weights, float fill, boolean max) {
        NetworkKernels.checkIndexMap(outer, inSize, outSize, rowPtr, cols, weights);
        this.inElements = outer * inSize;
        this.outElements = outer * outSize;
        CudaNatives.IndexMapHandle h = new CudaNatives.IndexMapHandle();
        try (IntPointer rp = new IntPointer(rowPtr);
             IntPointer c = new IntPointer(Math.max(1, cols.length)).put(cols);
             FloatPointer w = weights == null ? null : new FloatPointer(Math.max(1, weights.length)).put(weights)) {
            // create copies the host arrays to the device and waits for the copies before returning
            kernels.retryAfterTrim(() -> CudaKernels.check(CudaNatives.fcpts_index_map_cuda_create(outer, inSize,
                    outSize, rp, c, w, cols.length, fill, max ? MODE_MAX : MODE_SUM, kernels.stream(), h, status),
                    status, "fcpts_index_map_cuda_create"));
        } catch (RuntimeException e) {
            status.close();
            throw e;
        }
        this.handle = h;
    }

    private CudaNatives.IndexMapHandle live() {
        if (handle == null) {
            throw new IllegalStateException("index map plan used after close()");
        }
        return handle;
    }

    private static FloatPointer dev(Tensor t, long elements, String what) {
        if (t.size() != elements) {
            throw new IllegalArgumentException("index map " + what + ": " + t + " is not " + elements + " elements");
        }
        return CudaNetworkKernels.dev(t);
    }

    @Override
    public void forward(Tensor x, Tensor y) {
        CudaNatives.IndexMapHandle h = live();
        CudaKernels.check(CudaNatives.fcpts_index_map_cuda_forward(h, dev(x, inElements, "x"),
                dev(y, outElements, "y"), status), status, "fcpts_index_map_cuda_forward");
    }

    @Override
    public void backward(Tensor dy, Tensor dx) {
        CudaNatives.IndexMapHandle h = live();
        CudaKernels.check(CudaNatives.fcpts_index_map_cuda_backward(h, dev(dy, outElements, "dy"),
                dev(dx, inElements, "dx"), status), status, "fcpts_index_map_cuda_backward");
    }

    @Override
    public void close() {
        CudaNatives.IndexMapHandle h = handle;
        handle = null;
        if (h != null) {
            CudaNatives.fcpts_index_map_cuda_destroy(h);
            status.close();
        }
    }
}
