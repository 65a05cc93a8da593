package io.github.fcpts4j.backend;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

/**
 * Configuration handed to a backend when it is opened.
 *
 * @param cpuThreads  OpenMP threads of the CPU backend; 0 means the runtime default (all cores)
 * @param cudaDevice  CUDA device ordinal for the cuda backend
 * @param allowTf32   let cuDNN / cuBLAS use TF32 tensor cores for float32 work on the cuda backend (faster,
 *                    about 1e-3 relative error); off by default: float32 math
 */
public record BackendOptions(int cpuThreads, int cudaDevice, boolean allowTf32) {

    public BackendOptions {
        if (cpuThreads < 0) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cpuThreads must be >= 0 (0 = all cores), got "
                    + cpuThreads);
        }
        if (cudaDevice < 0) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cudaDevice must be >= 0, got " + cudaDevice);
        }
    }

    public static BackendOptions defaults() {
        return new BackendOptions(0, 0, false);
    }

    public BackendOptions withCpuThreads(int threads) {
        return new BackendOptions(threads, cudaDevice, allowTf32);
    }

    public BackendOptions withCudaDevice(int device) {
        return new BackendOptions(cpuThreads, device, allowTf32);
    }

    public BackendOptions withTf32(boolean allow) {
        return new BackendOptions(cpuThreads, cudaDevice, allow);
    }
}
