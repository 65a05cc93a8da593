package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.FcptsException;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every preprocessing path against a hand-written reference on PNGs the test renders itself (random pixels,
 * so a wrong offset, channel or layout cannot pass): exact resize, shorter side plus crop, BGR, grayscale
 * (RGB and gray files), NHWC; and the layout inference and option errors. Tolerance: the reference is
 * ((v / 255) - mean) / std in double, the code computes it in float (two roundings of values below 3 in
 * magnitude), so 1e-6 absolute.
 */
class PreprocessingTest {
    private static final double TOL = 1e-6;

    static BufferedImage noise(int w, int h, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rng.nextInt(1 << 24));
            }
        }
        return image;
    }

    static Path png(Path file, BufferedImage image) throws Exception {
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static int channel(BufferedImage image, int x, int y, int c) {
        return (image.getRGB(x, y) >> (16 - 8 * c)) & 0xff;
    }

    private static float[] read(Path file, Preprocessing p) {
        float[] out = new float[p.channels() * p.height() * p.width()];
        ImagePixels.read(file, p, out, 0);
        return out;
    }

    private static Preprocessing exact(int h, int w, float[] mean, float[] std) {
        return Preprocessing.imagenet().withResize(new Preprocessing.Exact(h, w)).withNormalization(mean, std);
    }

    @Test
    void exactResizeRgbNchwIsTheHandWrittenFormula(@TempDir Path dir) throws Exception {
        BufferedImage image = noise(192, 48, 1);
        float[] got = read(png(dir.resolve("a.png"), image), exact(48, 192, new float[] {0.5f}, new float[] {0.5f}));
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 192; x++) {
                    double ref = (channel(image, x, y, c) / 255.0 - 0.5) / 0.5;
                    assertEquals(ref, got[c * 48 * 192 + y * 192 + x], TOL, "c" + c + " y" + y + " x" + x);
                }
            }
        }
    }

    @Test
    void bgrReversesChannelsAndTakesMeansInTheModelsOrder(@TempDir Path dir) throws Exception {
        BufferedImage image = noise(20, 10, 2);
        float[] mean = {0.1f, 0.2f, 0.3f}, std = {0.5f, 0.25f, 2f};
        float[] got = read(png(dir.resolve("a.png"), image), exact(10, 20, mean, std)
                .withChannelOrder(Preprocessing.ChannelOrder.BGR));
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 20; x++) {
                    double ref = (channel(image, x, y, 2 - c) / 255.0 - mean[c]) / std[c];
                    assertEquals(ref, got[c * 200 + y * 20 + x], TOL, "c" + c + " y" + y + " x" + x);
                }
            }
        }
    }

    @Test
    void grayscaleIsPilLumaAndGrayFilesKeepTheirValues(@TempDir Path dir) throws Exception {
        BufferedImage image = noise(16, 12, 3);
        Preprocessing p = exact(12, 16, new float[] {0.25f}, new float[] {0.5f}).withGrayscale(true);
        float[] got = read(png(dir.resolve("rgb.png"), image), p);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                int r = channel(image, x, y, 0), g = channel(image, x, y, 1), b = channel(image, x, y, 2);
                int luma = (int) Math.floor(r * 0.299 + g * 0.587 + b * 0.114 + 0.5);
                double ref = (luma / 255.0 - 0.25) / 0.5;
                // PIL's fixed-point coefficients differ from 0.299 / 0.587 / 0.114 by < 1e-5: at most one level
                assertEquals(ref, got[y * 16 + x], 1.0 / 255 / 0.5 + TOL, "y" + y + " x" + x);
            }
        }
        BufferedImage gray = new BufferedImage(16, 12, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 16 * 12; i++) {
            gray.getRaster().setSample(i % 16, i / 16, 0, i);
        }
        float[] g = read(png(dir.resolve("gray.png"), gray), p);
        for (int i = 0; i < 16 * 12; i++) {
            assertEquals((i / 255.0 - 0.25) / 0.5, g[i], TOL, "gray sample " + i + " unchanged (no gamma)");
        }
        float[] rgbOfGray = read(dir.resolve("gray.png"), exact(12, 16, new float[] {0}, new float[] {1}));
        assertEquals(100 / 255.0, rgbOfGray[2 * 192 + 100], TOL, "a gray file read as RGB replicates its samples");
    }

    @Test
    void nhwcInterleavesChannels(@TempDir Path dir) throws Exception {
        BufferedImage image = noise(7, 5, 4);
        Preprocessing p = exact(5, 7, new float[] {0.5f}, new float[] {0.5f}).withLayout(Preprocessing.Layout.NHWC);
        assertArrayEquals(new long[] {5, 7, 3}, p.sampleShape());
        float[] got = read(png(dir.resolve("a.png"), image), p);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals((channel(image, x, y, c) / 255.0 - 0.5) / 0.5, got[(y * 7 + x) * 3 + c], TOL);
                }
            }
        }
    }

    @Test
    void shorterSideThenCenterCrop(@TempDir Path dir) throws Exception {
        // shorter side already 40: no scaling, so the crop window alone decides: left (60-32)/2, top (40-32)/2
        BufferedImage image = noise(60, 40, 5);
        Preprocessing p = Preprocessing.imagenet().withResize(new Preprocessing.ShorterSide(40, 32));
        float[] got = read(png(dir.resolve("a.png"), image), p);
        float[] mean = Preprocessing.IMAGENET_MEAN, std = Preprocessing.IMAGENET_STD;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    double ref = (channel(image, 14 + x, 4 + y, c) / 255.0 - mean[c]) / std[c];
                    assertEquals(ref, got[c * 1024 + y * 32 + x], TOL, "c" + c + " y" + y + " x" + x);
                }
            }
        }
        // halving an image of 2x2 blocks: bilinear samples at block centres, so each block's colour, exactly
        BufferedImage blocks = new BufferedImage(120, 80, BufferedImage.TYPE_INT_RGB);
        BufferedImage small = noise(60, 40, 6);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 120; x++) {
                blocks.setRGB(x, y, small.getRGB(x / 2, y / 2));
            }
        }
        float[] halved = read(png(dir.resolve("b.png"), blocks), p);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                double ref = (channel(small, 14 + x, 4 + y, 1) / 255.0 - mean[1]) / std[1];
                assertEquals(ref, halved[1024 + y * 32 + x], TOL, "y" + y + " x" + x);
            }
        }
    }

    @Test
    void layoutIsInferredFromTheModelInputOrRefused() {
        Preprocessing p = exact(48, 192, new float[] {0.5f}, new float[] {0.5f});
        assertEquals(Preprocessing.Layout.NCHW, p.resolve("x", new long[] {-1, 3, 48, -1}).layout());
        assertEquals(Preprocessing.Layout.NHWC, p.resolve("x", new long[] {-1, 48, 192, 3}).layout());
        assertEquals(Preprocessing.Layout.NHWC, p.withLayout(Preprocessing.Layout.NHWC)
                .resolve("x", new long[] {-1, -1, -1, 3}).layout());
        String both = assertThrows(FcptsException.class, () -> exact(3, 3, new float[] {0}, new float[] {1})
                .resolve("x", new long[] {1, 3, 3, 3})).getMessage();
        assertTrue(both.contains("cannot infer the layout of input 'x' [1, 3, 3, 3]") && both.contains("--layout"),
                both);
        String neither = assertThrows(FcptsException.class, () -> p.resolve("x", new long[] {-1, -1, -1, -1}))
                .getMessage();
        assertTrue(neither.contains("--layout nchw or --layout nhwc"), neither);
        String size = assertThrows(FcptsException.class, () -> p.resolve("x", new long[] {-1, 3, 32, 100}))
                .getMessage();
        assertTrue(size.contains("[3, 48, 192]") && size.contains("[3, 32, 100]") && size.contains("--resize"), size);
        String rank = assertThrows(FcptsException.class, () -> p.resolve("tokens", new long[] {-1, 77}))
                .getMessage();
        assertTrue(rank.contains("input 'tokens' [-1, 77] is not 4-D"), rank);
        assertEquals(Preprocessing.Layout.NCHW, p.withGrayscale(true).resolve("x", new long[] {-1, 1, 48, 192})
                .layout());
    }

    @Test
    void badValuesAreNamed() {
        Preprocessing p = Preprocessing.imagenet();
        assertTrue(assertThrows(FcptsException.class, () -> p.withGrayscale(true)).getMessage()
                .contains("--mean [0.485, 0.456, 0.406]: expected one value (--grayscale gives one channel)"));
        assertTrue(assertThrows(FcptsException.class, () -> p.withNormalization(new float[] {0.5f, 0.5f},
                new float[] {1})).getMessage().contains("--mean [0.5, 0.5]: expected one value or three"));
        assertTrue(assertThrows(FcptsException.class, () -> p.withNormalization(new float[] {0.5f},
                new float[] {0})).getMessage().contains("--std [0.0]: expected finite positive numbers"));
        assertTrue(assertThrows(FcptsException.class, () -> new Preprocessing.ShorterSide(224, 256)).getMessage()
                .contains("resize 224 with crop 256: expected resize >= crop >= 1"));
        assertThrows(FcptsException.class, () -> new Preprocessing.Exact(0, 10));
    }

    @Test
    void imagesSpecIsRecursiveAndUnlabelledImagefolderIsLabelled(@TempDir Path dir) throws Exception {
        png(dir.resolve("cats/a.png"), noise(8, 4, 7));
        png(dir.resolve("cats/deep/b.png"), noise(8, 4, 8));
        png(dir.resolve("dogs/c.png"), noise(8, 4, 9));
        Files.writeString(dir.resolve("dogs/readme.txt"), "not an image");
        Preprocessing p = exact(4, 8, new float[] {0}, new float[] {1});
        LabeledImages all = DataSpec.open("images:" + dir, DataSpec.Role.CALIBRATION, p);
        assertEquals(3, all.size());
        assertFalse(all.labelled());
        float[] x = new float[3 * 32];
        assertEquals(-1, all.read(1, x, 0));
        assertEquals(((ImageFiles) all).file(1), dir.resolve("cats/deep/b.png"), "sorted path order");
        LabeledImages labelled = DataSpec.open("imagefolder:" + dir, DataSpec.Role.EVALUATION, p);
        assertEquals(2, labelled.size(), "imagefolder: takes the images directly inside each class folder");
        assertTrue(labelled.labelled());
        assertEquals(1, labelled.read(1, x, 0));
        CalibrationSampler nhwc = new CalibrationSampler(new ImageFiles(dir, p.withLayout(Preprocessing.Layout.NHWC)),
                3, 2, 1, true);
        assertArrayEquals(new long[] {2, 4, 8, 3}, nhwc.batchShape());
    }

    @Test
    void unreadableFilesAndBadSpecsAreNamed(@TempDir Path dir) throws Exception {
        png(dir.resolve("ok.png"), noise(4, 4, 10));
        Files.write(dir.resolve("broken.png"), new byte[] {1, 2, 3, 4});
        LabeledImages images = DataSpec.open("images:" + dir, DataSpec.Role.EVALUATION, Preprocessing.imagenet()
                .withResize(new Preprocessing.Exact(4, 4)));
        float[] x = new float[48];
        String broken = assertThrows(FcptsException.class, () -> images.read(0, x, 0)).getMessage();
        assertTrue(broken.contains("cannot decode image " + dir.resolve("broken.png")), broken);
        images.read(1, x, 0);
        String unknown = assertThrows(FcptsException.class, () -> DataSpec.parse("folder:/x")).getMessage();
        assertTrue(unknown.contains("expected imagefolder:DIR, images:DIR, textlines:DIR, idx:DIR or "
                + "embedded:fashion-mnist"),
                unknown);
        String missing = assertThrows(FcptsException.class, () -> DataSpec.open("images:" + dir.resolve("none"),
                DataSpec.Role.EVALUATION, Preprocessing.imagenet())).getMessage();
        assertTrue(missing.contains(dir.resolve("none") + " is not a directory"), missing);
        String flat = assertThrows(FcptsException.class, () -> DataSpec.open("imagefolder:" + dir,
                DataSpec.Role.EVALUATION, Preprocessing.imagenet())).getMessage();
        assertTrue(flat.contains("use images:" + dir), flat);
        assertThrows(FcptsException.class, () -> DataSpec.parse("images:"));
    }
}
