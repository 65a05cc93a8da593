package io.github.fcpts4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.TensorData;

import java.util.ArrayList;
import java.util.List;

/**
 * Inputs holding NaN and infinities, and the check that an output carries them as ONNX Runtime's does (issue 18
 * item 2; NonFiniteOpsTest, SparsePlanNonFiniteTest).
 */
public final class NonFinite {
    private NonFinite() {
    }

    /**
     * Uniform in [-1, 1) with NaN, +Inf and -Inf at a few positions spread over the tensor (about one value in 25
     * non-finite, so most windows and rows stay finite and both cases are checked).
     */
    public static float[] input(long[] shape, long seed) {
        float[] x = TestData.uniform((int) TensorData.size(shape), seed, 1.0);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 7, k = 0; i < x.length; i += 23 + k % 5, k++) {
            x[i] = special[k % 3];
        }
        return x;
    }

    /** Seeded weights in [-0.5, 0.5) with every {@code zeroEvery}-th one exactly 0 (0 = none). */
    public static TensorData weights(long seed, int zeroEvery, long... dims) {
        float[] w = TestData.uniform((int) TensorData.size(dims), seed, 0.5);
        for (int i = 0; zeroEvery > 0 && i < w.length; i += zeroEvery) {
            w[i] = 0f;
        }
        return TensorData.ofFloats(dims, w);
    }

    /**
     * Our output against ONNX Runtime's: NaN exactly where it has NaN, its infinities where it has infinities,
     * within 1e-4 + 1e-4 |ref| (the engine's bound against ONNX Runtime, RealModelOpsTest) elsewhere. On failure
     * the first few disagreements.
     */
    public static void assertSameNonFinite(String what, float[] ref, float[] ours) {
        assertEquals(ref.length, ours.length, what + ": sizes");
        List<String> bad = new ArrayList<>();
        int nonFinite = 0;
        for (int i = 0; i < ref.length; i++) {
            float r = ref[i], y = ours[i];
            boolean ok;
            if (!Float.isFinite(r)) {
                nonFinite++;
                ok = Float.isNaN(r) ? Float.isNaN(y) : r == y;
            } else {
                ok = Float.isFinite(y) && Math.abs(y - r) <= 1e-4 + 1e-4 * Math.abs(r);
            }
            if (!ok) {
                bad.add("[" + i + "] ours " + y + " vs " + r);
            }
        }
        int total = nonFinite;
        assertTrue(bad.isEmpty(), () -> what + ": " + bad.size() + " of " + ref.length + " outputs differ from ONNX "
                + "Runtime (" + total + " non-finite there), e.g. " + bad.subList(0, Math.min(6, bad.size())));
    }
}
