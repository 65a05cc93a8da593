package io.github.fcpts4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.testing.CpuTest;

import org.junit.jupiter.api.Test;

/** {@link NetworkKernels#maskedCopy}: the pruning loop's student weights and gradient gather on the cpu. */
class MaskedCopyTest extends CpuTest {

    @Test
    void thresholdKeepsOnlyLargerMagnitudesOfTheRange() {
        try (TensorScope s = new TensorScope()) {
            Tensor src = s.upload(cpu, new float[] {9, 0.5f, -0.2f, 0.3f, -0.31f, 0.3f, 9}, 7);
            Tensor dst = s.upload(cpu, new float[] {7, 7, 7, 7, 7, 7}, 6);
            cpu.network().maskedCopy(src, 1, dst, 1, 5, 0.3f, null, 0);
            // |0.3| is not > 0.3 (the kernel's fcpts_is_kept), elements outside the range untouched
            assertArrayEquals(new float[] {7, 0.5f, 0, 0, -0.31f, 0}, dst.toArray());
        }
    }

    @Test
    void keepMaskOverridesTheThresholdAndNegativeThresholdCopies() {
        try (TensorScope s = new TensorScope()) {
            Tensor src = s.upload(cpu, new float[] {1, -2, 3, Float.NaN}, 4);
            Tensor keep = s.upload(cpu, new float[] {0, 0, 1, 0, 1, 1}, 6);
            Tensor dst = s.allocate(cpu, 4);
            cpu.network().maskedCopy(src, 0, dst, 0, 4, 100f, keep, 2);
            assertArrayEquals(new float[] {1, 0, 3, Float.NaN}, dst.toArray());
            cpu.network().maskedCopy(src, 0, dst, 0, 4, -1f, null, 0);
            assertArrayEquals(new float[] {1, -2, 3, Float.NaN}, dst.toArray(), "a plain copy keeps NaN visible");
        }
    }

    @Test
    void rangesOutsideATensorAndAliasingAreRefused() {
        try (TensorScope s = new TensorScope()) {
            Tensor a = s.allocate(cpu, 4), b = s.allocate(cpu, 4);
            NetworkKernels k = cpu.network();
            assertThrows(IndexOutOfBoundsException.class, () -> k.maskedCopy(a, 1, b, 0, 4, 0f, null, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> k.maskedCopy(a, 0, b, 2, 3, 0f, null, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> k.maskedCopy(a, 0, b, 0, 4, 0f, s.allocate(cpu, 3),
                    0));
            assertThrows(IllegalArgumentException.class, () -> k.maskedCopy(a, 0, a, 0, 4, 0f, null, 0));
        }
    }
}
