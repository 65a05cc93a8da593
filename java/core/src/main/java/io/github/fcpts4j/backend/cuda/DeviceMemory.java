package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;

import org.bytedeco.javacpp.Pointer;

/**
 * Raw device allocations under {@link CudaMemoryPool}: cudaMalloc / cudaFree in
 * production ({@link #CUDA}); the pool's tests substitute a host-side fake so
 * that its caching, retry and accounting run without a GPU.
 */
interface DeviceMemory {

    /** A block of exactly {@code bytes}; 0 when the device is out of memory; throws for any other failure. */
    long malloc(long bytes, String purpose);

    void free(long address, long bytes);

    /** The device's free and total memory, for an out-of-memory message. */
    String freeMemory();

    DeviceMemory CUDA = new DeviceMemory() {
        @Override
        public long malloc(long bytes, String purpose) {
            Pointer p = new Pointer();
            int rc = cudaMalloc(p, bytes);
            if (rc == cudaErrorMemoryAllocation) {
                cudaGetLastError();   // clear the recorded allocation error
                return 0;
            }
            CudaErrors.check(rc, "cudaMalloc(" + bytes + " bytes for " + purpose + ")");
            return p.address();
        }

        @Override
        public void free(long address, long bytes) {
            CudaErrors.check(cudaFree(new DeviceAddress(address)), "cudaFree(" + bytes + " bytes)");
        }

        @Override
        public String freeMemory() {
            return CudaErrors.freeMemory();
        }
    };
}
