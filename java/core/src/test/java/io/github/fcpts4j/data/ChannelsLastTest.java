package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calibration samples arrive in the layout the model input declares: CHW sets (embedded and IDX data, a
 * caller's samples) are seen channels-last for an [N, H, W, C] input, element by element
 * x[h, w, c] = chw[c, h, w]; a model that declares channels first, or a set already channels-last, is left
 * alone; image folders meeting a 4-channel input get RGB plus an opaque alpha of exactly 1.
 */
class ChannelsLastTest {

    @Test
    void embeddedSingleChannelDataMeetsAnNhwcInput() {
        IdxDataset chw = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.CALIBRATION);
        LabeledImages nhwc = ChannelsLast.forInput(chw, new long[] {-1, 28, 28, 1});
        assertArrayEquals(new long[] {28, 28, 1}, nhwc.sampleShape());
        float[] a = new float[784], b = new float[784];
        assertEquals(chw.read(7, a, 0), nhwc.read(7, b, 0), "labels kept");
        assertArrayEquals(a, b, 0f, "one channel: the same floats");
        assertSame(chw, ChannelsLast.forInput(chw, new long[] {-1, 1, 28, 28}), "NCHW input: the set itself");
        assertSame(chw, ChannelsLast.forInput(chw, new long[] {-1, 1, -1, -1}));
        assertSame(chw, ChannelsLast.forInput(chw, new long[] {-1, 3, 28, 28}), "fits neither: caller reports");
        assertSame(nhwc, ChannelsLast.forInput(nhwc, new long[] {-1, 28, 28, 1}), "already channels-last");
        assertArrayEquals(new long[] {28, 28, 1},
                ChannelsLast.forInput(chw, new long[] {-1, -1, -1, 1}).sampleShape(), "symbolic H and W");
    }

    @Test
    void threeChannelSamplesAreTransposed() {
        int c = 3, h = 5, w = 4;
        List<float[]> samples = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            float[] x = new float[c * h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = s * 1000 + i;
            }
            samples.add(x);
        }
        LabeledImages chw = SampleList.of(samples, c, h, w);
        LabeledImages nhwc = ChannelsLast.forInput(chw, new long[] {1, h, w, c});
        assertArrayEquals(new long[] {h, w, c}, nhwc.sampleShape());
        float[] got = new float[2 + c * h * w];
        nhwc.read(1, got, 2);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    assertEquals(1000 + k * h * w + y * w + x, got[2 + (y * w + x) * c + k], "y" + y + " x" + x
                            + " c" + k);
                }
            }
        }
    }

    @Test
    void aFourChannelInputGetsRgbPlusOpaqueAlpha(@TempDir Path dir) throws Exception {
        BufferedImage image = PreprocessingTest.noise(6, 5, 3);
        Path file = PreprocessingTest.png(dir.resolve("a/x.png"), image);
        Preprocessing p = Preprocessing.imagenet().withResize(new Preprocessing.Exact(5, 6))
                .withNormalization(new float[] {0.5f}, new float[] {0.25f});
        Preprocessing nhwc = p.resolve("x", new long[] {1, 5, 6, 4});
        assertEquals(Preprocessing.Layout.NHWC, nhwc.layout());
        assertTrue(nhwc.alpha());
        assertEquals(4, nhwc.channels());
        assertArrayEquals(new long[] {5, 6, 4}, nhwc.sampleShape());
        assertTrue(nhwc.describe().contains("alpha 1"), nhwc.describe());
        Preprocessing nchw = p.resolve("x", new long[] {-1, 4, 5, 6});
        assertEquals(Preprocessing.Layout.NCHW, nchw.layout());
        assertTrue(nchw.alpha());
        assertEquals(false, p.resolve("x", new long[] {1, 5, 6, 3}).alpha(), "3 channels: no alpha");

        ImageFiles files = new ImageFiles(dir, nhwc);
        float[] got = new float[5 * 6 * 4];
        files.read(0, got, 0);
        ImageFiles planar = new ImageFiles(dir, nchw);
        float[] chw = new float[5 * 6 * 4];
        planar.read(0, chw, 0);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                for (int c = 0; c < 3; c++) {
                    double ref = (((image.getRGB(x, y) >> (16 - 8 * c)) & 0xff) / 255.0 - 0.5) / 0.25;
                    assertEquals(ref, got[(y * 6 + x) * 4 + c], 1e-6, "colour y" + y + " x" + x + " c" + c);
                    assertEquals(ref, chw[c * 30 + y * 6 + x], 1e-6, "planar colour y" + y + " x" + x + " c" + c);
                }
                assertEquals(1f, got[(y * 6 + x) * 4 + 3], 0f, "alpha: opaque, not normalized");
                assertEquals(1f, chw[3 * 30 + y * 6 + x], 0f, "planar alpha");
            }
        }
    }
}
