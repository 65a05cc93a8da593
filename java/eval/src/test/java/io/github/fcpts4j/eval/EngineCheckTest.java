package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.testing.TestData;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The library side of {@code fcpts check}: the bound and the two error measures on hand-made values (the
 * edges: the 1e-4 floor of max rel, NaN and infinities, shape mismatches, a missing output), input shape
 * resolution, the seeded inputs, and the whole check on the shipped ResNet-20 with and without a weight
 * that only our engine sees.
 */
class EngineCheckTest {
    private static final Path RESNET = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");

    private static OrtModel.Output ref(String name, long[] shape, float... v) {
        return new OrtModel.Output(name, shape, v);
    }

    @Test
    void boundAndErrorMeasures() {
        // |d| = 1.5e-4 at ref 1 (allowed 2e-4: passes); |d| = 5e-5 at ref 0 (allowed 1e-4: passes, rel 0.5 via the floor)
        EngineCheck.OutputCheck ok = EngineCheck.values("y", new long[] {3}, new float[] {1.00015f, 5e-5f, -2f},
                new float[] {1f, 0f, -2f});
        assertTrue(ok.ok(), ok.describe());
        assertEquals(1.5e-4, ok.maxAbs(), 1e-7, "float32 spacing near 1 is 1.2e-7");
        assertEquals(0.5, ok.maxRel(), 1e-6, "|d| / max(|0|, 1e-4)");
        // 2.5e-4 at ref 1 is outside 2e-4; reported as the worst element
        EngineCheck.OutputCheck bad = EngineCheck.values("y", new long[] {2}, new float[] {0f, 1.00025f},
                new float[] {0f, 1f});
        assertFalse(bad.ok());
        assertEquals(1, bad.mismatches());
        assertEquals(1, bad.worst());
        assertTrue(bad.describe().contains("1 of 2 elements outside") && bad.describe().contains("worst [1]"),
                bad.describe());
        // equal NaNs and equal infinities agree; NaN against a number, or opposite infinities, do not
        EngineCheck.OutputCheck special = EngineCheck.values("y", new long[] {2}, new float[] {Float.NaN,
                Float.POSITIVE_INFINITY}, new float[] {Float.NaN, Float.POSITIVE_INFINITY});
        assertTrue(special.ok(), special.describe());
        EngineCheck.OutputCheck nan = EngineCheck.values("y", new long[] {2}, new float[] {Float.NaN, 1f},
                new float[] {0f, 1f});
        assertFalse(nan.ok());
        assertEquals(Double.POSITIVE_INFINITY, nan.maxAbs());
        assertFalse(EngineCheck.values("y", new long[] {1}, new float[] {Float.NEGATIVE_INFINITY},
                new float[] {Float.POSITIVE_INFINITY}).ok());
    }

    @Test
    void shapeMismatchAndMissingOutputsFailWithAMessage() {
        List<EngineCheck.OutputCheck> r = EngineCheck.compareOutputs(
                List.of(ref("a", new long[] {1, 4}, 1, 2, 3, 4), ref("b", new long[] {2}, 1, 2)),
                Map.of("a", new float[] {1, 2, 3, 4}, "c", new float[] {0}),
                Map.of("a", new long[] {2, 2}, "c", new long[] {1}));
        assertEquals(3, r.size());
        assertEquals("shape mismatch: ONNX Runtime gives [1, 4], our engine [2, 2]", r.get(0).describe());
        assertTrue(Double.isNaN(r.get(0).maxAbs()));
        assertTrue(r.get(1).describe().startsWith("our engine gives no output 'b'"), r.get(1).describe());
        assertEquals("ONNX Runtime gives no float output 'c'", r.get(2).describe());
        assertTrue(r.stream().noneMatch(EngineCheck.OutputCheck::ok));
    }

    @Test
    void inputShapesResolveWithBatchOneAndRefuseWhatDoesNotFit() {
        Map<String, long[]> declared = new java.util.LinkedHashMap<>();
        declared.put("x", new long[] {-1, 3, -1, -1});
        declared.put("s", new long[] {-1, 2});
        Map<String, long[]> r = EngineCheck.resolveShapes(declared, Map.of("x", new long[] {2, 3, 96, 160}));
        assertArrayEquals(new long[] {2, 3, 96, 160}, r.get("x"));
        assertArrayEquals(new long[] {1, 2}, r.get("s"), "a symbolic batch not given is 1");
        for (Map<String, long[]> given : List.of(Map.<String, long[]>of(),
                Map.of("x", new long[] {1, 4, 96, 160}), Map.of("x", new long[] {1, 3, 96}),
                Map.of("y", new long[] {1}))) {
            FcptsException e = assertThrows(FcptsException.class, () -> EngineCheck.resolveShapes(declared, given));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("--input-shape"), e.getMessage());
        }
    }

    @Test
    void inputsAreTheSuitesSeededUniformNumbers() {
        Map<String, float[]> x = EngineCheck.inputs(Map.of("image", new long[] {1, 1, 28, 28}), 99);
        assertArrayEquals(TestData.uniform(784, 99), x.get("image"));
    }

    @Test
    void resnet20PassesAndFailsWithAWeightOnlyOurEngineSees() {
        EngineCheck.Result r = EngineCheck.run(RESNET, EngineCheck.Settings.defaults());
        assertTrue(r.ok(), r.outputs().get(0).describe());
        assertEquals(1, r.outputs().size());
        assertTrue(r.outputs().get(0).maxAbs() < 1e-4);

        OnnxModel m = OnnxImporter.read(RESNET);
        Graph g = m.graph();
        String bias = g.prunableNodes().get(g.prunableNodes().size() - 1).input(2);   // the classifier's bias
        TensorData t = g.initializer(bias).orElseThrow();
        float[] v = t.floats().clone();
        v[0] += 1e-2f;                                                                 // logit 0 moves by 1e-2
        EngineCheck.Result changed = EngineCheck.compare(RESNET, m.withGraph(g.withInitializer(bias,
                TensorData.ofFloats(t.dims(), v))), EngineCheck.Settings.defaults());
        assertFalse(changed.ok());
        EngineCheck.OutputCheck o = changed.outputs().get(0);
        assertEquals(1, o.mismatches(), o.describe());
        assertEquals(0, o.worst());
        assertEquals(1e-2, o.maxAbs(), 1e-4, o.describe());
    }
}
