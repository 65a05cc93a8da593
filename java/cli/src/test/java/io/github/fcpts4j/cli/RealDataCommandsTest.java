package io.github.fcpts4j.cli;

import static io.github.fcpts4j.testing.ImageModels.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.fcpts4j.testing.ImageModels;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance, typed as a user would: a text-line classifier x [N, 3, 48, W] (symbolic W) on a
 * labelled folder of rendered 48 x 192 images is pruned and evaluated from the CLI, and the dense top-1 in
 * the report equals ONNX Runtime's on hand-preprocessed tensors. The same comparison for BGR, grayscale,
 * NHWC and shorter side + crop. Each model is built so that only the right preprocessing classifies every
 * image (class = arg-max of the channel means after normalization, "dark" when all are below 0.5), and
 * each test shows that dropping the flag loses accuracy, so a flag that did nothing could not pass.
 */
class RealDataCommandsTest {

    record Result(int code, String out, String err) {
        JsonObject json() {
            return JsonParser.parseString(out).getAsJsonObject();
        }
    }

    static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = FcptsCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static final Map<String, Color> COLOURS = Map.of("a_red", new Color(220, 40, 40), "b_green",
            new Color(40, 200, 50), "c_blue", new Color(30, 50, 210), "d_dark", new Color(50, 45, 60));

    /** Classes: red, green, blue from channels 0, 1, 2 of the (mixed) input; dark = logit 0 beats them all. */
    static final float[][] RGB_CLASSES = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}};

    /** ((v / 255) - mean) / std of RGB pixels, NCHW or NHWC, from column {@code left} on. */
    static float[] handWritten(BufferedImage im, int w, float mean, float std, boolean bgr, boolean nhwc, int left) {
        int h = im.getHeight();
        float[] t = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    float v = (rgb(im, left + x, y, bgr ? 2 - c : c) / 255f - mean) / std;
                    t[nhwc ? (y * w + x) * 3 + c : c * h * w + y * w + x] = v;
                }
            }
        }
        return t;
    }

    @Test
    void acceptancePruneAndEvalOnANonSquareSymbolicWidthModel(@TempDir Path dir) throws Exception {
        Path model = ImageModels.classifier(dir.resolve("M.onnx"), 3, ImageModels.nearIdentity(3, 1), RGB_CLASSES,
                false);
        Path images = dir.resolve("DIR"), pruned = dir.resolve("P.onnx");
        List<ImageModels.Sample> samples = ImageModels.render(images, COLOURS, 18, 192, 48, null, true);
        double reference = ImageModels.top1(model, samples, im -> handWritten(im, 192, 0.5f, 0.5f, false, false, 0),
                new long[] {3, 48, 192});
        assertEquals(1.0, reference, "the fixture classifies every image with the right preprocessing");

        Result p = run("prune", "--model", model.toString(), "--data", "imagefolder:" + images, "--input-shape",
                "x=1,3,48,192", "--resize", "48x192", "--mean", "0.5", "--std", "0.5", "--sparsity", "0.3", "--out",
                pruned.toString(), "--json");
        assertEquals(0, p.code, p.err);
        JsonObject report = p.json();
        assertEquals(reference, report.get("dense_top1").getAsDouble(), 0.0, "dense top-1 = hand-written reference");
        assertTrue(report.get("pruned_top1").getAsDouble() >= 0.9, p.out);
        assertEquals(0.3, report.get("achieved_sparsity").getAsDouble(), 1.0 / report.get("total_weights")
                .getAsLong() + 1e-12);
        assertTrue(report.has("eval_data_note") && p.err.contains("calibration folder itself"), p.err);
        JsonArray outputs = report.getAsJsonObject("fidelity").getAsJsonArray("outputs");
        assertEquals(1, outputs.size());
        JsonObject logits = outputs.get(0).getAsJsonObject();
        assertTrue(logits.get("rel_l2").getAsDouble() >= 0 && logits.get("rel_l2").getAsDouble() < 0.5, p.out);
        assertTrue(logits.get("cosine").getAsDouble() > 0.8, p.out);
        assertTrue(logits.has("top1_agreement"), p.out);

        Result e = run("eval", "--model", pruned.toString(), "--reference", model.toString(), "--data",
                "images:" + images, "--input-shape", "x=1,3,48,192", "--resize", "48x192", "--mean", "0.5", "--std",
                "0.5", "--json");
        assertEquals(0, e.code, e.err);
        JsonObject fid = e.json().getAsJsonObject("fidelity").getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertEquals(logits.get("rel_l2").getAsDouble(), fid.get("rel_l2").getAsDouble(), 1e-9,
                "the same 72 images, unlabelled, give the same fidelity");
        assertEquals(logits.get("top1_agreement").getAsDouble(), fid.get("top1_agreement").getAsDouble(), 0.0);
        assertFalse(e.json().has("top1"), "images: has no labels");
        assertEquals(72, e.json().get("samples").getAsInt());

        Result noMean = run("eval", "--model", model.toString(), "--data", "imagefolder:" + images,
                "--input-shape", "x=1,3,48,192", "--resize", "48x192", "--mean", "0", "--std", "1", "--json");
        assertEquals(0, noMean.code, noMean.err);
        assertEquals(0.75, noMean.json().get("top1").getAsDouble(), 0.0, "without the mean no image is dark");
    }

    /** The near-identity colour classifier M.onnx in {@code dir}, and 4 rendered 48 x 192 images a class in DIR. */
    private static Path colourClassifier(Path dir) throws Exception {
        Path model = ImageModels.classifier(dir.resolve("M.onnx"), 3, ImageModels.nearIdentity(3, 1), RGB_CLASSES,
                false);
        ImageModels.render(dir.resolve("DIR"), COLOURS, 4, 192, 48, null, true);
        return model;
    }

    @Test
    void evalThresholdsAnOutputAndRefusesBadThresholdsBeforeScoring(@TempDir Path dir) throws Exception {
        Path model = colourClassifier(dir), images = dir.resolve("DIR");
        String[] common = {"eval", "--model", model.toString(), "--reference", model.toString(), "--data",
            "images:" + images, "--input-shape", "x=1,3,48,192", "--resize", "48x192", "--mean", "0.5", "--std", "0.5"};
        Result plain = run(concat(common, "--json"));
        assertEquals(0, plain.code, plain.err);
        String name = plain.json().getAsJsonObject("fidelity").getAsJsonArray("outputs").get(0).getAsJsonObject()
                .get("name").getAsString();
        Result t = run(concat(common, "--threshold", name + "=0", "--json"));
        assertEquals(0, t.code, t.err);
        JsonObject cut = t.json().getAsJsonObject("fidelity").getAsJsonArray("outputs").get(0).getAsJsonObject()
                .getAsJsonObject("threshold");
        long positives = cut.get("reference_positives").getAsLong();
        assertTrue(positives > 0 && positives < cut.get("elements").getAsLong(), cut.toString());
        assertEquals(positives, cut.get("model_positives").getAsLong(), "a model against itself");
        assertEquals(1.0, cut.get("positive_agreement").getAsDouble(), 0.0);
        assertEquals("0.0", cut.get("value").getAsString());
        Result text = run(concat(common, "--threshold", name + "=0"));
        assertTrue(text.out.contains(name + " > 0.0: positives agree F1 100.00%"), text.out);

        Result unknown = run(concat(common, "--threshold", "nope=0.5"));
        assertNotEquals(0, unknown.code);
        assertTrue(unknown.err.contains("has no output 'nope'; its outputs: [" + name + "]"), unknown.err);
        Result noReference = run("eval", "--model", model.toString(), "--data", "images:" + images,
                "--input-shape", "x=1,3,48,192", "--threshold", name + "=0");
        assertNotEquals(0, noReference.code);
        assertTrue(noReference.err.contains("add --reference DENSE.onnx"), noReference.err);
        Result malformed = run(concat(common, "--threshold", name + "=sigmoid:2"));
        assertNotEquals(0, malformed.code);
        assertTrue(malformed.err.contains("strictly between 0 and 1"), malformed.err);
    }

    @Test
    void pruneWeighsAThresholdedOutputTowardItsDecision(@TempDir Path dir) throws Exception {
        Path model = colourClassifier(dir), images = dir.resolve("DIR");
        Path out = dir.resolve("p.onnx"), report = dir.resolve("r.json");
        String name = io.github.fcpts4j.onnx.OnnxImporter.read(model).graph().outputs().get(0).name();
        Result r = run("prune", "--model", model.toString(), "--data", "images:" + images, "--input-shape",
                "x=1,3,48,192", "--resize", "48x192", "--mean", "0.5", "--std", "0.5", "--iters", "2", "--batch", "4",
                "--calib", "8", "--sparsity", "0.3", "--loss", "mse", "--threshold", name + "=sigmoid:0.5",
                "--no-eval", "--out", out.toString(), "--report", report.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains(name + ": mse, weighted to the decision > 0.0 / the batch's weighted teacher mean "
                + "square"), r.err);
        JsonObject term = JsonParser.parseString(java.nio.file.Files.readString(report)).getAsJsonObject()
                .getAsJsonArray("reconstruction_terms").get(0).getAsJsonObject();
        assertEquals(0.0, term.get("decision_threshold").getAsDouble(), 0.0, "logit(0.5) on the raw logits");
    }

    @Test
    void bgrModel(@TempDir Path dir) throws Exception {
        float[][] bgrClasses = {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}, {0, 0, 0}};   // channel 0 of a BGR input is blue
        Path model = ImageModels.classifier(dir.resolve("bgr.onnx"), 3, ImageModels.nearIdentity(3, 2), bgrClasses,
                false);
        List<ImageModels.Sample> samples = ImageModels.render(dir.resolve("d"), COLOURS, 5, 192, 48, null, true);
        double reference = ImageModels.top1(model, samples, im -> handWritten(im, 192, 0.5f, 0.5f, true, false, 0),
                new long[] {3, 48, 192});
        assertEquals(1.0, reference);
        String[] common = {"eval", "--model", model.toString(), "--data", "imagefolder:" + dir.resolve("d"),
            "--input-shape", "x=1,3,48,192", "--resize", "48x192", "--mean", "0.5", "--std", "0.5", "--json"};
        Result bgr = run(concat(common, "--channel-order", "bgr"));
        assertEquals(0, bgr.code, bgr.err);
        assertEquals(reference, bgr.json().get("top1").getAsDouble(), 0.0);
        assertEquals(0.5, run(common).json().get("top1").getAsDouble(), 0.0, "rgb swaps red and blue");
    }

    @Test
    void grayscaleModel(@TempDir Path dir) throws Exception {
        // one channel: class 0 "bright" when the luma mean is above 0.5, class 1 otherwise
        Path model = ImageModels.classifier(dir.resolve("gray.onnx"), 1, new float[][] {{1}},
                new float[][] {{1}, {-1}}, false);
        Map<String, Color> colours = Map.of("a_bright", new Color(60, 230, 60), "b_dark", new Color(230, 40, 200));
        List<ImageModels.Sample> samples = ImageModels.render(dir.resolve("d"), colours, 6, 192, 48, null, true);
        double reference = ImageModels.top1(model, samples, im -> {
            float[] t = new float[48 * 192];
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 192; x++) {
                    int luma = (int) Math.round(0.299 * rgb(im, x, y, 0) + 0.587 * rgb(im, x, y, 1)
                            + 0.114 * rgb(im, x, y, 2));
                    t[y * 192 + x] = (luma / 255f - 0.5f) / 0.5f;
                }
            }
            return t;
        }, new long[] {1, 48, 192});
        assertEquals(1.0, reference);
        Result gray = run("eval", "--model", model.toString(), "--data", "imagefolder:" + dir.resolve("d"),
                "--input-shape", "x=1,1,48,192", "--resize", "48x192", "--grayscale", "--mean", "0.5", "--std", "0.5",
                "--json");
        assertEquals(0, gray.code, gray.err);
        assertEquals(reference, gray.json().get("top1").getAsDouble(), 0.0);
        Result rgb = run("eval", "--model", model.toString(), "--data", "imagefolder:" + dir.resolve("d"),
                "--input-shape", "x=1,1,48,192", "--resize", "48x192");
        assertEquals(1, rgb.code);
        assertTrue(rgb.err.contains("cannot infer the layout of input 'x' [-1, 1, 48, 192] for 3-channel images"),
                rgb.err);
    }

    @Test
    void nhwcModelIsInferredAndPrunes(@TempDir Path dir) throws Exception {
        Path model = ImageModels.classifier(dir.resolve("nhwc.onnx"), 3, ImageModels.nearIdentity(3, 3), RGB_CLASSES,
                true);
        List<ImageModels.Sample> samples = ImageModels.render(dir.resolve("d"), COLOURS, 16, 192, 48, null, true);
        double reference = ImageModels.top1(model, samples, im -> handWritten(im, 192, 0.5f, 0.5f, false, true, 0),
                new long[] {48, 192, 3});
        assertEquals(1.0, reference);
        String[] data = {"--data", "imagefolder:" + dir.resolve("d"), "--input-shape", "x=1,48,192,3", "--resize",
            "48x192", "--mean", "0.5", "--std", "0.5", "--json"};
        Result e = run(concat(new String[] {"eval", "--model", model.toString()}, data));
        assertEquals(0, e.code, e.err);
        assertEquals(reference, e.json().get("top1").getAsDouble(), 0.0);
        Result wrong = run(concat(new String[] {"eval", "--model", model.toString(), "--layout", "nchw"}, data));
        assertEquals(1, wrong.code);
        assertTrue(wrong.err.contains("preprocessing gives nchw samples [3, 48, 192]"), wrong.err);
        Result p = run(concat(new String[] {"prune", "--model", model.toString(), "--method", "uniform",
            "--sparsity", "0.3", "--out", dir.resolve("p.onnx").toString()}, data));
        assertEquals(0, p.code, p.err);
        assertEquals(reference, p.json().get("dense_top1").getAsDouble(), 0.0);
    }

    @Test
    void shorterSideThenCrop(@TempDir Path dir) throws Exception {
        // the centre 48 x 48 square carries the class colour, the rest the next class's colour
        Path model = ImageModels.classifier(dir.resolve("crop.onnx"), 3, ImageModels.nearIdentity(3, 4), RGB_CLASSES,
                false);
        List<Color> order = List.of(COLOURS.get("a_red"), COLOURS.get("b_green"), COLOURS.get("c_blue"),
                COLOURS.get("d_dark"));
        List<ImageModels.Sample> samples = ImageModels.render(dir.resolve("d"), COLOURS, 5, 192, 48,
                label -> order.get((label + 1) % 4), true);
        double reference = ImageModels.top1(model, samples, im -> handWritten(im, 48, 0.5f, 0.5f, false, false, 72),
                new long[] {3, 48, 48});
        assertEquals(1.0, reference);
        String[] common = {"eval", "--model", model.toString(), "--data", "imagefolder:" + dir.resolve("d"),
            "--input-shape", "x=1,3,48,48", "--mean", "0.5", "--std", "0.5", "--json"};
        Result crop = run(concat(common, "--resize", "48", "--crop", "48"));
        assertEquals(0, crop.code, crop.err);
        assertEquals(reference, crop.json().get("top1").getAsDouble(), 0.0);
        Result squash = run(concat(common, "--resize", "48x48"));
        assertEquals(0, squash.code, squash.err);
        assertEquals(0.0, squash.json().get("top1").getAsDouble(), 0.0, "squashed, the distractor dominates");
    }

    static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
