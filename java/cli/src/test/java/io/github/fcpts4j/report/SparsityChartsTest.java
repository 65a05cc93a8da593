package io.github.fcpts4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The charts' size, that bars and lines are drawn where and in the colours documented, and input validation. */
class SparsityChartsTest {
    private static final int BLUE = 0x0072B2;
    private static final int ORANGE = 0xE69F00;
    private static final int VERMILION = 0xD55E00;

    @TempDir
    Path dir;

    private static List<String> layers(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("layer" + (i / 3 + 1) + "." + (i % 3) + ".conv");
        }
        return names;
    }

    private static double[] constant(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    private static BufferedImage read(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "not a readable image: " + png);
        return img;
    }

    /** Pixels of exactly this RGB colour in columns [x0, x1). */
    private static int count(BufferedImage img, int rgb, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = x0; x < x1; x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int count(BufferedImage img, int rgb) {
        return count(img, rgb, 0, img.getWidth());
    }

    private BufferedImage bars(String file, List<String> layers, Map<String, double[]> series) throws IOException {
        Path out = dir.resolve(file);
        SparsityCharts.layerSparsity(out, "per-layer sparsity", layers, series);
        return read(out);
    }

    @Test
    void barChartWidthGrowsWithLayersAndSeries() throws IOException {
        Map<String, double[]> three = new LinkedHashMap<>();
        three.put("FCPTS", constant(20, 0.7));
        three.put("uniform", constant(20, 0.7));
        three.put("ERK", constant(20, 0.5));
        BufferedImage wide = bars("wide.png", layers(20), three);
        assertEquals(60 + 20 * (14 * 3 + 10), wide.getWidth());
        assertEquals(560, wide.getHeight());

        BufferedImage narrow = bars("narrow.png", layers(3), Map.of("FCPTS", constant(3, 0.7)));
        assertEquals(900, narrow.getWidth(), "never narrower than 900 px");
        assertEquals(560, narrow.getHeight());
    }

    @Test
    void barAreaFollowsTheSparsity() throws IOException {
        BufferedImage high = bars("high.png", layers(20), Map.of("a", constant(20, 0.9)));
        BufferedImage low = bars("low.png", layers(20), Map.of("a", constant(20, 0.1)));
        int highPixels = count(high, BLUE);
        int lowPixels = count(low, BLUE);
        assertTrue(lowPixels > 0, "the 10 % bars are drawn in the first series' colour");
        assertTrue(highPixels > 5 * lowPixels, "90 % bars: " + highPixels + " px, 10 % bars: " + lowPixels + " px");
    }

    @Test
    void eachSeriesHasItsOwnColour() throws IOException {
        Map<String, double[]> two = new LinkedHashMap<>();
        two.put("FCPTS", constant(10, 0.6));
        two.put("uniform", constant(10, 0.6));
        BufferedImage withTwo = bars("two.png", layers(10), two);
        BufferedImage withOne = bars("one.png", layers(10), Map.of("FCPTS", constant(10, 0.6)));
        assertTrue(count(withTwo, BLUE) > 1000);
        assertTrue(count(withTwo, ORANGE) > 1000, "the second series is orange");
        assertEquals(0, count(withOne, ORANGE), "no second series, no orange");
    }

    @Test
    void layersAreDrawnInTheGivenOrderNotSorted() throws IOException {
        double[] firstOnly = new double[20];
        firstOnly[0] = 1.0;
        double[] lastOnly = new double[20];
        lastOnly[19] = 1.0;
        List<String> descending = new ArrayList<>();
        for (int i = 19; i >= 0; i--) {
            descending.add(String.format("layer%02d", i));
        }
        BufferedImage first = bars("first.png", descending, Map.of("a", firstOnly));
        BufferedImage last = bars("last.png", descending, Map.of("a", lastOnly));
        int quarter = first.getWidth() / 4;
        int w = first.getWidth();
        assertTrue(count(first, BLUE, 0, quarter) > 1000, "the first layer's bar is at the left");
        assertEquals(0, count(first, BLUE, w - quarter, w));
        assertEquals(0, count(last, BLUE, 0, quarter));
        assertTrue(count(last, BLUE, w - quarter, w) > 1000, "the last layer's bar is at the right");
    }

    @Test
    void curvesDrawBothLinesOn900By700() throws IOException {
        int n = 60;
        double[] loss = new double[n];
        double[] sparsity = new double[n];
        for (int i = 0; i < n; i++) {
            loss[i] = Math.exp(-0.1 * i);
            sparsity[i] = 0.7 * Math.min(1.0, i / 30.0);
        }
        loss[5] = 0.0;
        loss[6] = Double.NaN;
        loss[7] = -1.0;
        Path out = dir.resolve("curves.png");
        SparsityCharts.curves(out, "FCPTS on ResNet-20", loss, sparsity, 0.7);
        BufferedImage img = read(out);
        assertEquals(900, img.getWidth());
        assertEquals(700, img.getHeight());
        int lossPixels = count(img, BLUE);
        int sparsityPixels = count(img, VERMILION);
        assertTrue(lossPixels > 100, "loss line pixels: " + lossPixels);
        assertTrue(sparsityPixels > 100, "sparsity line pixels: " + sparsityPixels);
    }

    @Test
    void lossIsOnALogAxis() throws IOException {
        int n = 60;
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            loss[i] = Math.pow(10, -i / 10.0);
        }
        Path out = dir.resolve("log.png");
        SparsityCharts.curves(out, "t", loss, constant(n, 0.5), 0.5);
        BufferedImage img = read(out);
        // a geometric decay is a straight line on a log axis, but hugs the bottom of a linear one
        int top = Integer.MAX_VALUE;
        int bottom = -1;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = img.getWidth() / 3; x < 2 * img.getWidth() / 3; x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == BLUE) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        assertTrue(bottom - top > 60, "the middle third of the loss line spans " + (bottom - top) + " px");
    }

    @Test
    void curvesOfOneIterationOrWithoutPositiveLossStillRender() throws IOException {
        Path one = dir.resolve("one.png");
        SparsityCharts.curves(one, null, new double[] {0.5}, new double[] {0.3}, 0.5);
        assertEquals(900, read(one).getWidth());
        Path noLoss = dir.resolve("no-loss.png");
        SparsityCharts.curves(noLoss, null, new double[] {0, 0, 0}, new double[] {0.1, 0.2, 0.3}, 0.3);
        assertEquals(0, count(read(noLoss), BLUE), "no loss value can be placed on the log axis");
    }

    @Test
    void anExistingFileIsReplacedByThePng() throws IOException {
        Path out = dir.resolve("chart.png");
        Files.writeString(out, "an old text file that is longer than nothing at all\n".repeat(100));
        SparsityCharts.layerSparsity(out, "t", layers(4), Map.of("a", constant(4, 0.5)));
        byte[] head = Arrays.copyOf(Files.readAllBytes(out), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
        read(out);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no temporary file is left beside the chart");
        }
    }

    @Test
    void invalidInputLeavesAnExistingFileUntouched() throws IOException {
        Path out = dir.resolve("chart.png");
        Files.writeString(out, "old");
        assertThrows(IllegalArgumentException.class,
                () -> SparsityCharts.layerSparsity(out, "t", layers(4), Map.of("a", constant(4, 2.0))));
        assertEquals("old", Files.readString(out, StandardCharsets.UTF_8));
    }

    /** Runs the call, expecting an IllegalArgumentException naming each fragment, and that nothing was written. */
    private void rejects(Executable call, String... fragments) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' names " + fragment);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.findAny().isPresent(), "nothing is written");
        }
    }

    @Test
    void layerSparsityRejectsInvalidInput() throws IOException {
        Path out = dir.resolve("bad.png");
        rejects(() -> SparsityCharts.layerSparsity(out, "t", List.of(), Map.of("a", new double[0])), "layers");
        rejects(() -> SparsityCharts.layerSparsity(out, "t", layers(3), Map.of()), "series");
        rejects(() -> SparsityCharts.layerSparsity(out, "t", List.of("conv1", "conv1"), Map.of("a", constant(2, 0))),
                "conv1");

        Map<String, double[]> shortSeries = new LinkedHashMap<>();
        shortSeries.put("FCPTS", constant(20, 0.5));
        shortSeries.put("ERK", constant(19, 0.5));
        rejects(() -> SparsityCharts.layerSparsity(out, "t", layers(20), shortSeries), "ERK", "19", "20");

        List<String> names = layers(5);
        double[] tooHigh = constant(5, 0.5);
        tooHigh[3] = 1.5;
        rejects(() -> SparsityCharts.layerSparsity(out, "t", names, Map.of("uniform", tooHigh)),
                "uniform", names.get(3), "1.5");
        double[] negative = constant(5, 0.5);
        negative[1] = -0.01;
        rejects(() -> SparsityCharts.layerSparsity(out, "t", names, Map.of("ERK", negative)),
                "ERK", names.get(1), "-0.01");
        double[] nan = constant(5, 0.5);
        nan[4] = Double.NaN;
        rejects(() -> SparsityCharts.layerSparsity(out, "t", names, Map.of("FCPTS", nan)),
                "FCPTS", names.get(4), "NaN");
    }

    @Test
    void curvesRejectInvalidInput() throws IOException {
        Path out = dir.resolve("bad.png");
        rejects(() -> SparsityCharts.curves(out, "t", new double[3], new double[4], 0.5),
                "reconstructionLoss", "globalSparsity", "3", "4");
        rejects(() -> SparsityCharts.curves(out, "t", new double[0], new double[0], 0.5), "empty");
        rejects(() -> SparsityCharts.curves(out, "t", new double[2], new double[] {0.2, 1.2}, 0.5),
                "globalSparsity", "iteration 2", "1.2");
        rejects(() -> SparsityCharts.curves(out, "t", new double[2], new double[2], 1.0), "targetSparsity", "1.0");
        rejects(() -> SparsityCharts.curves(out, "t", new double[2], new double[2], -0.1), "targetSparsity");
        rejects(() -> SparsityCharts.curves(out, "t", new double[2], new double[2], Double.NaN), "targetSparsity");
    }
}
