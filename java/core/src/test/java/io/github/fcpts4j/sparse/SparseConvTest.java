package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.backend.cpu.CpuSparseConvPlan;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.TestNets;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Every Conv of three models (ResNet-20, the small MobileNetV2 with depthwise
 * and pointwise layers, and the all-ops net with stride 2, biases and odd
 * sizes), pruned by global magnitude to 0, 50, 90 and 98 %, computed from CSR
 * against the dense oneDNN engine on the same inputs (batch 3).
 */
class SparseConvTest extends CpuTest {

    private void assertEveryConvMatches(Graph dense, long[] inputShape) {
        for (double s : new double[] {0, 0.5, 0.9, 0.98}) {
            Graph g = GlobalPruning.prune(dense, s);
            List<Node> convs = g.nodes().stream().filter(n -> n.op() == OpType.CONV).toList();
            Set<String> observed = new java.util.HashSet<>();
            for (Node n : convs) {
                if (g.producer(n.input(0)).isPresent()) {
                    observed.add(n.input(0));
                }
                if (g.outputs().stream().noneMatch(o -> o.name().equals(n.output()))) {
                    observed.add(n.output());
                }
            }
            String input = g.inputs().get(0).name();
            float[] x = new float[(int) (inputShape[0] * inputShape[1] * inputShape[2] * inputShape[3])];
            SplittableRandom rng = new SplittableRandom(7);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of(input, inputShape), false, observed)) {
                e.run(Map.of(input, x));
                for (Node n : convs) {
                    float[] y;
                    double layerSparsity;
                    try (SparseConv conv = new SparseConv(g, n, e.shape(n.input(0)), 0)) {
                        assertArrayEquals(e.shape(n.output()), conv.outputShape(), n.name());
                        y = conv.forward(e.value(n.input(0)).toArray());
                        layerSparsity = conv.weight().sparsity();
                    }
                    float[] ref = e.value(n.output()).toArray();
                    double scale = 0;
                    for (float v : ref) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    // fp32 dot products of up to 576 terms summed in another order than oneDNN's:
                    // 1e-5 of the layer's largest output plus 1e-5 relative (about 100 float epsilons)
                    for (int i = 0; i < ref.length; i++) {
                        assertEquals(ref[i], y[i], 1e-5 * scale + 1e-5 * Math.abs(ref[i]),
                                n.name() + " at " + s + ", element " + i);
                    }
                    assertEquals(s == 0 ? 0 : 1, layerSparsity > 0 ? 1 : 0, n.name() + " sparsity");
                }
            }
        }
    }

    @Test
    void resnet20ConvsMatchTheDenseEngine() {
        assertEveryConvMatches(OnnxImporter.read(Path.of("../../examples/models/resnet20_fashion_mnist.onnx")).graph(),
                new long[] {3, 1, 28, 28});
    }

    @Test
    void mobilenetDepthwiseAndPointwiseConvsMatch() {
        assertEveryConvMatches(OnnxImporter.read(Path.of(
                "../../examples/models/mobilenetv2_small_fashion_mnist.onnx")).graph(), new long[] {3, 1, 28, 28});
    }

    @Test
    void oddSizesStridesAndBiasesMatch() {
        assertEveryConvMatches(TestNets.allOpsNet(11), new long[] {3, 3, 17, 17});
    }

    @Test
    void aClosedConvRefusesToRunAndClosesTwice() {
        Graph g = OnnxImporter.read(Path.of("../../examples/models/resnet20_fashion_mnist.onnx")).graph();
        Node first = g.nodes().stream().filter(n -> n.op() == OpType.CONV).findFirst().orElseThrow();
        SparseConv conv = new SparseConv(g, first, new long[] {1, 1, 28, 28}, 1);
        conv.close();
        conv.close();
        assertThrows(IllegalStateException.class,
                () -> conv.forward(new float[28 * 28]));
    }

    @Test
    void stridesDilationsAsymmetricPadsAndGroupsMatch() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] w = new float[6 * 2 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 3 == 0 ? 0f : (float) rng.nextGaussian();
        }
        for (long[] stride : new long[][] {{1, 1}, {2, 3}, {3, 2}}) {
            Node conv = new Node("conv", OpType.CONV, List.of("x", "w", "b"), List.of("y"), Attributes.of(
                    "strides", stride, "dilations", new long[] {2, 1}, "pads", new long[] {1, 0, 2, 1},
                    "group", 2L, "kernel_shape", new long[] {3, 3}));
            Map<String, TensorData> init = new java.util.LinkedHashMap<>();
            init.put("w", TensorData.ofFloats(new long[] {6, 2, 3, 3}, w));
            init.put("b", TensorData.ofFloats(new long[] {6}, new float[] {1, -1, 0.5f, 0, 2, -2}));
            Graph g = new Graph("strided", List.of(new ValueInfo("x", DataType.FLOAT, new long[] {2, 4, 13, 11})),
                    List.of(new ValueInfo("y", DataType.FLOAT, new long[] {-1, 6, -1, -1})), List.of(conv), init);
            float[] x = new float[2 * 4 * 13 * 11];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            long[] shape = {2, 4, 13, 11};
            try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("x", shape));
                 SparseConv sparse = new SparseConv(g, conv, shape, 0)) {
                float[] ref = e.run(Map.of("x", x)).get("y");
                assertArrayEquals(e.shape("y"), sparse.outputShape());
                // sums of up to 18 products of unit Gaussians (|y| below ~10) in another order than oneDNN's:
                // 1e-4 absolute is about 100 float ulps at that size
                assertArrayEquals(ref, sparse.forward(x), 1e-4f, "strides " + java.util.Arrays.toString(stride));
            }
        }
    }

    @Test
    void malformedCsrIsANamedErrorNotACrash() {
        WindowGeometry g = new WindowGeometry(1, 2, 5, 5, 2, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        FcptsException e = assertThrows(FcptsException.class, () -> new CpuSparseConvPlan(g, new int[] {0, 1, 2},
                new int[] {3, 18}, new float[] {1, 2}, null, false, ConvActivation.NONE, 0, 0, 1));
        assertTrue(e.getMessage().contains("col_idx[1] = 18 outside [0, 18)"), e.getMessage());
        e = assertThrows(FcptsException.class, () -> new CpuSparseConvPlan(g, new int[] {0, 2, 1},
                new int[] {3, 4}, new float[] {1, 2}, null, false, ConvActivation.NONE, 0, 0, 1));
        assertTrue(e.getMessage().contains("row_ptr decreases at row 1"), e.getMessage());
        e = assertThrows(FcptsException.class, () -> new CpuSparseConvPlan(g, new int[] {0, 2, 2},
                new int[] {4, 3}, new float[] {1, 2}, null, false, ConvActivation.NONE, 0, 0, 1));
        assertTrue(e.getMessage().contains("col_idx not increasing in row 0 at 1 (3 after 4)"), e.getMessage());
    }

    @Test
    void csrRoundTripsAndDropsExactZerosOnly() {
        float[] dense = {0, 1.5f, 0, -0f, 2, 0, 0, 0, 3, 4, 0, 5};
        CsrMatrix m = CsrMatrix.of(dense, 3, 4);
        assertEquals(5, m.nonZeros());
        assertArrayEquals(new int[] {0, 1, 2, 5}, m.rowPtr());
        assertArrayEquals(new int[] {1, 0, 0, 1, 3}, m.colIdx());
        float[] back = m.toDense();
        for (int i = 0; i < dense.length; i++) {
            assertEquals(dense[i] == 0 ? 0f : dense[i], back[i], 0f);
        }
        assertTrue(Math.abs(m.sparsity() - 7.0 / 12) < 1e-12);
    }
}
