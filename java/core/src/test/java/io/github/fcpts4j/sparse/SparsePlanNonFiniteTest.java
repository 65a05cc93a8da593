package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.NonFinite;
import io.github.fcpts4j.testing.OrtRunner;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.TestNets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Non-finite inputs through the sparse plan's layers as through ONNX Runtime (issue 18 item 2): each graph is
 * one chain the plan fuses (Conv alone, Conv + BatchNorm + Relu, Conv + residual Add + Relu, Conv + Clip,
 * strided and depthwise convs, Gemm), its weight half zeros, its input holding NaN, +Inf and -Inf; run
 * sparse (Policy.SPARSE: the CSR kernels) and dense (Policy.DENSE: oneDNN with the epilogue as post-ops),
 * the output has NaN exactly where ONNX Runtime's has (same infinities, finite values within 1e-4 +
 * 1e-4 |ref|). ONNX Runtime computes the dense sum, where a zero weight times an infinite input is NaN: a
 * kernel that skips zero weights must still give NaN there, and an epilogue {@code v > 0 ? v : 0} must not
 * turn NaN into 0.
 */
class SparsePlanNonFiniteTest extends CpuTest {
    private static final long[] SHAPE = {2, 4, 9, 11};

    /** A chain: its nodes in order, fed by "x", the last writing "y"; constants by name. */
    record Chain(String name, List<Node> nodes, Map<String, TensorData> constants, long[] input) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Node conv(String out, String in, Attributes a, boolean bias) {
        return new Node("conv", OpType.CONV, bias ? List.of(in, "w", "b") : List.of(in, "w"), List.of(out), a);
    }

    private static Map<String, TensorData> weights(long seed, long... dims) {
        Map<String, TensorData> c = new LinkedHashMap<>();
        c.put("w", NonFinite.weights(seed, 2, dims));
        c.put("b", NonFinite.weights(seed + 1, 0, dims[0]));
        return c;
    }

    static Stream<Arguments> chains() {
        Attributes same = Attributes.of("pads", new long[] {1, 1, 1, 1});
        List<Chain> c = new ArrayList<>();
        c.add(new Chain("conv", List.of(conv("y", "x", same, true)), weights(1, 6, 4, 3, 3), SHAPE));
        Map<String, TensorData> bn = weights(2, 6, 4, 3, 3);
        bn.put("s", TensorData.ofFloats(new long[] {6}, TestData.uniform(6, 3, 1.0)));
        bn.put("t", TensorData.ofFloats(new long[] {6}, TestData.uniform(6, 4, 1.0)));
        bn.put("m", TensorData.ofFloats(new long[] {6}, TestData.uniform(6, 5, 0.5)));
        bn.put("v", TensorData.ofFloats(new long[] {6}, new float[] {1, 0.5f, 2, 1.5f, 0.25f, 1}));
        c.add(new Chain("conv batch norm relu", List.of(conv("c", "x", same, true),
                new Node("bn", OpType.BATCH_NORMALIZATION, List.of("c", "s", "t", "m", "v"), List.of("n"),
                        Attributes.of("epsilon", 1e-5f)),
                new Node("relu", OpType.RELU, List.of("n"), List.of("y"), Attributes.empty())), bn, SHAPE));
        c.add(new Chain("conv residual relu", List.of(conv("c", "x", same, true),
                new Node("add", OpType.ADD, List.of("c", "x"), List.of("s"), Attributes.empty()),
                new Node("relu", OpType.RELU, List.of("s"), List.of("y"), Attributes.empty())), weights(6, 4, 4, 3, 3),
                SHAPE));
        Map<String, TensorData> clip = weights(7, 6, 4, 1, 1);
        clip.put("lo", TensorData.ofFloats(new long[] {}, new float[] {0f}));
        clip.put("hi", TensorData.ofFloats(new long[] {}, new float[] {6f}));
        c.add(new Chain("conv 1x1 clip", List.of(conv("c", "x", Attributes.empty(), true),
                new Node("clip", OpType.CLIP, List.of("c", "lo", "hi"), List.of("y"), Attributes.empty())), clip,
                SHAPE));
        c.add(new Chain("conv stride 2 relu", List.of(conv("c", "x", Attributes.of("strides", new long[] {2, 2},
                "pads", new long[] {1, 1, 1, 1}), false),
                new Node("relu", OpType.RELU, List.of("c"), List.of("y"), Attributes.empty())), weights(8, 5, 4, 3, 3),
                SHAPE));
        c.add(new Chain("conv depthwise", List.of(conv("y", "x", Attributes.of("group", 4L, "pads",
                new long[] {1, 1, 1, 1}), true)), weights(9, 4, 1, 3, 3), SHAPE));
        Map<String, TensorData> fc = new LinkedHashMap<>();
        fc.put("w", NonFinite.weights(10, 2, 7, 30));
        fc.put("b", NonFinite.weights(11, 0, 7));
        c.add(new Chain("gemm", List.of(new Node("fc", OpType.GEMM, List.of("x", "w", "b"), List.of("y"),
                Attributes.of("transB", 1L))), fc, new long[] {5, 30}));
        return c.stream().map(Arguments::of);
    }

    private static Graph graph(Chain k) {
        Graph probe = new Graph("probe", List.of(new ValueInfo("x", DataType.FLOAT, k.input())), List.of(), k.nodes(),
                k.constants());
        long[] y = io.github.fcpts4j.ir.ShapeInference.infer(probe, Map.of("x", k.input())).get("y");
        return new Graph(k.name().replace(' ', '_'), probe.inputs(), List.of(new ValueInfo("y", DataType.FLOAT, y)),
                k.nodes(), k.constants());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chains")
    void sparseAndDenseLayersPropagateNonFiniteValuesAsOnnxRuntime(Chain k, @TempDir Path dir) throws Exception {
        Graph g = graph(k);
        Path file = dir.resolve("chain.onnx");
        OnnxExporter.write(g, file);
        float[] x = NonFinite.input(k.input(), 91);
        float[] ref = OrtRunner.run(file, x, k.input()).get(0).values();
        for (SparsePlan.Policy policy : new SparsePlan.Policy[] {SparsePlan.Policy.SPARSE, SparsePlan.Policy.DENSE}) {
            try (SparsePlan plan = SparsePlan.build(g, cpu, Map.of("x", k.input()), 1, policy)) {
                long sparse = plan.choices().stream().filter(SparsePlan.LayerChoice::sparse).count();
                assertEquals(policy == SparsePlan.Policy.SPARSE ? 1 : 0, sparse, k + " " + policy + ": sparse layers");
                NonFinite.assertSameNonFinite(k + " (" + policy + ")", ref, plan.run(Map.of("x", x)).get("y"));
            }
        }
    }

    /**
     * The case: one NaN pixel in the first of two images of a pruned ResNet-20. ONNX Runtime's logits
     * for that image are all NaN and the other image's are finite; so are ours, from the engine and from the
     * plan run sparse and dense (before, the ReLUs turned the NaN into 0 and gave confident finite logits).
     */
    @Test
    void aNaNPixelGivesNaNLogitsAsInOnnxRuntime(@TempDir Path dir) throws Exception {
        Graph g = GlobalPruning.prune(TestNets.resnet20(4), 0.8);
        long[] shape = {2, 1, 28, 28};
        Path file = dir.resolve("resnet20.onnx");
        OnnxExporter.write(g, file);
        float[] x = TestData.uniform(2 * 784, 12, 1.0);
        x[14 * 28 + 9] = Float.NaN;
        float[] ref = OrtRunner.run(file, x, shape).get(0).values();
        for (int i = 0; i < ref.length; i++) {
            assertEquals(i < ref.length / 2, Float.isNaN(ref[i]), "ONNX Runtime's logit " + i);
        }
        String input = g.inputs().get(0).name(), output = g.outputs().get(0).name();
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of(input, shape))) {
            NonFinite.assertSameNonFinite("engine", ref, e.run(Map.of(input, x)).get(output));
        }
        for (SparsePlan.Policy policy : new SparsePlan.Policy[] {SparsePlan.Policy.SPARSE, SparsePlan.Policy.DENSE}) {
            try (SparsePlan plan = SparsePlan.build(g, cpu, Map.of(input, shape), 1, policy)) {
                assertTrue(policy == SparsePlan.Policy.DENSE
                        || plan.choices().stream().anyMatch(SparsePlan.LayerChoice::sparse), "layers run sparse");
                NonFinite.assertSameNonFinite("plan " + policy, ref, plan.run(Map.of(input, x)).get(output));
            }
        }
    }
}
