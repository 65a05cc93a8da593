package io.github.fcpts4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The pool's caching, out-of-memory retry and accounting against a host-side
 * fake device of fixed capacity (runs without a GPU; the cudaMalloc-backed
 * pool is exercised by the gpu-tagged tests).
 */
class CudaMemoryPoolTest {

    /** A device of {@code capacity} bytes that hands out fake addresses and counts calls. */
    private static final class FakeDevice implements DeviceMemory {
        final long capacity;
        final Map<Long, Long> live = new HashMap<>();
        long used, next = 1 << 12;
        int mallocs, frees;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long malloc(long bytes, String purpose) {
            mallocs++;
            if (used + bytes > capacity) {
                return 0;
            }
            long a = next;
            next += bytes + 4096;
            live.put(a, bytes);
            used += bytes;
            return a;
        }

        @Override
        public void free(long address, long bytes) {
            frees++;
            Long size = live.remove(address);
            assertEquals(bytes, size, "freed with the size it was allocated with");
            used -= size;
        }

        @Override
        public String freeMemory() {
            return (capacity - used) + " bytes free of " + capacity;
        }
    }

    @Test
    void smallRequestsRoundTo512BytesLargeOnesTo256KiB() {
        assertEquals(512, CudaMemoryPool.roundUp(0), "an empty tensor still gets a distinct block");
        assertEquals(512, CudaMemoryPool.roundUp(512));
        assertEquals(1024, CudaMemoryPool.roundUp(513));
        assertEquals(1L << 20, CudaMemoryPool.roundUp((1L << 20) - 1));
        assertEquals(1L << 20, CudaMemoryPool.roundUp(1L << 20));
        assertEquals((1L << 20) + (256L << 10), CudaMemoryPool.roundUp((1L << 20) + 1));
        long batch = 64L * 3 * 224 * 224 * Float.BYTES;   // an ImageNet batch: 38.5 MB
        long size = CudaMemoryPool.roundUp(batch);
        assertEquals(0, size % (256L << 10));
        assertTrue(size >= batch && size - batch < (256L << 10), "slack below one 256 KiB step");
    }

    @Test
    void releasedBlocksAreReusedBySizeClassWithoutTheDriver() {
        FakeDevice device = new FakeDevice(1 << 20);
        CudaMemoryPool pool = new CudaMemoryPool(device);
        long a = pool.allocate(1000, "a");
        long b = pool.allocate(1000, "b");
        assertNotEquals(a, b);
        assertEquals(2, pool.blocksInUse());
        assertEquals(2048, pool.bytesInUse(), "two 1,024-byte size classes");
        pool.release(a, 1000);
        assertEquals(1024, pool.bytesCached());
        assertEquals(a, pool.allocate(1020, "c"), "same size class: the cached block comes back");
        assertEquals(2, device.mallocs, "no new cudaMalloc for the reuse");
        assertEquals(0, pool.bytesCached());
        long d = pool.allocate(5000, "d");   // another class: a new block
        assertEquals(3, device.mallocs);
        pool.release(b, 1000);
        pool.release(a, 1020);
        pool.release(d, 5000);
        assertEquals(0, pool.blocksInUse());
        pool.close();
        assertEquals(0, device.used, "close frees the cache");
        assertEquals(3, device.frees);
    }

    @Test
    void outOfMemoryFreesTheCacheRetriesAndOtherwiseNamesWhatWasAllocated() {
        FakeDevice device = new FakeDevice(64 << 10);
        CudaMemoryPool pool = new CudaMemoryPool(device);
        long small = pool.allocate(40 << 10, "small tensor");
        pool.release(small, 40 << 10);
        long big = pool.allocate(48 << 10, "bigger tensor");   // fails, trims the cached 40 KiB, succeeds
        assertEquals(1, pool.blocksInUse());
        assertEquals(0, pool.bytesCached());
        assertEquals(1, device.frees, "the cached block went back to the driver");
        FcptsException e = assertThrows(FcptsException.class, () -> pool.allocate(32 << 10, "a tensor [8192]"));
        assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
        assertTrue(e.getMessage().contains("a tensor [8192]") && e.getMessage().contains("bytes free of 65536")
                && e.getMessage().contains("in 1 blocks"), e.getMessage());
        assertEquals(1, pool.blocksInUse(), "a failed allocation takes nothing");
        pool.release(big, 48 << 10);
        pool.close();
        assertEquals(0, device.used);
    }

    @Test
    void blocksReleasedAfterCloseGoStraightBackAndUseAfterCloseFails() {
        FakeDevice device = new FakeDevice(1 << 20);
        CudaMemoryPool pool = new CudaMemoryPool(device);
        long a = pool.allocate(100, "a");
        pool.close();
        assertEquals(1, device.live.size(), "a block in use survives close");
        pool.release(a, 100);
        assertEquals(0, device.live.size());
        assertEquals(0, pool.blocksInUse());
        assertThrows(IllegalStateException.class, () -> pool.allocate(10, "late"));
    }
}
