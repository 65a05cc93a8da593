package io.github.fcpts4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.TestData;

import org.junit.jupiter.api.Test;

/**
 * {@link NetworkKernels#batchedMatmul} on the cpu backend (oneDNN) against a double-precision reference, in
 * every transposition, with and without a shared B, on odd shapes (batch 1 and 3; m, k, n among 1, 5, 7, 33).
 *
 * <p>Tolerance (CONVENTIONS section 2): a K-term float dot product in any order (oneDNN blocks and may use
 * FMA) is within K 6e-8 of sum_k |a_ik b_kj|; we allow 1e-5 of that sum (K <= 33: 2e-6 needed). A transposed
 * operand read as untransposed, a wrong batch stride or a B not shared is off by O(1) of the sum.
 */
class BatchedMatMulKernelTest extends CpuTest {

    @Test
    void everyTranspositionWithAndWithoutSharedB() {
        long seed = 1;
        int[][] shapes = {{1, 5, 7, 3}, {3, 7, 33, 5}, {3, 1, 1, 1}, {2, 33, 5, 1}};   // batch, m, k, n
        for (int[] sh : shapes) {
            int batch = sh[0], m = sh[1], k = sh[2], n = sh[3];
            for (int t = 0; t < 8; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0, shared = (t & 4) != 0;
                int bBatch = shared ? 1 : batch;
                float[] a = TestData.uniform(batch * m * k, seed++), b = TestData.uniform(bBatch * k * n, seed++);
                double[] want = new double[batch * m * n], scale = new double[want.length];
                for (int e = 0; e < batch; e++) {
                    int eb = shared ? 0 : e;
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            for (int q = 0; q < k; q++) {
                                // a[e] is [m, k] or stored [k, m]; b[eb] is [k, n] or stored [n, k]
                                double av = a[e * m * k + (ta ? q * m + i : i * k + q)];
                                double bv = b[eb * k * n + (tb ? j * k + q : q * n + j)];
                                want[(e * m + i) * n + j] += av * bv;
                                scale[(e * m + i) * n + j] += Math.abs(av * bv);
                            }
                        }
                    }
                }
                String what = "batch " + batch + " m " + m + " k " + k + " n " + n + " transA " + ta + " transB "
                        + tb + " sharedB " + shared;
                try (TensorScope s = new TensorScope();
                     NetworkKernels.BatchedMatMulPlan plan = cpu.network().batchedMatmul(batch, m, k, n, ta, tb,
                             shared)) {
                    Tensor tA = ta ? s.upload(cpu, a, batch, k, m) : s.upload(cpu, a, batch, m, k);
                    Tensor tB = s.upload(cpu, b, bBatch * (long) k * n);
                    Tensor y = s.allocate(cpu, batch, m, n);
                    plan.forward(tA, tB, y);
                    float[] got = y.toArray();
                    for (int i = 0; i < got.length; i++) {
                        double allowed = 1e-5 * scale[i] + 1e-30;
                        assertEquals(want[i], got[i], allowed, what + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void badShapesAndClosedPlansFailLoudly() {
        assertThrows(FcptsException.class, () -> cpu.network().batchedMatmul(0, 2, 2, 2, false, false, false));
        try (TensorScope s = new TensorScope()) {
            NetworkKernels.BatchedMatMulPlan plan = cpu.network().batchedMatmul(2, 2, 3, 4, false, false, true);
            Tensor a = s.allocate(cpu, 2, 2, 3), b = s.allocate(cpu, 3, 4), y = s.allocate(cpu, 2, 2, 4);
            Tensor unshared = s.allocate(cpu, 2, 3, 4);
            plan.forward(a, b, y);
            assertThrows(IllegalArgumentException.class, () -> plan.forward(a, unshared, y), "a per-batch B");
            plan.close();
            plan.close();   // idempotent
            assertThrows(IllegalStateException.class, () -> plan.forward(a, b, y));
        }
    }
}
