package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import org.bytedeco.javacpp.SizeTPointer;

/**
 * Checks the status codes of the CUDA runtime, cuDNN and cuBLAS (called through
 * the org.bytedeco presets) and throws the typed exception with the library's
 * error name and code. An allocation failure becomes {@code OUT_OF_MEMORY} with
 * the device's free memory; everything else {@code CUDA_ERROR}.
 */
final class CudaErrors {
    /** CUDNN_STATUS_ALLOC_FAILED (cudnn 9) and CUBLAS_STATUS_ALLOC_FAILED. */
    private static final int CUDNN_ALLOC_FAILED = 4003, CUBLAS_ALLOC_FAILED = 3;

    private CudaErrors() {
    }

    /** @param call the CUDA call and what it was for, e.g. "cudaMalloc(12 MB for a tensor [3, 1024])" */
    static void check(int error, String call) {
        if (error == cudaSuccess) {
            return;
        }
        String detail = cudaGetErrorString(error).getString();
        boolean oom = error == cudaErrorMemoryAllocation;
        throw failure(oom, call, oom ? detail + "; " + freeMemory() : detail, cudaGetErrorName(error).getString(),
                error);
    }

    /** A cudnnStatus_t; {@code call} names the cuDNN function and the layer or shape it worked on. */
    static void checkCudnn(int status, String call) {
        if (status != 0) {
            String name = org.bytedeco.cuda.global.cudnn.cudnnGetErrorString(status).getString();
            boolean oom = status == CUDNN_ALLOC_FAILED;
            throw failure(oom, call, oom ? name + "; " + freeMemory() : name, name, status);
        }
    }

    /** A cublasStatus_t. */
    static void checkCublas(int status, String call) {
        if (status != 0) {
            String name = org.bytedeco.cuda.global.cublas.cublasGetStatusName(status).getString();
            String text = org.bytedeco.cuda.global.cublas.cublasGetStatusString(status).getString();
            boolean oom = status == CUBLAS_ALLOC_FAILED;
            throw failure(oom, call, oom ? text + "; " + freeMemory() : text, name, status);
        }
    }

    private static FcptsException failure(boolean oom, String call, String detail, String name, int code) {
        return new FcptsException(oom ? ErrorCode.OUT_OF_MEMORY : ErrorCode.CUDA_ERROR, call + " failed: " + detail,
                name, code, call, null);
    }

    /** "x MiB free of y MiB" on the current device, or why it is unknown. */
    static String freeMemory() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            if (cudaMemGetInfo(free, total) != cudaSuccess) {
                return "free device memory unknown";
            }
            return String.format("%.1f MiB free of %.1f MiB", free.get() / 1048576.0, total.get() / 1048576.0);
        }
    }
}
