package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.github.fcpts4j.backend.Availability;
import io.github.fcpts4j.backend.NativeFailure;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one wrapper around {@link CudaNatives}, plus the device probe.
 *
 * <p>The probe answers "no" instead of throwing, and touches nothing that
 * needs the NVIDIA driver until the driver's device node is seen: the
 * org.bytedeco cudart classes link libcuda.so.1 and fail to load without it.
 * Order: driver node, presets' cudart (which loads libcudart.so.13), device
 * count, then libfcpts_cuda (which resolves libcudart.so.13 to that same copy),
 * then the presets' cuDNN and cuBLAS (the network operators need both; cuSPARSE
 * is loaded only by a sparse plan, which reports its absence itself).
 */
final class CudaKernels {
    private static final Path[] DRIVER_NODES = {Path.of("/dev/nvidiactl"), Path.of("/proc/driver/nvidia/version")};

    private CudaKernels() {
    }

    static Availability probe(int device) {
        boolean driver = false;
        for (Path node : DRIVER_NODES) {
            driver |= Files.exists(node);
        }
        if (!driver) {
            return Availability.no("no NVIDIA driver on this machine (neither /dev/nvidiactl nor "
                    + "/proc/driver/nvidia exists)");
        }
        try {
            Loader.load(org.bytedeco.cuda.global.cudart.class);
        } catch (LinkageError | RuntimeException e) {
            return Availability.no("the CUDA runtime (org.bytedeco:cuda presets) could not be loaded: " + e);
        }
        int[] count = new int[1];
        int error = cudaGetDeviceCount(count);
        if (error != cudaSuccess) {
            return Availability.no("cudaGetDeviceCount failed: " + cudaGetErrorName(error).getString());
        }
        if (device >= count[0]) {
            return Availability.no("CUDA device " + device + " requested, " + count[0] + " present");
        }
        String build;
        try {
            if (CudaNatives.fcpts_cuda_compiled() == 0) {
                return Availability.no(CudaNatives.fcpts_cuda_build_info().getString());
            }
            build = CudaNatives.fcpts_cuda_build_info().getString();
        } catch (LinkageError | RuntimeException e) {
            return Availability.no("libfcpts_cuda could not be loaded: " + e);
        }
        try {
            Loader.load(org.bytedeco.cuda.global.cudnn.class);
            Loader.load(org.bytedeco.cuda.global.cublas.class);
        } catch (LinkageError | RuntimeException e) {
            return Availability.no("cuDNN 9 or cuBLAS could not be loaded (libcudnn.so.9, libcublas.so.13 must be "
                    + "on the library path): " + e);
        }
        try (cudaDeviceProp props = new cudaDeviceProp()) {
            if (cudaGetDeviceProperties(props, device) != cudaSuccess) {
                return Availability.no("cudaGetDeviceProperties(" + device + ") failed");
            }
            return Availability.yes(String.format("%s (sm_%d%d, %d SMs, %.1f GiB); %s", props.name().getString(),
                    props.major(), props.minor(), props.multiProcessorCount(),
                    props.totalGlobalMem() / (1024.0 * 1024 * 1024), build));
        }
    }

    /**
     * Build of libfcpts_cuda, or why it does not load. Needs libcudart.so.13 on
     * the library path but not the driver, so it is safe on a CPU-only machine.
     */
    static String libraryInfo() {
        try {
            return CudaNatives.fcpts_cuda_build_info().getString();
        } catch (LinkageError | RuntimeException e) {
            return "libfcpts_cuda could not be loaded: " + e;
        }
    }

    /** Host-side chunk table of the GPU decomposition (see kde_fused_cuda.h); returns the chunk count. */
    static long chunkBases(LongPointer hostOffsets, int segments, LongPointer hostChunkBases, CudaNatives.Status status) {
        try (LongPointer chunks = new LongPointer(1)) {
            check(CudaNatives.fcpts_kde_chunk_bases(hostOffsets, segments, hostChunkBases, chunks, status), status,
                    "fcpts_kde_chunk_bases");
            return chunks.get();
        }
    }

    static void kdeFused(FloatPointer w, FloatPointer g, FloatPointer gw, LongPointer offsets, LongPointer chunkBases,
                         int segments, long chunks, FloatPointer thresholds, FloatPointer invBandwidths,
                         DoublePointer partials, DoublePointer stats, Pointer stream, CudaNatives.Status status) {
        check(CudaNatives.fcpts_kde_fused_cuda(w, g, gw, offsets, chunkBases, segments, chunks, thresholds,
                invBandwidths, partials, stats, stream, status), status, "fcpts_kde_fused_cuda");
    }

    static void kdeForward(FloatPointer w, LongPointer offsets, LongPointer chunkBases, int segments, long chunks,
                           FloatPointer thresholds, FloatPointer invBandwidths, DoublePointer partials,
                           DoublePointer stats, Pointer stream, CudaNatives.Status status) {
        check(CudaNatives.fcpts_kde_forward_cuda(w, offsets, chunkBases, segments, chunks, thresholds, invBandwidths,
                partials, stats, stream, status), status, "fcpts_kde_forward_cuda");
    }

    /** Throws the typed exception for a non-zero fcpts status of a libfcpts_cuda call. */
    static void check(int rc, CudaNatives.Status status, String function) {
        if (rc != 0) {
            throw NativeFailure.of(rc, function, status.message().getString(), status.index(),
                    status.library_name().getString(), status.library_code(), status.file().getString(),
                    status.line());
        }
    }
}
