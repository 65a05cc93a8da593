package io.github.fcpts4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparison of the GPU parity tests: max |gpu - cpu| <= 1e-4 * max(1, max |cpu|)
 * over one output (max over the finite cpu values; the same infinity or NaN on both
 * sides matches, NaN or infinity against anything else fails). Both backends compute in float32 (TF32 off); they differ in
 * summation order and algorithm (cuDNN implicit GEMM / Winograd vs oneDNN), which
 * moves a K-term dot product by a few ulps of its largest partial sum: ~1e-6
 * relative for the K of these tests, far inside 1e-4, while a wrong index, a
 * missed broadcast sum or a dropped bias is off by O(1).
 */
public final class CudaParity {
    public static final double TOLERANCE = 1e-4;

    private CudaParity() {
    }

    public static void assertMatches(float[] gpu, float[] cpu, String what) {
        assertEquals(cpu.length, gpu.length, what + ": length");
        double scale = 1, worst = 0;
        int at = -1;
        for (float v : cpu) {
            if (Float.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int i = 0; i < cpu.length; i++) {
            if (gpu[i] == cpu[i] || (Float.isNaN(gpu[i]) && Float.isNaN(cpu[i]))) {
                continue;   // equal, the same infinity, or NaN on both sides (Sqrt of a negative input)
            }
            double d = Math.abs((double) gpu[i] - cpu[i]);   // NaN against a number: fails below
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= TOLERANCE * scale, what + ": |gpu - cpu| = " + worst + " at " + at + " (gpu "
                + (at >= 0 ? gpu[at] : 0) + ", cpu " + (at >= 0 ? cpu[at] : 0) + "), allowed " + TOLERANCE * scale);
    }
}
