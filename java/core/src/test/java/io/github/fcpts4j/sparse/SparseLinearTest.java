package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.testing.CpuTest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The sparse fully connected layer against the dense engine on the same graph:
 * Gemm with transB 0 and 1, with and without a bias, and MatMul, batch 3, a
 * weight with 70 % zeros; alpha and beta against a written-out reference; a
 * full-matrix C and transA are refused.
 */
class SparseLinearTest extends CpuTest {
    private static final int BATCH = 3, IN = 37, OUT = 11;

    private static Graph layer(OpType op, Attributes a, boolean bias, long[] cShape) {
        SplittableRandom rng = new SplittableRandom(8);
        boolean transB = a.getInt("transB", 0) != 0;
        float[] w = new float[IN * OUT];
        for (int i = 0; i < w.length; i++) {
            w[i] = rng.nextDouble() < 0.7 ? 0f : (float) rng.nextGaussian();
        }
        Map<String, TensorData> init = new LinkedHashMap<>();
        init.put("w", TensorData.ofFloats(transB ? new long[] {OUT, IN} : new long[] {IN, OUT}, w));
        List<String> inputs = new ArrayList<>(List.of("x", "w"));
        if (bias) {
            float[] c = new float[(int) java.util.Arrays.stream(cShape).reduce(1, (p, q) -> p * q)];
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) rng.nextGaussian();
            }
            init.put("c", TensorData.ofFloats(cShape, c));
            inputs.add("c");
        }
        Node n = new Node("fc", op, inputs, List.of("y"), a);
        return new Graph("fc", List.of(new ValueInfo("x", DataType.FLOAT, new long[] {-1, IN})),
                List.of(new ValueInfo("y", DataType.FLOAT, new long[] {-1, OUT})), List.of(n), init);
    }

    private void assertMatchesTheEngine(Graph g) {
        float[] x = new float[BATCH * IN];
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        long[] shape = {BATCH, IN};
        try (NetworkExecutor dense = NetworkExecutor.compile(g, cpu, Map.of("x", shape));
             SparseLinear fc = new SparseLinear(g, g.nodes().get(0), shape, 0);
             NetworkExecutor sparse = NetworkExecutor.compileInference(g, cpu, Map.of("x", shape), List.of(fc))) {
            float[] ref = dense.run(Map.of("x", x)).get("y");
            // 37-term float sums (|y| below ~10) in another order than oneDNN's: 1e-5 is ~10 ulps at that size
            assertArrayEquals(ref, sparse.run(Map.of("x", x)).get("y"), 1e-5f, g.nodes().get(0).toString());
            assertTrue(fc.weight().sparsity() > 0.5);
        }
    }

    @Test
    void gemmAndMatMulMatchTheEngine() {
        assertMatchesTheEngine(layer(OpType.GEMM, Attributes.of("transB", 1L), true, new long[] {OUT}));
        assertMatchesTheEngine(layer(OpType.GEMM, Attributes.of("transB", 0L), true, new long[] {1, OUT}));
        assertMatchesTheEngine(layer(OpType.GEMM, Attributes.of("transB", 1L), false, null));
        assertMatchesTheEngine(layer(OpType.MATMUL, Attributes.empty(), false, null));
    }

    @Test
    void alphaAndBetaScaleWeightAndBias() {
        // the engine has no Gemm with alpha, beta != 1: the reference is written out here
        Graph g = layer(OpType.GEMM, Attributes.of("transB", 0L, "alpha", 0.5f, "beta", 2f), true, new long[] {OUT});
        float[] w = g.initializer("w").orElseThrow().floats(), c = g.initializer("c").orElseThrow().floats();
        float[] x = new float[BATCH * IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 9) * 0.125f - 0.5f;
        }
        float[] ref = new float[BATCH * OUT];
        for (int n = 0; n < BATCH; n++) {
            for (int m = 0; m < OUT; m++) {
                double acc = 0;
                for (int k = 0; k < IN; k++) {
                    acc += x[n * IN + k] * w[k * OUT + m];
                }
                ref[n * OUT + m] = (float) (0.5 * acc + 2 * c[m]);
            }
        }
        long[] shape = {BATCH, IN};
        try (SparseLinear fc = new SparseLinear(g, g.nodes().get(0), shape, 0);
             NetworkExecutor sparse = NetworkExecutor.compileInference(g, cpu, Map.of("x", shape), List.of(fc))) {
            assertArrayEquals(ref, sparse.run(Map.of("x", x)).get("y"), 1e-5f);
        }
    }

    @Test
    void unsupportedFormsAreRefusedWithTheNodeNamed() {
        Graph fullC = layer(OpType.GEMM, Attributes.of("transB", 1L), true, new long[] {BATCH, OUT});
        assertFalse(SparseLinear.supports(fullC, fullC.nodes().get(0), new long[] {BATCH, IN}));
        FcptsException e = assertThrows(FcptsException.class,
                () -> new SparseLinear(fullC, fullC.nodes().get(0), new long[] {BATCH, IN}, 0));
        assertTrue(e.getMessage().contains("fc"), e.getMessage());
        Graph transA = layer(OpType.GEMM, Attributes.of("transA", 1L, "transB", 1L), false, null);
        assertFalse(SparseLinear.supports(transA, transA.nodes().get(0), new long[] {BATCH, IN}));
    }
}
