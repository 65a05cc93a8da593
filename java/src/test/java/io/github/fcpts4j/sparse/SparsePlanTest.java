package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.OrtRunner;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sparse plan against ONNX Runtime (through DJL) on the same pruned file:
 * outputs equal to 1e-4 relative on ResNet-20 and MobileNetV2-small at 0, 50,
 * 90 and 98 %, with every eligible conv forced sparse and with the timed choice;
 * the plan reports one decision per conv.
 */
class SparsePlanTest extends CpuTest {
    @TempDir
    Path dir;

    private static OnnxModel pruned(Path file, double sparsity) {
        OnnxModel m = OnnxImporter.read(file);
        return m.withGraph(GlobalPruning.prune(m.graph(), sparsity));
    }

    private void assertMatchesOrt(Path model) throws Exception {
        for (double s : new double[] {0, 0.5, 0.9, 0.98}) {
            OnnxModel m = pruned(model, s);
            Path file = dir.resolve("m.onnx");
            OnnxExporter.write(m, file);
            float[] x = new float[2 * 28 * 28];
            SplittableRandom rng = new SplittableRandom(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble();
            }
            float[] ref = OrtRunner.run(file, x, 2, 1, 28, 28).get(0).values();
            String input = m.graph().inputs().get(0).name(), output = m.graph().outputs().get(0).name();
            long convs = m.graph().nodes().stream().filter(n -> n.op() == io.github.fcpts4j.ir.OpType.CONV).count();
            for (SparsePlan.Policy policy : SparsePlan.Policy.values()) {
                try (SparsePlan plan = SparsePlan.build(m.graph(), cpu, Map.of(input, new long[] {2, 1, 28, 28}), 0,
                        1, policy)) {
                    float[] y = plan.run(Map.of(input, x)).get(output);
                    double scale = 0;
                    for (float v : ref) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int i = 0; i < ref.length; i++) {
                        assertEquals(ref[i], y[i], 1e-4 * scale + 1e-4 * Math.abs(ref[i]),
                                model.getFileName() + " at " + s + " (" + policy + "), logit " + i);
                    }
                    assertEquals(convs, plan.choices().size());
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

    @Test
    void resnet20MatchesOnnxRuntime() throws Exception {
        assertMatchesOrt(Path.of("../examples/models/resnet20_fashion_mnist.onnx"));
    }

    @Test
    void mobilenetV2SmallMatchesOnnxRuntime() throws Exception {
        assertMatchesOrt(Path.of("../examples/models/mobilenetv2_small_fashion_mnist.onnx"));
    }
}
