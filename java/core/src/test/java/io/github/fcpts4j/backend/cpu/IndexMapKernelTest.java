package io.github.fcpts4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.TestData;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link NetworkKernels#indexMap} on the cpu backend against a double-precision reference written from the
 * interface's javadoc: SUM forward and its backward (the transposed map: a linear map's exact gradient), MAX
 * forward and the routing of dy to the first maximum, empty rows (fill forward, zero gradient), repeated
 * columns, weights null and given, odd sizes, and the argument checks.
 *
 * <p>Tolerance (CONVENTIONS section 2): a float sum in a fixed order rounds each addition by at most 2^-24 of
 * its partial sum, bounded by the sum of |terms|, so |got - ref| <= n 6e-8 sum |terms| for n terms; we allow
 * 1e-6 of sum |terms| (n <= 16 here). MAX forward is a copy and must be exact. A wrong tap, weight, fill or
 * routing is off by O(1) of the terms.
 */
class IndexMapKernelTest extends CpuTest {

    /** A CSR map with about a fifth of the rows empty and repeated columns. */
    private record Map(int[] rowPtr, int[] cols, float[] weights) {
    }

    private static Map randomMap(int in, int out, boolean weighted, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> cols = new ArrayList<>();
        int[] rowPtr = new int[out + 1];
        for (int r = 0; r < out; r++) {
            int taps = r % 5 == 1 ? 0 : rng.nextInt(5);
            for (int t = 0; t < taps; t++) {
                cols.add(t == 1 ? cols.get(cols.size() - 1) : rng.nextInt(in));   // t == 1 repeats the column
            }
            rowPtr[r + 1] = cols.size();
        }
        int[] c = cols.stream().mapToInt(Integer::intValue).toArray();
        return new Map(rowPtr, c, weighted ? TestData.uniform(c.length, seed + 1, 1.5) : null);
    }

    private static void assertClose(float[] got, double[] want, double[] scale, double rtol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs(got[i] - want[i]);
            if (!(got[i] == want[i] || err <= rtol * scale[i] + 1e-38)) {
                if (bad++ < 3) {
                    first.append(String.format(" [%d] got %.9g want %.12g;", i, got[i], want[i]));
                }
            }
        }
        assertEquals(0, bad, what + ": " + bad + " of " + got.length + " outside:" + first);
    }

    @Test
    void sumMapAndItsTransposeMatchTheDoubleReference() {
        long seed = 10;
        for (int outer : new int[] {1, 3}) {
            for (int in : new int[] {1, 7, 33}) {
                for (int out : new int[] {1, 6, 40}) {
                    for (boolean weighted : new boolean[] {false, true}) {
                        Map m = randomMap(in, out, weighted, seed++);
                        float[] x = TestData.uniform(outer * in, seed++), dy = TestData.uniform(outer * out, seed++);
                        double[] ry = new double[outer * out], sy = new double[ry.length];
                        double[] rdx = new double[outer * in], sdx = new double[rdx.length];
                        for (int o = 0; o < outer; o++) {
                            for (int r = 0; r < out; r++) {
                                int at = o * out + r;
                                if (m.rowPtr[r] == m.rowPtr[r + 1]) {
                                    ry[at] = 0.25;   // the fill
                                }
                                for (int k = m.rowPtr[r]; k < m.rowPtr[r + 1]; k++) {
                                    double w = m.weights == null ? 1 : m.weights[k];
                                    ry[at] += w * x[o * in + m.cols[k]];
                                    sy[at] += Math.abs(w * x[o * in + m.cols[k]]);
                                    rdx[o * in + m.cols[k]] += w * dy[at];
                                    sdx[o * in + m.cols[k]] += Math.abs(w * dy[at]);
                                }
                            }
                        }
                        String what = "SUM outer " + outer + " in " + in + " out " + out + " weighted " + weighted;
                        try (TensorScope s = new TensorScope();
                             NetworkKernels.IndexMapPlan plan = cpu.network().indexMap(outer, in, out, m.rowPtr,
                                     m.cols, m.weights, 0.25f, false)) {
                            Tensor tx = s.upload(cpu, x, outer, in), ty = s.allocate(cpu, outer, out);
                            Tensor tdy = s.upload(cpu, dy, outer, out), tdx = s.upload(cpu, new float[outer * in],
                                    outer, in);
                            cpu.network().fill(tdx, 5f);   // backward overwrites, never accumulates
                            plan.forward(tx, ty);
                            plan.backward(tdy, tdx);
                            assertClose(ty.toArray(), ry, sy, 1e-6, what + " y");
                            assertClose(tdx.toArray(), rdx, sdx, 1e-6, what + " dx");
                        }
                    }
                }
            }
        }
    }

    @Test
    void maxMapRoutesTheGradientToTheFirstMaximum() {
        // rows: 0 and 1 share their winner (column 2); 2 is empty (fill -1, no gradient); 3 ties columns 3 and 0
        // (value 5): its first tap, column 3, wins; 4 has a NaN after a larger value: NaN wins and takes dy
        int[] rowPtr = {0, 2, 4, 4, 6, 8};
        int[] cols = {2, 1, 0, 2, 3, 0, 1, 4};
        try (TensorScope s = new TensorScope();
             NetworkKernels.IndexMapPlan plan = cpu.network().indexMap(1, 5, 5, rowPtr, cols, null, -1f, true)) {
            Tensor x = s.upload(cpu, new float[] {5, 1, 9, 5, Float.NaN}, 1, 5), y = s.allocate(cpu, 1, 5);
            Tensor dy = s.upload(cpu, new float[] {1, 10, 100, 1000, 10000}, 1, 5), dx = s.allocate(cpu, 1, 5);
            FcptsException before = assertThrows(FcptsException.class, () -> plan.backward(dy, dx));
            assertEquals(ErrorCode.INVALID_ARGUMENT, before.code(), "MAX backward before any forward");
            plan.forward(x, y);
            plan.backward(dy, dx);
            assertArrayEquals(new float[] {9, 9, -1, 5, Float.NaN}, y.toArray());
            assertArrayEquals(new float[] {0, 0, 11, 1000, 10000}, dx.toArray());
            // the winners are those of the last forward
            x.copyFrom(new float[] {9, 1, 5, 5, 0});
            plan.forward(x, y);
            plan.backward(dy, dx);
            assertArrayEquals(new float[] {5, 9, -1, 9, 1}, y.toArray());
            assertArrayEquals(new float[] {10 + 1000, 10000, 1, 0, 0}, dx.toArray());
        }
    }

    @Test
    void randomMaxMapsMatchTheReference() {
        long seed = 100;
        for (int outer : new int[] {1, 3}) {
            for (int in : new int[] {1, 7, 33}) {
                int out = 2 * in + 1;
                Map m = randomMap(in, out, false, seed++);
                float[] x = TestData.uniform(outer * in, seed++), dy = TestData.uniform(outer * out, seed++);
                for (int i = 0; i < x.length; i++) {
                    x[i] = Math.round(x[i] * 2) / 2f;   // few levels: ties, where the first tap must win
                }
                float[] ry = new float[outer * out];
                double[] rdx = new double[outer * in], sdx = new double[rdx.length];
                for (int o = 0; o < outer; o++) {
                    for (int r = 0; r < out; r++) {
                        int b = m.rowPtr[r], e = m.rowPtr[r + 1], at = o * out + r;
                        if (b == e) {
                            ry[at] = 3f;
                            continue;
                        }
                        int best = b;
                        for (int k = b + 1; k < e; k++) {
                            best = x[o * in + m.cols[k]] > x[o * in + m.cols[best]] ? k : best;
                        }
                        ry[at] = x[o * in + m.cols[best]];
                        rdx[o * in + m.cols[best]] += dy[at];
                        sdx[o * in + m.cols[best]] += Math.abs(dy[at]);
                    }
                }
                try (TensorScope s = new TensorScope();
                     NetworkKernels.IndexMapPlan plan = cpu.network().indexMap(outer, in, out, m.rowPtr, m.cols,
                             null, 3f, true)) {
                    Tensor tx = s.upload(cpu, x, outer, in), ty = s.allocate(cpu, outer, out);
                    Tensor tdy = s.upload(cpu, dy, outer, out), tdx = s.allocate(cpu, outer, in);
                    plan.forward(tx, ty);
                    plan.backward(tdy, tdx);
                    assertArrayEquals(ry, ty.toArray(), "MAX y outer " + outer + " in " + in);
                    assertClose(tdx.toArray(), rdx, sdx, 1e-6, "MAX dx outer " + outer + " in " + in);
                }
            }
        }
    }

    @Test
    void badMapsAreRejectedAndClosedPlansFailLoudly() {
        int[] rowPtr = {0, 1, 2};
        int[] cols = {0, 1};
        FcptsException decreasing = assertThrows(FcptsException.class,
                () -> cpu.network().indexMap(1, 2, 3, new int[] {0, 2, 1, 2}, cols, null, 0, false));
        assertEquals(ErrorCode.INVALID_ARGUMENT, decreasing.code());
        assertTrue(decreasing.getMessage().contains("row_ptr decreases at row 1"), decreasing.getMessage());
        FcptsException outside = assertThrows(FcptsException.class,
                () -> cpu.network().indexMap(1, 2, 2, rowPtr, new int[] {0, 2}, null, 0, true));
        assertTrue(outside.getMessage().contains("column 2 of tap 1"), outside.getMessage());
        FcptsException empty = assertThrows(FcptsException.class,
                () -> cpu.network().indexMap(0, 2, 2, rowPtr, cols, null, 0, false));
        assertEquals(ErrorCode.INVALID_ARGUMENT, empty.code(), "outer 0");
        assertThrows(FcptsException.class, () -> cpu.network().indexMap(1, 2, 2, new int[] {0, 1, 1}, cols, null, 0,
                false), "row pointers must end at cols.length");
        assertThrows(IllegalArgumentException.class, () -> cpu.network().indexMap(1, 2, 3, rowPtr, cols, null, 0,
                false), "rowPtr shorter than outSize + 1");
        assertThrows(IllegalArgumentException.class, () -> cpu.network().indexMap(1, 2, 2, rowPtr, cols,
                new float[] {1}, 0, false), "one weight for two taps");
        try (TensorScope s = new TensorScope()) {
            NetworkKernels.IndexMapPlan plan = cpu.network().indexMap(1, 2, 2, rowPtr, cols, null, 0, false);
            Tensor x = s.allocate(cpu, 1, 2), y = s.allocate(cpu, 1, 2), wrong = s.allocate(cpu, 1, 3);
            assertThrows(IllegalArgumentException.class, () -> plan.forward(wrong, y), "x of the wrong size");
            assertThrows(FcptsException.class, () -> plan.forward(x, x), "in place");
            plan.close();
            plan.close();   // idempotent
            assertThrows(IllegalStateException.class, () -> plan.forward(x, y));
            assertThrows(IllegalStateException.class, () -> plan.backward(y, x));
        }
    }
}
