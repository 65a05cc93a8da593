package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.LabeledTextLines;
import io.github.fcpts4j.data.SampleList;
import io.github.fcpts4j.testing.CtcModels;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OcrEvaluator} end to end through ONNX Runtime on tiny "recognizers" whose output is their input
 * reshaped to [N, T, C], so the scores, and hence the decoded texts, are chosen by the test: the model
 * ({@code Reshape}) reads what the scores say; the reference additionally lowers class 1 ('a') by 10, so
 * it reads every line without its a's. Labels, texts, distances and agreements are counted by hand below.
 * The models carry their dictionary in {@code metadata_props}, with a character outside the Basic
 * Multilingual Plane ('𣇉', U+231C9) that ONNX Runtime's Java metadata API mangles: it must come back intact.
 */
class OcrEvaluatorTest {
    /** Classes: 0 blank, 1 'a', 2 '𣇉', 3 'c', 4 space. */
    private static final int T = 6, C = 5;
    private static final String DICTIONARY = "a\n𣇉\nc\n";

    @TempDir
    Path dir;

    private Path model(String name, boolean dropA, boolean withDictionary) throws Exception {
        return CtcModels.write(dir.resolve(name), new long[] {1, T, C}, T, C, dropA, withDictionary ? DICTIONARY
                : null);
    }

    /** Lines whose scores follow the given best paths (0.9 on the class, 0.025 elsewhere). */
    private record Lines(List<String> labels, List<int[]> paths) implements LabeledTextLines {
        @Override
        public String text(int i) {
            return labels.get(i);
        }

        @Override
        public int size() {
            return labels.size();
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int rows() {
            return T;
        }

        @Override
        public int cols() {
            return C;
        }

        @Override
        public int read(int i, float[] dst, int offset) {
            for (int t = 0; t < T; t++) {
                for (int c = 0; c < C; c++) {
                    dst[offset + t * C + c] = c == paths.get(i)[t] ? 0.9f : 0.025f;
                }
            }
            return -1;
        }
    }

    private static final Lines LINES = new Lines(
            List.of("a𣇉", "c c", "aa", "ca", "𣇉"),
            List.of(new int[] {1, 1, 2, 0, 0, 0},      // "a𣇉"  (label right)
                    new int[] {3, 4, 4, 3, 0, 0},      // "c c"  (right)
                    new int[] {1, 0, 1, 1, 0, 0},      // "aa"   (right: a blank keeps the repeat)
                    new int[] {3, 3, 0, 0, 0, 0},      // "c"    (label "ca": 1 edit)
                    new int[] {0, 3, 2, 0, 0, 0}));    // "c𣇉"  (label "𣇉": 1 edit)

    @Test
    void scoresTextsAgainstLabelsAndTheReference() throws Exception {
        Path m = model("m.onnx", false, true), r = model("r.onnx", true, true);
        try (OrtModel model = OrtModel.open(m); OrtModel reference = OrtModel.open(r)) {
            CtcDictionary d = CtcDictionary.fromModel(model).orElseThrow();
            assertEquals(List.of("a", "𣇉", "c"), d.entries(), "metadata read intact, outside the BMP too");
            assertEquals(Optional.of("y"), OcrEvaluator.ctcOutput(model, d));
            OcrEvaluator.Result res = OcrEvaluator.evaluate(model, reference, LINES, d, "y", 2);
            assertEquals(List.of("a𣇉", "c c", "aa", "c", "c𣇉"), res.texts());
            assertEquals(5, res.lines());
            assertEquals(5, res.classes());
            assertTrue(res.space());
            TextAccuracy.Score a = res.accuracy().orElseThrow();
            assertEquals(2, a.edits());
            assertEquals(2 + 3 + 2 + 2 + 1, a.truthChars(), "code points: 𣇉 is one");
            assertEquals(3, a.exact());
            assertEquals(1 - 2.0 / 10, a.charAccuracy(), 1e-15);
            // the reference reads without a's: "𣇉", "c c", "", "c", "c𣇉" -> edits 1 + 0 + 2 + 1 + 1 = 5
            TextAccuracy.Score ra = res.referenceAccuracy().orElseThrow();
            assertEquals(5, ra.edits());
            assertEquals(1, ra.exact());
            // agreement, the reference's text as truth: 1 + 0 + 2 + 0 + 0 = 3 edits over 1 + 3 + 0 + 1 + 2 = 7
            TextAccuracy.Score ag = res.agreement().orElseThrow();
            assertEquals(3, ag.edits());
            assertEquals(7, ag.truthChars());
            assertEquals(3, ag.exact());
            assertEquals(1, res.fidelity().size());
            assertTrue(res.fidelity().get(0).relL2() > 0);
            assertEquals(List.of(3, 4), res.mistakes().stream().map(OcrEvaluator.Line::index).toList());
            assertEquals("ca", res.mistakes().get(0).truth());
            assertEquals("c", res.mistakes().get(0).decoded());
            assertEquals(Optional.of("c"), res.mistakes().get(0).referenceDecoded());

            OcrEvaluator.Result alone = OcrEvaluator.evaluate(model, null, LINES, d, "y", 3);
            assertEquals(a, alone.accuracy().orElseThrow(), "batches of 3 score as batches of 2");
            assertTrue(alone.agreement().isEmpty() && alone.referenceAccuracy().isEmpty());
            assertTrue(alone.fidelity().isEmpty());
        }
    }

    @Test
    void mismatchesAreNamed() throws Exception {
        Path m = model("m.onnx", false, false);
        try (OrtModel model = OrtModel.open(m)) {
            assertTrue(CtcDictionary.fromModel(model).isEmpty(), "no metadata, no dictionary");
            CtcDictionary four = CtcDictionary.parse("a\nb\nc\nd\ne\n", "five.txt");
            assertEquals(Optional.empty(), OcrEvaluator.ctcOutput(model, four), "C = 5 fits K = 3 or 4 only");
            String wrong = assertThrows(FcptsException.class, () -> OcrEvaluator.evaluate(model, null, LINES, four,
                    "y", 5)).getMessage();
            assertTrue(wrong.contains("the 5-entry CTC dictionary from five.txt does not fit an output of 5 "
                    + "classes"), wrong);
            CtcDictionary d = CtcDictionary.parse(DICTIONARY, "d");
            String output = assertThrows(FcptsException.class, () -> OcrEvaluator.evaluate(model, null, LINES, d,
                    "z", 5)).getMessage();
            assertTrue(output.contains(m + " has no output 'z' (its outputs: [y])"), output);
            SampleList unlabelled = SampleList.of(List.of(new float[T * C]), 1, T, C);
            String nothing = assertThrows(FcptsException.class, () -> OcrEvaluator.evaluate(model, null,
                    unlabelled, d, "y", 5)).getMessage();
            assertTrue(nothing.contains("the data has no text labels"), nothing);
        }
    }
}
