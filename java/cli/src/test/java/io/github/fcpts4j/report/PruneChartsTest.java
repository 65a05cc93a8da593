package io.github.fcpts4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.prune.PruneResult;
import io.github.fcpts4j.prune.Pruner;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The charts of a real (short) pruning run: both files, decodable PNGs of the documented size. */
class PruneChartsTest {
    @TempDir
    Path dir;

    @Test
    void writesTheLayerAndCurveChartsOfARun() throws Exception {
        PruneResult r = Pruner.builder().model(Path.of("../../examples/models/resnet20_fashion_mnist.onnx"))
                .calibration(DataSpec.DEFAULT).backend("cpu").iterations(4).batch(8).calibrationSamples(16)
                .targetSparsity(0.6).build().run();
        List<Path> charts = PruneCharts.write(r, dir.resolve("chart"));
        assertEquals(List.of(dir.resolve("chart.layers.png"), dir.resolve("chart.curves.png")), charts);
        BufferedImage layers = ImageIO.read(charts.get(0).toFile()), curves = ImageIO.read(charts.get(1).toFile());
        assertNotNull(layers, "the layer chart is a PNG");
        assertNotNull(curves, "the curve chart is a PNG");
        assertEquals(560, layers.getHeight());
        assertEquals(Math.max(900, 60 + r.layers().size() * (14 * r.allocationSeries().size() + 10)),
                layers.getWidth(), "one bar per layer and allocation");
        assertEquals(900, curves.getWidth());
        assertEquals(700, curves.getHeight());
    }
}
