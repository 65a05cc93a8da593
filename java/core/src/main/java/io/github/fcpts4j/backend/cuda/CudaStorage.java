package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;

import io.github.fcpts4j.backend.TensorStorage;

import org.bytedeco.cuda.cudart.CUstream_st;

/**
 * Device memory behind a cuda tensor, from the backend's pool and zeroed on
 * the backend's stream. Host copies go through the backend's pinned staging
 * buffer on the same stream and wait for it ({@link CudaHostStaging}): they are
 * the edges of a run.
 */
final class CudaStorage extends TensorStorage {
    private final CudaBuffer buffer;
    private final CudaHostStaging staging;

    CudaStorage(CudaMemoryPool pool, CudaHostStaging staging, CUstream_st stream, long elements, String purpose) {
        this.staging = staging;
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
        staging.upload(src, srcOffset, buffer.at(0), dstIndex * Float.BYTES, count);
    }

    @Override
    protected void read(long srcIndex, float[] dst, int dstOffset, int count) {
        staging.download(buffer.at(0), srcIndex * Float.BYTES, dst, dstOffset, count);
    }

    @Override
    public void close() {
        buffer.close();
    }
}
