package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import org.bytedeco.javacpp.Pointer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The cuda backend's caching allocator: device blocks are cudaMalloc'd once and
 * kept for reuse by size class when released, so that the per-iteration tensors
 * of a pruning run never go back to the driver (cudaMalloc / cudaFree
 * synchronize the device). Sizes are rounded up to 512 bytes below 1 MiB and to
 * 256 KiB above (at most 20 % slack), which makes the repeated shapes of a
 * network hit exactly.
 *
 * <p>All work of the owning backend is queued on one stream, so a block released
 * while kernels that use it are still queued can be handed out again at once:
 * the next user's work is ordered after them on the same stream.
 *
 * <p>When cudaMalloc fails, every cached block is freed and the allocation is
 * tried once more; a second failure is an {@code OUT_OF_MEMORY} error naming
 * what was being allocated, its size, the device's free memory and this pool's
 * own holdings. Single-threaded, like the backend.
 */
final class CudaMemoryPool implements AutoCloseable {
    private static final long SMALL_ROUND = 512, LARGE_ROUND = 256L << 10, LARGE_FROM = 1L << 20;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long bytesInUse, blocksInUse, bytesCached;
    private boolean closed;

    /** Size class of a request (at least one byte). */
    static long roundUp(long bytes) {
        long n = Math.max(1, bytes);
        long unit = n >= LARGE_FROM ? LARGE_ROUND : SMALL_ROUND;
        return Math.addExact(n, unit - 1) / unit * unit;
    }

    /**
     * A block of at least {@code bytes} bytes.
     *
     * @param purpose what the memory is for (named in an out-of-memory error)
     */
    long allocate(long bytes, String purpose) {
        if (closed) {
            throw new IllegalStateException("cuda memory pool used after close()");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes for " + purpose);
        }
        long size = roundUp(bytes);
        ArrayDeque<Long> cached = free.get(size);
        long address;
        if (cached != null && !cached.isEmpty()) {
            address = cached.pop();
            bytesCached -= size;
        } else {
            address = malloc(size, purpose);
        }
        bytesInUse += size;
        blocksInUse++;
        return address;
    }

    /** Returns a block obtained from {@link #allocate} with the same byte count. */
    void release(long address, long bytes) {
        long size = roundUp(bytes);
        bytesInUse -= size;
        blocksInUse--;
        if (closed) {
            CudaErrors.check(cudaFree(new DeviceAddress(address)), "cudaFree(" + size
                    + " bytes) after the pool closed");
            return;
        }
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
        bytesCached += size;
    }

    /** Bytes handed out and not yet released (size classes, not requests). */
    long bytesInUse() {
        return bytesInUse;
    }

    /** Blocks handed out and not yet released: 0 once every tensor and plan of the backend is closed. */
    long blocksInUse() {
        return blocksInUse;
    }

    /** Bytes held for reuse. */
    long bytesCached() {
        return bytesCached;
    }

    /** Frees every cached block (blocks in use are untouched). */
    void trim() {
        RuntimeException first = null;
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet()) {
            for (long address : e.getValue()) {
                int rc = cudaFree(new DeviceAddress(address));
                if (rc != cudaSuccess && first == null) {
                    first = failure(rc, "cudaFree(" + e.getKey() + " cached bytes)");
                }
            }
        }
        free.clear();
        bytesCached = 0;
        if (first != null) {
            throw first;
        }
    }

    /** Frees the cache; blocks still in use are freed when they are released. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            trim();
        }
    }

    private long malloc(long size, String purpose) {
        Pointer p = new Pointer();
        int rc = cudaMalloc(p, size);
        if (rc == cudaErrorMemoryAllocation && bytesCached > 0) {
            cudaGetLastError();   // clear the recorded allocation error before retrying
            trim();
            rc = cudaMalloc(p, size);
        }
        if (rc == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            throw new FcptsException(ErrorCode.OUT_OF_MEMORY, String.format(
                    "out of GPU memory allocating %s for %s; %s; this backend holds %s in %d blocks",
                    mib(size), purpose, CudaErrors.freeMemory(), mib(bytesInUse), blocksInUse),
                    "cudaErrorMemoryAllocation", rc, "cudaMalloc", null);
        }
        CudaErrors.check(rc, "cudaMalloc(" + size + " bytes for " + purpose + ")");
        return p.address();
    }

    private static RuntimeException failure(int rc, String call) {
        try {
            CudaErrors.check(rc, call);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
