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
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code fcpts bench}'s picture: median latency against weight sparsity, one
 * panel per batch size (its own millisecond axis from 0), one line per path
 * in the same colour in every panel, points in the order given.
 */
public final class LatencyChart {
    private static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0x56B4E9), new Color(0xD55E00), new Color(0xF0E442), new Color(0x000000),
    };

    private LatencyChart() {
    }

    /**
     * @param out    the PNG file (900 x 360 per panel, at least 600 high), replaced atomically
     * @param panels per panel title (e.g. "batch 1"), per path name, points {sparsity in [0, 1], ms > 0}
     * @throws IllegalArgumentException without a panel or a path, or for a point that is not {fraction, ms > 0}
     */
    public static void write(Path out, String title, Map<String, Map<String, double[][]>> panels) {
        Objects.requireNonNull(out, "out");
        if (panels.isEmpty() || panels.values().stream().anyMatch(Map::isEmpty)) {
            throw new IllegalArgumentException("a latency chart needs at least one panel with one path");
        }
        NumberAxis sparsity = new NumberAxis("weight sparsity (%)");
        sparsity.setRange(0, 100);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(sparsity);
        plot.setGap(16);
        for (Map.Entry<String, Map<String, double[][]>> panel : panels.entrySet()) {
            XYSeriesCollection data = new XYSeriesCollection();
            panel.getValue().forEach((name, points) -> data.addSeries(series(panel.getKey(), name, points)));
            NumberAxis ms = new NumberAxis(panel.getKey() + ": median ms");
            ms.setAutoRangeIncludesZero(true);
            XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
            for (int i = 0; i < data.getSeriesCount(); i++) {
                lines.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
                lines.setSeriesStroke(i, new BasicStroke(2f));
            }
            XYPlot p = new XYPlot(data, null, ms, lines);
            p.setBackgroundPaint(Color.WHITE);
            p.setDomainGridlinePaint(new Color(0xDDDDDD));
            p.setRangeGridlinePaint(new Color(0xDDDDDD));
            plot.add(p, 1);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        chart.getLegend().setFrame(BlockBorder.NONE);
        // one legend entry per path: the panels repeat the same series names
        org.jfree.chart.LegendItemCollection legend = new org.jfree.chart.LegendItemCollection();
        XYPlot first = (XYPlot) plot.getSubplots().get(0);
        for (int i = 0; i < first.getDataset().getSeriesCount(); i++) {
            legend.add(first.getRenderer().getLegendItem(0, i));
        }
        plot.setFixedLegendItems(legend);
        int height = Math.max(600, 360 * panels.size());
        AtomicFiles.write(out, stream -> ChartUtils.writeChartAsPNG(stream, chart, 900, height));
    }

    private static XYSeries series(String panel, String name, double[][] points) {
        XYSeries s = new XYSeries(name, false);
        for (double[] p : points) {
            if (p.length != 2 || !(p[0] >= 0 && p[0] <= 1) || !(p[1] > 0 && Double.isFinite(p[1]))) {
                throw new IllegalArgumentException(panel + ", path '" + name + "': point "
                        + java.util.Arrays.toString(p) + " is not {sparsity in [0, 1], milliseconds > 0}");
            }
            s.add(100 * p[0], p[1]);
        }
        return s;
    }
}
