package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code textlines:} data spec: PaddleOCR's rec label file (paths, texts, BOM, CRLF, blank lines, the
 * label file named directly) and its errors, each naming the label file and line; and PaddleOCR's pad-right
 * resize ({@link Preprocessing.PadRight}, resize_norm_img) against a hand-written reference: an image
 * exactly 48 rows high is not rescaled, so its first columns must be ((v / 255) - 0.5) / 0.5 of its own
 * pixels in BGR order (1e-6: float against double of values below 1 in magnitude) and every column past its
 * width exactly 0.
 */
class TextLineFolderTest {
    private static final double TOL = 1e-6;

    @TempDir
    Path dir;

    private Path labels(String text) throws Exception {
        return Files.writeString(dir.resolve("labels.txt"), text, StandardCharsets.UTF_8);
    }

    private void image(String name, int w, int h) throws Exception {
        PreprocessingTest.png(dir.resolve(name), PreprocessingTest.noise(w, h, name.hashCode()));
    }

    private String error(Path location) {
        FcptsException e = assertThrows(FcptsException.class, () -> new TextLineFolder(location,
                Preprocessing.paddleOcrRec()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsPaddleOcrLabelFiles() throws Exception {
        image("a/one.png", 60, 20);
        image("two.jpg.png", 30, 20);
        Path outside = dir.resolve("abs.png");
        image("abs.png", 20, 20);
        labels("\uFEFFa/one.png\tHello world\r\n\n   \ntwo.jpg.png\t 3.14 \n" + outside + "\t長\n");
        TextLineFolder lines = new TextLineFolder(dir, Preprocessing.paddleOcrRec());
        assertEquals(3, lines.size());
        assertEquals("Hello world", lines.text(0));
        assertEquals(" 3.14 ", lines.text(1), "spaces are characters: kept as written");
        assertEquals("長", lines.text(2));
        assertEquals(dir.resolve("a/one.png").toAbsolutePath(), lines.file(0));
        assertEquals(outside, lines.file(2));
        assertFalse(lines.labelled());
        assertArrayEquals(new long[] {3, 48, 320}, lines.sampleShape());
        float[] x = new float[3 * 48 * 320];
        assertEquals(-1, lines.read(0, x, 0));

        Path named = Files.writeString(dir.resolve("test_list.txt"), "two.jpg.png\tpi\n");
        LabeledImages direct = DataSpec.open("textlines:" + named, DataSpec.Role.CALIBRATION,
                DataSpec.Kind.TEXTLINES.preprocessing());
        assertTrue(direct instanceof LabeledTextLines);
        assertEquals("pi", ((LabeledTextLines) direct).text(0));
        assertEquals(dir.resolve("two.jpg.png").toAbsolutePath().toString(), ((LabeledTextLines) direct).source(0));
    }

    @Test
    void malformedEntriesAreNamedWithFileAndLine() throws Exception {
        image("ok.png", 20, 10);
        String at = "label file " + dir.resolve("labels.txt") + " line 2: ";
        labels("ok.png\tfine\nok.png fine\n");
        String noTab = error(dir);
        assertTrue(noTab.contains(at + "no tab in 'ok.png fine'; expected 'relative/path.png<TAB>text'"), noTab);
        labels("ok.png\tfine\nok.png\ta\tb\n");
        assertTrue(error(dir).contains(at + "more than one tab"), error(dir));
        labels("ok.png\tfine\nok.png\t\n");
        assertTrue(error(dir).contains(at + "the text of ok.png is empty"), error(dir));
        labels("ok.png\tfine\nok.png\t   \n");
        assertTrue(error(dir).contains(at + "the text of ok.png is empty"), error(dir));
        labels("ok.png\tfine\n\tlonely\n");
        assertTrue(error(dir).contains(at + "no image path before the tab"), error(dir));
        labels("ok.png\tfine\nmissing/gone.png\tgone\n");
        String missing = error(dir);
        assertTrue(missing.contains(at + "image " + dir.toAbsolutePath().resolve("missing/gone.png")
                + " does not exist"), missing);
        labels("\n\n");
        assertTrue(error(dir).contains("label file " + dir.resolve("labels.txt") + " holds no entries"),
                error(dir));
        Files.write(dir.resolve("labels.txt"), new byte[] {'o', 'k', '.', 'p', 'n', 'g', '\t', (byte) 0xff, '\n'});
        assertTrue(error(dir).contains("label file " + dir.resolve("labels.txt") + " is not UTF-8 text"),
                error(dir));
        Files.delete(dir.resolve("labels.txt"));
        String none = error(dir);
        assertTrue(none.contains("text lines " + dir + ": no label file " + dir.resolve("labels.txt")), none);
        assertTrue(error(dir.resolve("nowhere")).contains("not a folder or a label file"));
    }

    @Test
    void textLinesAreADataSpecWithPaddleOcrDefaults() {
        assertEquals(Preprocessing.paddleOcrRec(), DataSpec.Kind.TEXTLINES.preprocessing());
        assertTrue(DataSpec.Kind.TEXTLINES.images());
        assertEquals(DataSpec.Kind.TEXTLINES, DataSpec.parse("textlines:/x").kind());
        assertEquals("imagefolder:, images: and textlines:", DataSpec.Kind.imageKinds());
        String idx = assertThrows(FcptsException.class, () -> DataSpec.Kind.IDX.preprocessing()).getMessage();
        assertTrue(idx.contains("idx: data is fed as its own [0, 1] single-channel pixels"), idx);
        String unknown = assertThrows(FcptsException.class, () -> DataSpec.parse("lines:/x")).getMessage();
        assertTrue(unknown.contains("expected imagefolder:DIR, images:DIR, textlines:DIR, idx:DIR or "
                + "embedded:fashion-mnist"), unknown);
    }

    @Test
    void padRightKeepsTheRowsAndPadsWithZero() throws Exception {
        // 150 x 48: already 48 rows, so ceil(48 * 150 / 48) = 150 columns of its own pixels, 170 of padding
        BufferedImage line = PreprocessingTest.noise(150, 48, 7);
        Path file = PreprocessingTest.png(dir.resolve("line.png"), line);
        for (Preprocessing.Layout layout : new Preprocessing.Layout[] {Preprocessing.Layout.NCHW,
                Preprocessing.Layout.NHWC}) {
            Preprocessing p = Preprocessing.paddleOcrRec().withLayout(layout);
            float[] x = new float[3 * 48 * 320];
            Arrays.fill(x, Float.NaN);
            ImageSamples.read(file, p, x, 0);
            boolean last = layout == Preprocessing.Layout.NHWC;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 48; y++) {
                    for (int col = 0; col < 320; col++) {
                        float got = x[last ? (y * 320 + col) * 3 + c : (c * 48 + y) * 320 + col];
                        if (col >= 150) {
                            assertEquals(0f, got, "padding at channel " + c + ", row " + y + ", column " + col);
                            continue;
                        }
                        int shift = 8 * c; // BGR: channel 0 is blue, the low byte
                        double v = (line.getRGB(col, y) >> shift) & 0xff;
                        assertEquals((v / 255 - 0.5) / 0.5, got, TOL, layout + " channel " + c + ", row " + y
                                + ", column " + col);
                    }
                }
            }
        }
    }

    @Test
    void padRightRoundsAsPaddleOcrAndSqueezesWideLines() throws Exception {
        assertEquals(152, Preprocessing.PadRight.resizedWidth(101, 32, 48, 320), "ceil(48 * 3.15625) = 152");
        assertEquals(96, Preprocessing.PadRight.resizedWidth(100, 50, 48, 320));
        assertEquals(320, Preprocessing.PadRight.resizedWidth(1000, 48, 48, 320), "wider lines are squeezed");
        assertEquals(1, Preprocessing.PadRight.resizedWidth(7, 1000, 48, 320), "at least one column");

        // 100 x 50 -> 96 x 48: the first 96 columns are the exact resize's, the rest 0
        Path file = PreprocessingTest.png(dir.resolve("small.png"), PreprocessingTest.noise(100, 50, 3));
        Preprocessing p = Preprocessing.paddleOcrRec().withLayout(Preprocessing.Layout.NCHW);
        float[] padded = new float[3 * 48 * 320], exact = new float[3 * 48 * 96];
        ImageSamples.read(file, p, padded, 0);
        ImagePixels.read(file, p.withResize(new Preprocessing.Exact(48, 96)), exact, 0);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 48; y++) {
                for (int col = 0; col < 320; col++) {
                    assertEquals(col < 96 ? exact[(c * 48 + y) * 96 + col] : 0f, padded[(c * 48 + y) * 320 + col],
                            "channel " + c + ", row " + y + ", column " + col);
                }
            }
        }
        // a line wider than 320 / 48 fills every column
        Path wide = PreprocessingTest.png(dir.resolve("wide.png"), PreprocessingTest.noise(700, 48, 4));
        ImageSamples.read(wide, p, padded, 0);
        ImagePixels.read(wide, p.withResize(new Preprocessing.Exact(48, 320)), exact = new float[3 * 48 * 320], 0);
        assertArrayEquals(exact, padded);
    }

    @Test
    void fitTakesHeightAndWidthFromTheModelInput() {
        Preprocessing p = Preprocessing.paddleOcrRec();
        assertEquals(new Preprocessing.PadRight(48, 320), p.resolve("x", new long[] {-1, 3, -1, -1}).resize());
        assertEquals(new Preprocessing.PadRight(48, 160), p.resolve("x", new long[] {1, 3, 48, 160}).resize());
        assertEquals(new Preprocessing.PadRight(32, 320), p.resolve("x", new long[] {-1, 3, 32, -1}).resize());
        Preprocessing nhwc = p.resolve("x", new long[] {-1, 48, 100, 3});
        assertEquals(new Preprocessing.PadRight(48, 100), nhwc.resize());
        assertEquals(Preprocessing.Layout.NHWC, nhwc.layout());
        String fixed = assertThrows(FcptsException.class, () -> p.withResize(new Preprocessing.PadRight(48, 320))
                .resolve("x", new long[] {1, 3, 48, 160})).getMessage();
        assertTrue(fixed.contains("preprocessing gives nchw samples [3, 48, 320] but input 'x' [1, 3, 48, 160]"),
                fixed);
        assertThrows(FcptsException.class, () -> new Preprocessing.PadRight(48, 0));
        assertEquals("resize height 48 keeping aspect, padded right to 160, mean [0.5], std [0.5], bgr, nchw",
                p.resolve("x", new long[] {1, 3, 48, 160}).describe());
    }
}
