package io.github.fcpts4j.backend.cuda;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

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
    private final DeviceMemory device;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long bytesInUse, blocksInUse, bytesCached;
    private boolean closed;

    CudaMemoryPool() {
        this(DeviceMemory.CUDA);
    }

    CudaMemoryPool(DeviceMemory device) {
        this.device = device;
    }

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
            device.free(address, size);
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

    /** Frees every cached block (blocks in use are untouched); the first failure is thrown after the rest. */
    void trim() {
        RuntimeException first = null;
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet()) {
            for (long address : e.getValue()) {
                try {
                    device.free(address, e.getKey());
                } catch (RuntimeException failure) {
                    first = first == null ? failure : first;
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
        long address = device.malloc(size, purpose);
        if (address == 0 && bytesCached > 0) {
            trim();
            address = device.malloc(size, purpose);
        }
        if (address == 0) {
            throw new FcptsException(ErrorCode.OUT_OF_MEMORY, String.format(
                    "out of GPU memory allocating %s for %s; %s; this backend holds %s in %d blocks",
                    mib(size), purpose, device.freeMemory(), mib(bytesInUse), blocksInUse),
                    "cudaErrorMemoryAllocation", 2, "cudaMalloc", null);
        }
        return address;
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
