package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.SampleList;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxExporter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fidelity's numbers on cases with known answers: p = d (0, 1, 1), p = 2d (rel. L2 1, cosine 1), p = -d
 * (rel. L2 2, cosine -1, no agreement); and through ONNX Runtime on a segmenter-like model (a conv with a
 * [N, C, H, W] output, no top-1) against a copy with doubled weights and a classifier against its negation.
 * Tolerances: sums in double over float values, 1e-6.
 */
class FidelityTest {

    private static OrtModel.Output out(String name, float[] v, long... shape) {
        return new OrtModel.Output(name, shape, v);
    }

    @Test
    void knownRatiosOnSyntheticOutputs() {
        float[] d = {1, 2, 3, -1, 0.5f, 4};
        float[] twice = new float[6], neg = new float[6];
        for (int i = 0; i < 6; i++) {
            twice[i] = 2 * d[i];
            neg[i] = -d[i];
        }
        Fidelity same = new Fidelity(), scaled = new Fidelity(), negated = new Fidelity();
        same.add(List.of(out("y", d, 2, 3)), List.of(out("y", d, 2, 3)), 2);
        scaled.add(List.of(out("y", twice, 2, 3)), List.of(out("y", d, 2, 3)), 2);
        negated.add(List.of(out("y", neg, 2, 3)), List.of(out("y", d, 2, 3)), 2);
        Fidelity.Output s = same.result().get(0), t = scaled.result().get(0), n = negated.result().get(0);
        assertEquals(0, s.relL2(), 0);
        assertEquals(1, s.cosine(), 1e-12);
        assertEquals(1, s.top1Agreement().getAsDouble(), 0);
        assertEquals(1, t.relL2(), 1e-12);
        assertEquals(1, t.cosine(), 1e-12);
        assertEquals(2, n.relL2(), 1e-12);
        assertEquals(-1, n.cosine(), 1e-12);
        assertEquals(0, n.top1Agreement().getAsDouble(), 0);
        Fidelity map = new Fidelity();
        map.add(List.of(out("mask", d, 2, 1, 1, 3)), List.of(out("mask", d, 2, 1, 1, 3)), 2);
        assertFalse(map.result().get(0).top1Agreement().isPresent(), "[N, 1, 1, 3] is not classifier-like");
        assertTrue(assertThrows(FcptsException.class, () -> new Fidelity().add(List.of(out("y", d, 2, 3)),
                List.of(out("z", d, 2, 3)), 2)).getMessage().contains("output 'y' of the model is not an output of "
                + "the reference"));
        assertTrue(assertThrows(FcptsException.class, () -> new Fidelity().add(List.of(out("y", d, 3, 2)),
                List.of(out("y", d, 2, 3)), 2)).getMessage().contains("[3, 2] for the model but [2, 3]"));
    }

    @Test
    void thresholdedMapsAgreeByF1AndIouOfTheirPositives() {
        // reference positives above 0.5 at 0, 1, 2, 5; model positives at 1, 2, 3: both 2, F1 = 4 / 7, IoU = 2 / 5
        float[] d = {0.9f, 0.8f, 0.6f, 0.1f, 0.2f, 0.7f, 0f, 0.5f};
        float[] p = {0.4f, 0.9f, 0.7f, 0.6f, 0.1f, 0.3f, 0f, 0.5f};
        Fidelity f = new Fidelity(List.of(OutputThreshold.parse("map=0.5")));
        f.add(List.of(out("map", p, 2, 1, 2, 2), out("other", p, 2, 4)),
                List.of(out("map", d, 2, 1, 2, 2), out("other", d, 2, 4)), 2);
        Fidelity.Positives t = f.result().get(0).thresholded().orElseThrow();
        assertEquals(3, t.model());
        assertEquals(4, t.reference());
        assertEquals(2, t.both());
        assertEquals(8, t.elements());
        assertEquals(4.0 / 7, t.agreement(), 1e-12);
        assertEquals(2.0 / 5, t.iou(), 1e-12);
        assertEquals(5.0 / 8, t.elementAgreement(), 1e-12, "3 of 8 elements change sides");
        assertFalse(f.result().get(1).thresholded().isPresent(), "no threshold, no count");
        assertEquals(2.0 / 5, ((Number) ((java.util.Map<?, ?>) f.result().get(0).toMap().get("threshold"))
                .get("iou")).doubleValue(), 0, "the JSON block carries the same IoU");

        // logits: sigmoid(x) > 0.75 is x > ln 3 = 1.0986
        Fidelity logits = new Fidelity(List.of(OutputThreshold.parse("s=sigmoid:0.75")));
        float[] x = {1.2f, 1.0f, 3f, -2f};
        logits.add(List.of(out("s", x, 1, 4, 1)), List.of(out("s", x, 1, 4, 1)), 1);
        Fidelity.Positives q = logits.result().get(0).thresholded().orElseThrow();
        assertEquals(2, q.reference(), "1.2 and 3 are above ln 3, 1.0 is not");
        assertEquals(1, q.agreement(), 0);

        Fidelity none = new Fidelity(List.of(OutputThreshold.parse("m=5")));
        none.add(List.of(out("m", p, 8)), List.of(out("m", d, 8)), 8);
        assertEquals(1, none.result().get(0).thresholded().orElseThrow().agreement(), 0, "both empty agree");

        assertTrue(assertThrows(FcptsException.class, () -> new Fidelity(List.of(OutputThreshold.parse("zz=1")))
                .add(List.of(out("y", d, 2, 4)), List.of(out("y", d, 2, 4)), 2)).getMessage()
                .contains("no such output; its outputs: [y]"));
        for (String bad : new String[] {"=0.5", "m=", "m=abc", "m=sigmoid:1", "m=sigmoid:0", "m=NaN"}) {
            assertThrows(FcptsException.class, () -> OutputThreshold.parse(bad), bad);
        }
        assertTrue(assertThrows(FcptsException.class, () -> new Fidelity(List.of(OutputThreshold.parse("m=1"),
                OutputThreshold.parse("m=2")))).getMessage().contains("two thresholds"));
    }

    private static Path convNet(Path file, float scale) {
        return convNet(file, scale, -1);
    }

    /** A bias-free 3 x 3 conv [batch, 3, 8, 10] -> [batch, 4, 8, 10]; batch -1 leaves it symbolic. */
    private static Path convNet(Path file, float scale, long batch) {
        NetBuilder b = new NetBuilder("seg", 1, NetBuilder.Init.TRAINING);
        SplittableRandom rng = new SplittableRandom(3);
        float[] w = new float[4 * 3 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = scale * (float) (rng.nextDouble() - 0.5);
        }
        String y = b.node(OpType.CONV, Attributes.of("kernel_shape", new long[] {3, 3}, "pads",
                new long[] {1, 1, 1, 1}), b.input("image", 3, 8, 10),
                b.constant("w", TensorData.ofFloats(new long[] {4, 3, 3, 3}, w)));
        b.output(y, batch, 4, 8, 10);
        Graph g = b.build();
        OnnxExporter.write(new Graph(g.name(), List.of(new ValueInfo("image", DataType.FLOAT,
                new long[] {batch, 3, 8, 10})), g.outputs(), g.nodes(), g.initializers()), file);
        return file;
    }

    private static LabeledImages noise(int n) {
        SplittableRandom rng = new SplittableRandom(5);
        List<float[]> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] s = new float[3 * 8 * 10];
            for (int k = 0; k < s.length; k++) {
                s[k] = (float) rng.nextDouble();
            }
            samples.add(s);
        }
        return SampleList.of(samples, 3, 8, 10);
    }

    @Test
    void segmenterLikeModelThroughOnnxRuntime(@TempDir Path dir) {
        Path dense = convNet(dir.resolve("d.onnx"), 1), doubled = convNet(dir.resolve("p.onnx"), 2);
        OrtEvaluator.Comparison c = OrtEvaluator.compare(doubled, dense, noise(7), 3);
        assertEquals(7, c.samples());
        Fidelity.Output o = c.fidelity().get(0);
        assertEquals(1, o.relL2(), 1e-6, "doubling every weight of a bias-free conv doubles its output");
        assertEquals(1, o.cosine(), 1e-6);
        assertFalse(o.top1Agreement().isPresent());
        assertFalse(c.accuracy().isPresent(), "no labels, no accuracy");
        OrtEvaluator.Comparison self = OrtEvaluator.compare(dense, dense, noise(4), 4);
        assertEquals(0, self.fidelity().get(0).relL2(), 0);
        assertTrue(assertThrows(FcptsException.class, () -> OrtEvaluator.evaluate(dense, noise(2), 2))
                .getMessage().contains("no labels"));
    }

    @Test
    void aModelThatFixesItsBatchAtOneIsScoredOneImagePerRun(@TempDir Path dir) {
        Path dense = convNet(dir.resolve("d1.onnx"), 1, 1), doubled = convNet(dir.resolve("p1.onnx"), 2, 1);
        OrtEvaluator.Comparison c = OrtEvaluator.compare(doubled, dense, noise(5), 100);
        assertEquals(5, c.samples());
        assertEquals(1, c.fidelity().get(0).relL2(), 1e-6, "the same numbers as at a free batch");
        assertEquals(5, c.fidelity().get(0).samples(), "five runs of one image, not one run of five");
    }
}
