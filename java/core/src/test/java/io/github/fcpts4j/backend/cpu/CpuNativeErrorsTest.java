package io.github.fcpts4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.Test;

/**
 * The native status path, below the Java argument checks: a layout the C
 * library rejects comes back as a typed exception with the native message,
 * the offending index and the C call site, and no crash.
 */
class CpuNativeErrorsTest {

    @Test
    void nonMonotonicOffsetsAreRejectedWithIndexAndCallSite() {
        try (LongPointer offsets = new LongPointer(0L, 10L, 4L);
             FloatPointer w = new FloatPointer(10);
             FloatPointer t = new FloatPointer(0.1f, 0.1f);
             FloatPointer invH = new FloatPointer(10f, 10f);
             DoublePointer stats = new DoublePointer(14);
             CpuNatives.Status status = new CpuNatives.Status()) {
            FcptsException e = assertThrows(FcptsException.class,
                    () -> CpuKernels.kdeForward(w, offsets, 2, t, invH, stats, 1, status));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("fcpts_kde_forward_cpu: segment 1: seg_offsets must be non-decreasing")
                    && e.getMessage().contains("(index 1)"), e.getMessage());
            assertTrue(e.callSite().startsWith("kde_fused_cpu.cpp:"), e.callSite());
        }
    }

    @Test
    void nonPositiveInverseBandwidthIsRejectedByTheLibraryToo() {
        try (LongPointer offsets = new LongPointer(0L, 3L);
             FloatPointer w = new FloatPointer(3);
             FloatPointer t = new FloatPointer(0.1f);
             FloatPointer invH = new FloatPointer(-1f);
             DoublePointer stats = new DoublePointer(7);
             CpuNatives.Status status = new CpuNatives.Status()) {
            FcptsException e = assertThrows(FcptsException.class,
                    () -> CpuKernels.kdeForward(w, offsets, 1, t, invH, stats, 1, status));
            assertTrue(e.getMessage().contains("inverse bandwidth must be finite and > 0"), e.getMessage());
        }
    }
}
