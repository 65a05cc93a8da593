package io.github.fcpts4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import io.github.fcpts4j.data.TextLineRenderer;
import io.github.fcpts4j.testing.CtcModels;
import io.github.fcpts4j.testing.ImageModels;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fcpts eval} on CTC recognizers from the CLI, through the whole path: a textlines: folder, PaddleOCR's
 * preprocessing (pad-right resize to the model's 2 x 5 input, 0.5 / 0.5, BGR), ONNX Runtime, greedy
 * decoding with the dictionary from the model's metadata or --dict, and the scores. The recognizer is x
 * [N, 3, 2, 5] reshaped to [N, 6, 5], so time step t is one row of one channel (B row 0, B row 1, G row 0,
 * ..., R row 1) and its arg-max the column lit at 255 there (no lit column: all -1, the blank). Each PNG is
 * drawn from the best path the test wants, so the texts are known by construction and an RGB read (or a
 * wrong row order) would decode other texts. Also the --task / --dict decisions and their errors, and
 * textlines: as calibration data for prune.
 */
class OcrEvalCommandTest {
    /** Classes 0 blank, 1 a, 2 b, 3 c, 4 space. */
    private static final String DICTIONARY = "a\nb\nc\n";

    @TempDir
    Path dir;

    /** A 5 x 2 PNG whose 6 time steps choose {@code path}'s classes. */
    private static BufferedImage line(int... path) {
        BufferedImage im = new BufferedImage(5, 2, BufferedImage.TYPE_INT_RGB);
        for (int row = 0; row < 2; row++) {
            for (int col = 0; col < 5; col++) {
                int b = path[row] == col ? 255 : 0, g = path[2 + row] == col ? 255 : 0;
                int r = path[4 + row] == col ? 255 : 0;
                im.setRGB(col, row, (r << 16) | (g << 8) | b);
            }
        }
        return im;
    }

    /** Lines "aab" (right), "c c" (right), "b" labelled "bb" (one edit). */
    private Path lines() throws Exception {
        Path d = dir.resolve("lines");
        Files.createDirectories(d);
        ImageIO.write(line(1, 0, 1, 2, 0, 0), "png", d.resolve("0.png").toFile());
        ImageIO.write(line(3, 4, 3, 0, 0, 0), "png", d.resolve("1.png").toFile());
        ImageIO.write(line(2, 2, 0, 0, 0, 0), "png", d.resolve("2.png").toFile());
        Files.writeString(d.resolve("labels.txt"), "0.png\taab\n1.png\tc c\n2.png\tbb\n", StandardCharsets.UTF_8);
        return d;
    }

    private Path model(String name, boolean dropA, String dictionary) throws Exception {
        return CtcModels.write(dir.resolve(name), new long[] {3, 2, 5}, 6, 5, dropA, dictionary);
    }

    private static RealDataCommandsTest.Result run(String... args) {
        return RealDataCommandsTest.run(args);
    }

    private static void assertError(String expected, String... args) {
        RealDataCommandsTest.Result r = run(args);
        assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().contains(expected), String.join(" ", args) + ": " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void textLinesAreScoredByCtcDecoding() throws Exception {
        Path data = lines(), m = model("m.onnx", false, DICTIONARY), ref = model("r.onnx", true, DICTIONARY);
        RealDataCommandsTest.Result e = run("eval", "--model", m.toString(), "--data", "textlines:" + data, "--json");
        assertEquals(0, e.code(), e.err());
        JsonObject j = e.json();
        assertEquals("ctc", j.get("task").getAsString());
        assertEquals("resize height 2 keeping aspect, padded right to 5, mean [0.5], std [0.5], bgr, nchw",
                j.get("preprocessing").getAsString());
        JsonObject ocr = j.getAsJsonObject("ocr");
        assertEquals("y", ocr.get("output").getAsString());
        assertEquals("metadata 'character' of " + m, ocr.get("dictionary").getAsString());
        assertEquals(3, ocr.get("dictionary_size").getAsInt());
        assertTrue(ocr.get("space").getAsBoolean());
        assertEquals(3, ocr.get("lines").getAsInt());
        assertEquals(1 - 1.0 / 8, ocr.get("char_accuracy").getAsDouble(), 1e-12);
        assertEquals(2.0 / 3, ocr.get("line_accuracy").getAsDouble(), 1e-12);
        assertEquals(1, ocr.get("edit_distance").getAsInt());
        assertEquals(8, ocr.get("label_chars").getAsInt());
        JsonObject mistake = ocr.getAsJsonArray("mistakes").get(0).getAsJsonObject();
        assertEquals("bb", mistake.get("label").getAsString());
        assertEquals("b", mistake.get("decoded").getAsString());
        assertTrue(mistake.get("source").getAsString().endsWith("2.png"));

        // with the reference (it never reads 'a'): "b", "c c", "b"
        RealDataCommandsTest.Result c = run("eval", "--model", m.toString(), "--reference", ref.toString(), "--data",
                "textlines:" + data, "--json");
        assertEquals(0, c.code(), c.err());
        JsonObject co = c.json().getAsJsonObject("ocr");
        assertEquals(1 - 3.0 / 8, co.get("reference_char_accuracy").getAsDouble(), 1e-12);
        assertEquals(1.0 / 3, co.get("reference_line_accuracy").getAsDouble(), 1e-12);
        assertEquals(1 - 2.0 / 5, co.getAsJsonObject("agreement").get("char").getAsDouble(), 1e-12);
        assertEquals(2.0 / 3, co.getAsJsonObject("agreement").get("line").getAsDouble(), 1e-12);
        assertEquals(1, c.json().getAsJsonObject("fidelity").getAsJsonArray("outputs").size());

        RealDataCommandsTest.Result text = run("eval", "--model", m.toString(), "--reference", ref.toString(),
                "--data", "textlines:" + data);
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("character accuracy 87.50% (1 edits over 8 label characters), line accuracy "
                + "66.67%"), text.out());
        assertTrue(text.out().contains("reference: character accuracy 62.50%, line accuracy 33.33%"), text.out());
        assertTrue(text.out().contains("agreement of the texts with the reference: characters 60.00%, lines 66.67%"),
                text.out());
        assertTrue(text.out().contains("'bb' read as 'b'"), text.out());

        // unlabelled images of a recognizer with a dictionary: agreement and fidelity (auto picks ctc)
        RealDataCommandsTest.Result images = run("eval", "--model", m.toString(), "--reference", ref.toString(),
                "--data", "images:" + data, "--resize", "2x5", "--mean", "0.5", "--std", "0.5", "--channel-order",
                "bgr", "--json");
        assertEquals(0, images.code(), images.err());
        assertEquals("ctc", images.json().get("task").getAsString());
        JsonObject io = images.json().getAsJsonObject("ocr");
        assertFalse(io.has("char_accuracy"));
        assertEquals(1 - 2.0 / 5, io.getAsJsonObject("agreement").get("char").getAsDouble(), 1e-12);
    }

    @Test
    void theDictionaryComesFromDictWhereTheModelHasNone() throws Exception {
        Path data = lines(), bare = model("bare.onnx", false, null);
        Path dict = Files.writeString(dir.resolve("keys.txt"), DICTIONARY);
        assertError("textlines: data (scored by CTC decoding) needs the recognizer's character dictionary: " + bare
                + " has no 'character' metadata entry; pass --dict FILE", "eval", "--model", bare.toString(), "--data",
                "textlines:" + data);
        RealDataCommandsTest.Result e = run("eval", "--model", bare.toString(), "--data", "textlines:" + data,
                "--dict", dict.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals("dictionary file " + dict, e.json().getAsJsonObject("ocr").get("dictionary").getAsString());
        assertEquals(1 - 1.0 / 8, e.json().getAsJsonObject("ocr").get("char_accuracy").getAsDouble(), 1e-12);

        Path four = Files.writeString(dir.resolve("four.txt"), "a\nb\nc\nd\ne\n");
        assertError("no output of " + bare + " ('y' [-1, 6, 5]) is [N, T, C] with C = 6 or 7 (blank + the 5-entry "
                + "dictionary from dictionary file " + four, "eval", "--model", bare.toString(), "--data",
                "textlines:" + data, "--dict", four.toString());
        assertError("--task 'ocr': expected one of auto, ctc, classify", "eval", "--model", bare.toString(),
                "--data", "textlines:" + data, "--task", "ocr");
        assertError("--dict goes with CTC recognizers; --task classify decodes no text", "eval", "--model",
                bare.toString(), "--data", "textlines:" + data, "--task", "classify", "--dict", dict.toString());
        assertError("the data has no labels", "eval", "--model", bare.toString(), "--data", "textlines:" + data,
                "--task", "classify");
        assertError("--task ctc needs the recognizer's character dictionary", "eval", "--model", bare.toString(),
                "--data", "images:" + data, "--resize", "2x5", "--task", "ctc");
        assertError("the data has no text labels (use textlines:DIR)", "eval", "--model", bare.toString(),
                "--data", "images:" + data, "--resize", "2x5", "--task", "ctc", "--dict", dict.toString());
    }

    @Test
    void textLinesCalibratePruning() throws Exception {
        Path model = ImageModels.classifier(dir.resolve("M.onnx"), 3, ImageModels.nearIdentity(3, 1),
                RealDataCommandsTest.RGB_CLASSES, false);
        Path lines = dir.resolve("rendered");
        TextLineRenderer.render(lines, 12, 5, cp -> cp < 128);
        RealDataCommandsTest.Result p = run("prune", "--model", model.toString(), "--data", "textlines:" + lines,
                "--input-shape", "x=1,3,48,192", "--sparsity", "0.3", "--iters", "5", "--batch", "4", "--out",
                dir.resolve("P.onnx").toString(), "--json");
        assertEquals(0, p.code(), p.err());
        assertEquals(12, p.json().getAsJsonObject("schedule").get("calibration_samples").getAsInt(), p.out());
        assertEquals("textlines:" + lines, p.json().get("eval_data").getAsString());
        assertFalse(p.json().has("ocr"), "a classifier has no CTC dictionary: fidelity only");

        // a recognizer pruned on text lines reports both models' character accuracy (a 1x1 conv in front of the
        // reshape recognizer gives it weights; pruning them moves the scores, so only the fields are checked)
        Path data = lines(), rec = CtcModels.write(dir.resolve("rec.onnx"), new long[] {3, 2, 5}, 6, 5,
                false, DICTIONARY, true);
        RealDataCommandsTest.Result o = run("prune", "--model", rec.toString(), "--data", "textlines:" + data,
                "--sparsity", "0.3", "--iters", "2", "--batch", "1", "--out", dir.resolve("rec.p.onnx").toString(),
                "--json");
        assertEquals(0, o.code(), o.err());
        JsonObject ocr = o.json().getAsJsonObject("ocr");
        assertEquals(1 - 1.0 / 8, ocr.get("reference_char_accuracy").getAsDouble(), 1e-12, o.out());
        assertTrue(ocr.has("char_accuracy") && ocr.has("agreement"), o.out());
        assertTrue(o.err().contains("dense model: character accuracy 87.50%"), o.err());
        assertError("textlines: data (scored by CTC decoding) needs the recognizer's character dictionary",
                "eval", "--model", model.toString(), "--data", "textlines:" + lines, "--input-shape", "x=1,3,48,192");
    }
}
