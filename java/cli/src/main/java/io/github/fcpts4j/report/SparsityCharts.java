// Draws two kinds of PNG chart with JFreeChart, without touching any global state (no chart theme, no AWT
// properties), so they render headless:
//   - layerSparsity: grouped bars, one group per layer, one bar per allocation method, sparsity in percent;
//   - curves: reconstruction loss (log scale) above global sparsity with its target, per iteration.

package io.github.fcpts4j.report;

import io.github.fcpts4j.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.LengthAdjustmentType;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Writes PNG charts of pruning results: the per-layer sparsity of one or more allocations side by side, and the
 * reconstruction loss and global sparsity of an optimization run per iteration. Every file is written atomically
 * (see {@link AtomicFiles}); invalid input throws {@link IllegalArgumentException} before anything is written.
 */
public final class SparsityCharts {
    /** Okabe-Ito colours, distinguishable with the common colour-vision deficiencies; series i gets i mod 8. */
    private static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0x56B4E9), new Color(0xD55E00), new Color(0xF0E442), new Color(0x000000),
    };
    private static final Color GRID = new Color(0xDDDDDD);
    private static final Color MINOR_GRID = new Color(0xF0F0F0);
    private static final Color TARGET = new Color(0x555555);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LAYER_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    private static final int BAR_HEIGHT = 560;
    private static final int CURVES_WIDTH = 900;
    private static final int CURVES_HEIGHT = 700;

    private SparsityCharts() {
    }

    /**
     * Writes a grouped bar chart of per-layer sparsity: one group per layer (in the given order, names rotated
     * 90 degrees), one bar per series (in the map's iteration order, so pass a {@link java.util.LinkedHashMap}),
     * on a fixed 0-100 % axis. The image is 560 px high and {@code max(900, 60 + layers * (14 * series + 10))}
     * px wide.
     *
     * @param out    the PNG file; replaced atomically if it exists
     * @param title  the chart title, or {@code null} for none
     * @param layers the layer names, non-empty and distinct
     * @param series per series name (e.g. "FCPTS", "uniform"), the sparsity of each layer as a fraction in [0, 1]
     * @throws IllegalArgumentException if there is no layer or no series, a layer name repeats, a series' length
     *                                  differs from the layer count, or a value is NaN or outside [0, 1]
     * @throws io.github.fcpts4j.FcptsException if the file cannot be written
     */
    public static void layerSparsity(Path out, String title, List<String> layers, Map<String, double[]> series) {
        Objects.requireNonNull(out, "out");
        checkLayerSparsity(layers, series);

        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, double[]> s : series.entrySet()) {
            for (int l = 0; l < layers.size(); l++) {
                data.addValue(100 * s.getValue()[l], s.getKey(), layers.get(l));
            }
        }
        CategoryAxis layerAxis = new CategoryAxis("layer");
        layerAxis.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        layerAxis.setTickLabelFont(LAYER_FONT);
        layerAxis.setLowerMargin(0.01);
        layerAxis.setUpperMargin(0.01);
        NumberAxis sparsityAxis = new NumberAxis("sparsity (%)");
        sparsityAxis.setRange(0, 100);
        sparsityAxis.setTickUnit(new NumberTickUnit(10));

        BarRenderer bars = new BarRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setDrawBarOutline(false);
        bars.setItemMargin(0.0);
        for (int i = 0; i < series.size(); i++) {
            bars.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }

        CategoryPlot plot = new CategoryPlot(data, layerAxis, sparsityAxis, bars);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        plot.setRangeGridlinePaint(GRID);
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setDomainGridlinesVisible(false);

        JFreeChart chart = chart(title, plot, true);
        int width = Math.max(900, 60 + layers.size() * (14 * series.size() + 10));
        write(out, chart, width, BAR_HEIGHT);
    }

    /**
     * Writes the curves of one optimization run, 900 x 700 px: the reconstruction loss on a logarithmic axis
     * above the global sparsity in percent with a dashed line at the target, both against the 1-based iteration.
     * Loss values that are not finite and positive cannot be placed on a log axis and are left out.
     *
     * @param out                the PNG file; replaced atomically if it exists
     * @param title              the chart title, or {@code null} for none
     * @param reconstructionLoss the loss after each iteration
     * @param globalSparsity     the global sparsity after each iteration, fractions in [0, 1]
     * @param targetSparsity     the target global sparsity, in [0, 1)
     * @throws IllegalArgumentException if the arrays are empty or differ in length, a sparsity is NaN or outside
     *                                  [0, 1], or the target is outside [0, 1)
     * @throws io.github.fcpts4j.FcptsException if the file cannot be written
     */
    public static void curves(Path out, String title, double[] reconstructionLoss, double[] globalSparsity,
                              double targetSparsity) {
        Objects.requireNonNull(out, "out");
        checkCurves(reconstructionLoss, globalSparsity, targetSparsity);

        XYSeries loss = new XYSeries("reconstruction loss");
        XYSeries sparsity = new XYSeries("global sparsity");
        for (int i = 0; i < globalSparsity.length; i++) {
            double v = reconstructionLoss[i];
            if (Double.isFinite(v) && v > 0) {
                loss.add(i + 1, v);
            }
            sparsity.add(i + 1, 100 * globalSparsity[i]);
        }

        XYPlot lossPlot = linePlot(loss, decadeAxis("reconstruction loss", loss), PALETTE[0]);
        lossPlot.setRangeMinorGridlinesVisible(true);
        lossPlot.setRangeMinorGridlinePaint(MINOR_GRID);
        lossPlot.setRangeMinorGridlineStroke(new BasicStroke(1f));
        NumberAxis sparsityAxis = new NumberAxis("global sparsity (%)");
        sparsityAxis.setRange(0, 100);
        sparsityAxis.setTickUnit(new NumberTickUnit(10));
        XYPlot sparsityPlot = linePlot(sparsity, sparsityAxis, PALETTE[5]);
        ValueMarker target = new ValueMarker(100 * targetSparsity, TARGET,
                new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        target.setLabel(String.format(Locale.ROOT, "target %.1f %%", 100 * targetSparsity));
        target.setLabelFont(LAYER_FONT);
        target.setLabelPaint(TARGET);
        target.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        target.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        target.setLabelOffsetType(LengthAdjustmentType.EXPAND);
        target.setLabelBackgroundColor(Color.WHITE);
        sparsityPlot.addRangeMarker(target);

        NumberAxis iteration = new NumberAxis("iteration");
        iteration.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        iteration.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(iteration);
        plot.setGap(20);
        plot.add(lossPlot, 1);
        plot.add(sparsityPlot, 1);
        write(out, chart(title, plot, false), CURVES_WIDTH, CURVES_HEIGHT);
    }

    /** A log axis labelled only at powers of ten, over whole decades around the series' values. */
    private static LogAxis decadeAxis(String label, XYSeries series) {
        LogAxis axis = new LogAxis(label);
        TickUnits decades = new TickUnits();
        for (int step : new int[] {1, 2, 5, 10, 20, 50}) {
            decades.add(new NumberTickUnit(step, new DecimalFormat("0"), step == 1 ? 9 : 0));
        }
        axis.setStandardTickUnits(decades);
        if (series.getItemCount() > 0) {
            double lo = Math.floor(Math.log10(series.getMinY()));
            double hi = Math.max(lo + 1, Math.ceil(Math.log10(series.getMaxY())));
            // a hair beyond the decades, so that rounding in the axis' logarithm keeps their ticks
            axis.setRange(Math.pow(10, lo - 1e-9), Math.pow(10, hi + 1e-9));
        }
        return axis;
    }

    private static XYPlot linePlot(XYSeries series, ValueAxis rangeAxis, Color colour) {
        XYLineAndShapeRenderer line = new XYLineAndShapeRenderer(true, series.getItemCount() < 2);
        line.setSeriesPaint(0, colour);
        line.setSeriesStroke(0, new BasicStroke(2f));
        XYPlot plot = new XYPlot(new XYSeriesCollection(series), null, rangeAxis, line);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        plot.setDomainGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlinePaint(GRID);
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        return plot;
    }

    private static JFreeChart chart(String title, Plot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        if (legend) {
            chart.getLegend().setPosition(RectangleEdge.BOTTOM);
            chart.getLegend().setFrame(BlockBorder.NONE);
        }
        return chart;
    }

    private static void write(Path out, JFreeChart chart, int width, int height) {
        AtomicFiles.write(out, stream -> ChartUtils.writeChartAsPNG(stream, chart, width, height));
    }

    private static void checkLayerSparsity(List<String> layers, Map<String, double[]> series) {
        Objects.requireNonNull(layers, "layers");
        Objects.requireNonNull(series, "series");
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers is empty: a sparsity chart needs at least one layer");
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("series is empty: a sparsity chart needs at least one series");
        }
        Set<String> seen = new HashSet<>();
        for (int l = 0; l < layers.size(); l++) {
            String name = Objects.requireNonNull(layers.get(l), "layer name at index " + l);
            if (!seen.add(name)) {
                throw new IllegalArgumentException("layer '" + name + "' appears twice (again at index " + l + ")");
            }
        }
        for (Map.Entry<String, double[]> s : series.entrySet()) {
            String name = s.getKey();
            double[] values = Objects.requireNonNull(s.getValue(), "values of series '" + name + "'");
            if (values.length != layers.size()) {
                throw new IllegalArgumentException("series '" + name + "' has " + values.length
                        + " values but there are " + layers.size() + " layers");
            }
            for (int l = 0; l < values.length; l++) {
                if (!(values[l] >= 0 && values[l] <= 1)) {
                    throw new IllegalArgumentException("series '" + name + "', layer '" + layers.get(l)
                            + "': sparsity " + values[l] + " is not a fraction in [0, 1]");
                }
            }
        }
    }

    private static void checkCurves(double[] loss, double[] sparsity, double target) {
        Objects.requireNonNull(loss, "reconstructionLoss");
        Objects.requireNonNull(sparsity, "globalSparsity");
        if (loss.length != sparsity.length) {
            throw new IllegalArgumentException("reconstructionLoss has " + loss.length
                    + " values but globalSparsity has " + sparsity.length);
        }
        if (loss.length == 0) {
            throw new IllegalArgumentException("reconstructionLoss and globalSparsity are empty: no iteration");
        }
        for (int i = 0; i < sparsity.length; i++) {
            if (!(sparsity[i] >= 0 && sparsity[i] <= 1)) {
                throw new IllegalArgumentException("globalSparsity at iteration " + (i + 1) + " is " + sparsity[i]
                        + ", not a fraction in [0, 1]");
            }
        }
        if (!(target >= 0 && target < 1)) {
            throw new IllegalArgumentException("targetSparsity " + target + " is outside [0, 1)");
        }
    }
}
