package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;

import io.github.fcpts4j.backend.TensorStorage;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Device memory behind a cuda tensor, from the backend's pool and zeroed on
 * the backend's stream. Host copies go through a pageable staging buffer and
 * synchronous cudaMemcpy on the legacy default stream, which waits for the
 * backend's (blocking) stream: they are the edges of a run.
 */
final class CudaStorage extends TensorStorage {
    private final CudaBuffer buffer;

    CudaStorage(CudaMemoryPool pool, CUstream_st stream, long elements, String purpose) {
        this.buffer = new CudaBuffer(pool, elements * Float.BYTES, purpose);
        try {
            CudaErrors.check(cudaMemsetAsync(buffer.at(0), 0, buffer.bytes(), stream),
                    "cudaMemsetAsync(" + purpose + ")");
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
    }

    CudaBuffer buffer() {
        return buffer;
    }

    @Override
    protected void write(float[] src, int srcOffset, long dstIndex, int count) {
        try (FloatPointer staging = new FloatPointer(Math.max(1, count))) {
            staging.put(src, srcOffset, count);
            CudaErrors.check(cudaMemcpy(buffer.at(dstIndex * Float.BYTES), staging, (long) count * Float.BYTES,
                    cudaMemcpyHostToDevice), "cudaMemcpy host to device (" + count + " floats)");
        }
    }

    @Override
    protected void read(long srcIndex, float[] dst, int dstOffset, int count) {
        try (FloatPointer staging = new FloatPointer(Math.max(1, count))) {
            CudaErrors.check(cudaMemcpy(staging, buffer.at(srcIndex * Float.BYTES), (long) count * Float.BYTES,
                    cudaMemcpyDeviceToHost), "cudaMemcpy device to host (" + count + " floats)");
            staging.get(dst, dstOffset, count);
        }
    }

    @Override
    public void close() {
        buffer.close();
    }
}
