package io.github.fcpts4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pool's size classes (pure arithmetic: runs without a driver). */
class CudaMemoryPoolTest {

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
        assertEquals(true, size >= batch && size - batch < (256L << 10), "slack below one 256 KiB step");
    }
}
