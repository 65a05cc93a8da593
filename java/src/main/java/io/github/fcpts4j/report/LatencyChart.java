package io.github.fcpts4j.report;

import io.github.fcpts4j.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code fcpts bench}'s picture: median latency (log scale) against weight
 * sparsity, one line per series (e.g. "batch 1, sparse plan"), points in the
 * order given.
 */
public final class LatencyChart {
    private static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0x56B4E9), new Color(0xD55E00), new Color(0xF0E442), new Color(0x000000),
    };

    private LatencyChart() {
    }

    /**
     * @param out    the PNG file (900 x 600), replaced atomically
     * @param series per series name, points {sparsity in [0, 1], milliseconds > 0}
     * @throws IllegalArgumentException for an empty series map, a point that is not {fraction, positive ms}
     */
    public static void write(Path out, String title, Map<String, double[][]> series) {
        Objects.requireNonNull(out, "out");
        if (series.isEmpty()) {
            throw new IllegalArgumentException("a latency chart needs at least one series");
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach((name, points) -> {
            XYSeries s = new XYSeries(name, false);
            for (double[] p : points) {
                if (p.length != 2 || !(p[0] >= 0 && p[0] <= 1) || !(p[1] > 0 && Double.isFinite(p[1]))) {
                    throw new IllegalArgumentException("series '" + name + "': point " + java.util.Arrays.toString(p)
                            + " is not {sparsity in [0, 1], milliseconds > 0}");
                }
                s.add(100 * p[0], p[1]);
            }
            data.addSeries(s);
        });
        NumberAxis sparsity = new NumberAxis("weight sparsity (%)");
        sparsity.setRange(0, 100);
        LogAxis ms = new LogAxis("median latency (ms, log scale)");
        ms.setSmallestValue(1e-3);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            lines.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            lines.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, sparsity, ms, lines);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        chart.getLegend().setFrame(BlockBorder.NONE);
        AtomicFiles.write(out, stream -> ChartUtils.writeChartAsPNG(stream, chart, 900, 600));
    }
}
