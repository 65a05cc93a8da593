package io.github.fcpts4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host half of the GPU work decomposition (kde_chunk_bases.cpp), which
 * runs without a device: libfcpts_cuda needs only libcudart.so.13 to load.
 */
class CudaChunkTableTest {
    private static final long CHUNK = 8192;

    @BeforeAll
    static void requireLibrary() {
        String info = CudaKernels.libraryInfo();
        assumeFalse(info.startsWith("libfcpts_cuda could not be loaded"), info);
    }

    private static long[] bases(long... offsets) {
        int n = offsets.length - 1;
        try (LongPointer off = new LongPointer(offsets);
             LongPointer out = new LongPointer(n + 1L);
             CudaNatives.Status status = new CudaNatives.Status()) {
            long chunks = CudaKernels.chunkBases(off, n, out, status);
            long[] result = new long[n + 1];
            out.get(result);
            assertEquals(result[n], chunks);
            return result;
        }
    }

    @Test
    void emptySegmentsGetNoChunkAndBoundariesRoundUp() {
        assertArrayEquals(new long[] {0, 0, 1, 2, 4, 4, 5},
                bases(0, 0, 1, 1 + CHUNK, 1 + 3 * CHUNK + 1 - CHUNK, 1 + 3 * CHUNK + 1 - CHUNK, 2 + 3 * CHUNK));
        assertArrayEquals(new long[] {0}, bases(0));
    }

    @Test
    void decreasingOffsetsAreATypedError() {
        try (LongPointer off = new LongPointer(0L, 5L, 2L);
             LongPointer out = new LongPointer(3);
             CudaNatives.Status status = new CudaNatives.Status()) {
            FcptsException e = assertThrows(FcptsException.class, () -> CudaKernels.chunkBases(off, 2, out, status));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals("kde_chunk_bases.cpp", e.callSite().split(":")[0]);
        }
    }
}
