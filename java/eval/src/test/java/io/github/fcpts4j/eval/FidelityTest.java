package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.SampleList;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
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

    private static Path convNet(Path file, float scale) {
        NetBuilder b = new NetBuilder("seg", 1, NetBuilder.Init.TRAINING);
        SplittableRandom rng = new SplittableRandom(3);
        float[] w = new float[4 * 3 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = scale * (float) (rng.nextDouble() - 0.5);
        }
        String y = b.node(OpType.CONV, Attributes.of("kernel_shape", new long[] {3, 3}, "pads",
                new long[] {1, 1, 1, 1}), b.input("image", 3, 8, 10),
                b.constant("w", TensorData.ofFloats(new long[] {4, 3, 3, 3}, w)));
        b.output(y, -1, 4, 8, 10);
        OnnxExporter.write(b.build(), file);
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
}
