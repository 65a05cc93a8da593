package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.models.ImageNetArchitectures;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.OrtRunner;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sparse plan against ONNX Runtime (through DJL) on the same pruned file:
 * outputs equal to 1e-4 relative at 0, 50, 90 and 98 % on ResNet-20 and
 * MobileNetV2-small (every policy) and on ResNet-18 and MobileNetV2 at
 * 224 x 224 (sparse and dense policies), BatchNorms folded and residual Adds /
 * activations fused into the conv epilogues; one decision per conv and Gemm.
 */
class SparsePlanTest extends CpuTest {
    @TempDir
    Path dir;

    private void assertMatchesOrt(Path model) throws Exception {
        assertMatchesOrt(OnnxImporter.read(model), new long[] {2, 1, 28, 28}, SparsePlan.Policy.values());
    }

    private void assertMatchesOrt(OnnxModel dense, long[] shape, SparsePlan.Policy... policies) throws Exception {
        for (double s : new double[] {0, 0.5, 0.9, 0.98}) {
            OnnxModel m = dense.withGraph(GlobalPruning.prune(dense.graph(), s));
            Path file = dir.resolve("m.onnx");
            OnnxExporter.write(m, file);
            float[] x = new float[(int) (shape[0] * shape[1] * shape[2] * shape[3])];
            SplittableRandom rng = new SplittableRandom(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble();
            }
            float[] ref = OrtRunner.run(file, x, shape).get(0).values();
            String input = m.graph().inputs().get(0).name(), output = m.graph().outputs().get(0).name();
            long layers = m.graph().prunableNodes().size();
            for (SparsePlan.Policy policy : policies) {
                try (SparsePlan plan = SparsePlan.build(m.graph(), cpu, Map.of(input, shape), 1, policy)) {
                    float[] y = plan.run(Map.of(input, x)).get(output);
                    double scale = 0;
                    for (float v : ref) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int i = 0; i < ref.length; i++) {
                        assertEquals(ref[i], y[i], 1e-4 * scale + 1e-4 * Math.abs(ref[i]),
                                m.graph().name() + " at " + s + " (" + policy + "), output " + i);
                    }
                    assertEquals(layers, plan.choices().size(), "one choice per conv and per Gemm");
                    long sparse = plan.choices().stream().filter(SparsePlan.LayerChoice::sparse).count();
                    if (policy == SparsePlan.Policy.SPARSE && s >= 0.9) {
                        assertTrue(sparse > 0, "layers run sparse at " + s);
                    }
                    if (policy == SparsePlan.Policy.DENSE || s == 0) {
                        assertEquals(0, sparse);
                    }
                }
            }
        }
    }

    private OnnxModel model(Graph g) {
        Path file = dir.resolve(g.name() + "_dense.onnx");
        OnnxExporter.write(g, file);
        return OnnxImporter.read(file);
    }

    /** The residual Adds and activations the plan fused into its convs, by op. */
    private static Map<OpType, Long> fusedOps(Graph g, SparsePlan plan) {
        Map<String, OpType> ops = new HashMap<>();
        g.nodes().forEach(n -> ops.put(n.name(), n.op()));
        return plan.choices().stream().flatMap(c -> c.fused().stream().skip(1))
                .collect(Collectors.groupingBy(ops::get, Collectors.counting()));
    }

    @Test
    void resnet18At224MatchesOnnxRuntime() throws Exception {
        Graph g = ImageNetArchitectures.resnet18(3, NetBuilder.Init.TRAINING);
        assertMatchesOrt(model(g), new long[] {1, 3, 224, 224}, SparsePlan.Policy.SPARSE,
                SparsePlan.Policy.DENSE);
        try (SparsePlan plan = SparsePlan.build(g, cpu, Map.of("image", new long[] {1, 3, 224, 224}), 1,
                SparsePlan.Policy.DENSE)) {
            // 20 convs (their BatchNorms folded) and the classifier; 8 residual Adds and all 17 ReLUs run in
            // conv epilogues
            assertEquals(21, plan.choices().size());
            assertEquals(Map.of(OpType.ADD, 8L, OpType.RELU, 17L), fusedOps(g, plan));
        }
    }

    @Test
    void mobilenetV2At224MatchesOnnxRuntime() throws Exception {
        Graph g = ImageNetArchitectures.mobilenetV2(3, NetBuilder.Init.TRAINING);
        assertMatchesOrt(model(g), new long[] {1, 3, 224, 224}, SparsePlan.Policy.SPARSE,
                SparsePlan.Policy.DENSE);
        try (SparsePlan plan = SparsePlan.build(g, cpu, Map.of("image", new long[] {1, 3, 224, 224}), 1,
                SparsePlan.Policy.DENSE)) {
            // ReLU6 (Clip) after every expand, depthwise, the stem and the last conv; 10 identity shortcuts
            long clips = g.nodes().stream().filter(n -> n.op() == OpType.CLIP).count();
            long adds = g.nodes().stream().filter(n -> n.op() == OpType.ADD).count();
            assertEquals(Map.of(OpType.CLIP, clips, OpType.ADD, adds), fusedOps(g, plan));
        }
    }

    @Test
    void resnet20MatchesOnnxRuntime() throws Exception {
        assertMatchesOrt(Path.of("../../examples/models/resnet20_fashion_mnist.onnx"));
    }

    @Test
    void mobilenetV2SmallMatchesOnnxRuntime() throws Exception {
        assertMatchesOrt(Path.of("../../examples/models/mobilenetv2_small_fashion_mnist.onnx"));
    }
}
