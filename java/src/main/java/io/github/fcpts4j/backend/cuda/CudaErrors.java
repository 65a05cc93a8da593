package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import org.bytedeco.javacpp.SizeTPointer;

/** Checks a cudaError_t from the presets' cudart and throws the typed exception with its name and code. */
final class CudaErrors {
    private CudaErrors() {
    }

    /** @param call the CUDA call and what it was for, e.g. "cudaMalloc(12 MB for a tensor [3, 1024])" */
    static void check(int error, String call) {
        if (error == cudaSuccess) {
            return;
        }
        String detail = cudaGetErrorString(error).getString();
        if (error == cudaErrorMemoryAllocation) {
            detail += "; " + freeMemory();
        }
        throw new FcptsException(error == cudaErrorMemoryAllocation ? ErrorCode.OUT_OF_MEMORY : ErrorCode.CUDA_ERROR,
                call + " failed: " + detail, cudaGetErrorName(error).getString(), error, call, null);
    }

    private static String freeMemory() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            if (cudaMemGetInfo(free, total) != cudaSuccess) {
                return "free device memory unknown";
            }
            return String.format("%.1f MiB free of %.1f MiB", free.get() / 1048576.0, total.get() / 1048576.0);
        }
    }
}
