package io.github.fcpts4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.testing.ImageModels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every error the real-data options name, as the user sees it (exit code, one line on stderr, no stack
 * trace), and --help on every command.
 */
class CliOptionErrorsTest {
    private static final String RESNET = "../../examples/models/resnet20_fashion_mnist.onnx";

    private static RealDataCommandsTest.Result run(String... args) {
        return RealDataCommandsTest.run(args);
    }

    private static void assertError(int code, String expected, String... args) {
        RealDataCommandsTest.Result r = run(args);
        assertEquals(code, r.code(), String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().contains(expected), String.join(" ", args) + ": " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void helpOnEveryCommandAndUnknownCommandsFail() {
        for (String cmd : List.of("prune", "eval", "bench", "export", "inspect", "check", "train", "backends")) {
            for (String flag : List.of("-h", "--help")) {
                RealDataCommandsTest.Result r = run(cmd, flag);
                assertEquals(0, r.code(), cmd + " " + flag + ": " + r.err());
                assertTrue(r.out().contains("Usage: fcpts " + cmd), r.out());
            }
        }
        assertTrue(run("prune", "--help").out().contains("--input-shape=NAME=D1,D2,..."));
        assertTrue(run("eval", "--help").out().contains("--reference=DENSE.onnx"));
        assertError(2, "Unmatched argument at index 0: 'nosuchcmd'", "nosuchcmd", "--help");
        assertError(2, "Unmatched argument", "nosuchcmd");
        assertError(2, "Unmatched argument at index 1: 'extra'", "inspect", "extra", "--help");
    }

    @Test
    void inputShapeErrorsNameTheOptionAndTheInputs(@TempDir Path dir) {
        Path model = ImageModels.classifier(dir.resolve("m.onnx"), 3, ImageModels.nearIdentity(3, 1),
                RealDataCommandsTest.RGB_CLASSES, false);
        String m = model.toString();
        String unknown = "has no input 'y'; its inputs: x";
        assertError(1, unknown, "inspect", "--model", m, "--input-shape", "y=1,3,48,192");
        assertError(1, unknown, "export", "--model", m, "--input-shape", "y=1,3,48,192", "--out",
                dir.resolve("o.onnx").toString());
        assertError(1, unknown, "bench", "--model", m, "--input-shape", "y=1,3,48,192");
        assertError(1, unknown, "eval", "--model", m, "--input-shape", "y=1,3,48,192", "--data", "images:" + dir);
        assertError(1, unknown, "prune", "--model", m, "--input-shape", "y=1,3,48,192", "--out",
                dir.resolve("p.onnx").toString());
        String malformed = "--input-shape 'x=1,3,a': expected NAME=D1,D2,... with positive integer dimensions";
        assertError(1, malformed, "inspect", "--model", m, "--input-shape", "x=1,3,a");
        assertError(1, "--input-shape '1,3,48,192': expected NAME=D1,D2,...", "inspect", "--model", m,
                "--input-shape", "1,3,48,192");
        assertError(1, "--input-shape 'x=1,3,0,5'", "inspect", "--model", m, "--input-shape", "x=1,3,0,5");
        assertError(1, "symbolic", "inspect", "--model", m);
        RealDataCommandsTest.Result ok = run("inspect", "--model", m, "--input-shape", "x=1,3,48,192", "--json");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(9L * 48 * 192, ok.json().getAsJsonArray("layers").get(0).getAsJsonObject().get("macs")
                .getAsLong(), "the 1x1 conv at 48 x 192");
        RealDataCommandsTest.Result bench = run("bench", "--model", m, "--input-shape", "x=1,3,48,192", "--batch",
                "1", "--runs", "2", "--warmup", "0", "--json");
        assertEquals(0, bench.code(), bench.err());
        RealDataCommandsTest.Result byResize = run("bench", "--model", m, "--resize", "48x96", "--batch", "1",
                "--runs", "2", "--warmup", "0");
        assertEquals(0, byResize.code(), byResize.err());
        assertError(1, "give --input-shape x=D1,D2,...", "bench", "--model", m, "--batch", "1");
    }

    @Test
    void preprocessingAndDataErrors(@TempDir Path dir) throws Exception {
        Path model = ImageModels.classifier(dir.resolve("m.onnx"), 3, ImageModels.nearIdentity(3, 1),
                RealDataCommandsTest.RGB_CLASSES, false);
        Path images = dir.resolve("imgs");
        ImageModels.render(images, RealDataCommandsTest.COLOURS, 1, 192, 48, null, true);
        String[] base = {"eval", "--model", model.toString(), "--data", "imagefolder:" + images, "--input-shape",
            "x=1,3,48,192"};
        assertError(1, "--resize '48x': expected N (shorter side, then --crop) or HxW (exact)",
                RealDataCommandsTest.concat(base, "--resize", "48x"));
        assertError(1, "--crop applies to --resize N only", RealDataCommandsTest.concat(base, "--resize", "48x192",
                "--crop", "40"));
        assertError(1, "--mean [0.5, 0.5]: expected one value or three", RealDataCommandsTest.concat(base,
                "--resize", "48x192", "--mean", "0.5,0.5"));
        assertError(1, "--std 'a': expected one number or three", RealDataCommandsTest.concat(base, "--resize",
                "48x192", "--std", "a"));
        assertError(1, "--std [0.0]: expected finite positive numbers", RealDataCommandsTest.concat(base,
                "--resize", "48x192", "--std", "0"));
        assertError(1, "--channel-order 'rgba': expected one of rgb, bgr", RealDataCommandsTest.concat(base,
                "--resize", "48x192", "--channel-order", "rgba"));
        assertError(1, "--layout 'hwc': expected one of nchw, nhwc", RealDataCommandsTest.concat(base,
                "--resize", "48x192", "--layout", "hwc"));
        assertError(1, "preprocessing gives nchw samples [3, 224, 224] but input 'x' [-1, 3, 48, 192]", base);
        assertError(1, "apply to imagefolder:, images: and textlines: data", "eval", "--model", RESNET, "--resize", "28x28");
        assertError(1, "unknown data spec 'folder:" + images + "': expected imagefolder:DIR, images:DIR, textlines:DIR, idx:DIR or "
                + "embedded:fashion-mnist", "prune", "--model", RESNET, "--data", "folder:" + images, "--out",
                dir.resolve("p.onnx").toString());
        assertError(1, "the data has no labels", "eval", "--model", model.toString(), "--data", "images:" + images,
                "--input-shape", "x=1,3,48,192", "--resize", "48x192");
        Files.write(images.resolve("a_red/zz_broken.png"), new byte[] {1, 2, 3});
        assertError(1, "cannot decode image " + images.resolve("a_red/zz_broken.png"), RealDataCommandsTest.concat(
                base, "--resize", "48x192"));
        assertError(1, "image folder " + dir.resolve("none") + " is not a directory", "eval", "--model",
                model.toString(), "--data", "images:" + dir.resolve("none"), "--input-shape", "x=1,3,48,192",
                "--resize", "48x192");
        assertFalse(Files.exists(dir.resolve("p.onnx")), "nothing written on error");
    }
}
