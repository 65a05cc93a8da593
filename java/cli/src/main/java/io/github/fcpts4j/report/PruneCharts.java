package io.github.fcpts4j.report;

import io.github.fcpts4j.prune.PruneResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The two PNG charts of a pruning run, as {@code fcpts prune --chart PREFIX} writes them. */
public final class PruneCharts {
    /** Suffix of the per-layer sparsity chart. */
    public static final String LAYER_CHART = ".layers.png";
    /** Suffix of the optimization-curve chart. */
    public static final String CURVE_CHART = ".curves.png";

    private PruneCharts() {
    }

    /** The chart file {@link #write} writes for {@code prefix} and a chart suffix. */
    public static Path chartFile(Path prefix, String suffix) {
        return prefix.resolveSibling(prefix.getFileName() + suffix);
    }

    /**
     * Writes {@code <prefix>.layers.png} (per-layer sparsity next to the uniform and ERK allocations at the same
     * budget) and, when the run optimized, {@code <prefix>.curves.png} (reconstruction loss and hard global
     * sparsity per iteration); returns the files written.
     */
    public static List<Path> write(PruneResult result, Path prefix) {
        List<Path> out = new ArrayList<>();
        Path layerChart = chartFile(prefix, LAYER_CHART);
        SparsityCharts.layerSparsity(layerChart, String.format("Per-layer sparsity at %.0f %% (%s)",
                        100 * result.targetSparsity(), result.model().graph().name()),
                result.layers().stream().map(PruneResult.Layer::name).toList(), result.allocationSeries());
        out.add(layerChart);
        if (result.reconstructionCurve().length > 0) {
            Path curves = chartFile(prefix, CURVE_CHART);
            SparsityCharts.curves(curves, result.method().label() + " optimization of "
                    + result.model().graph().name(), result.reconstructionCurve(), result.sparsityCurve(),
                    result.targetSparsity());
            out.add(curves);
        }
        return out;
    }
}
