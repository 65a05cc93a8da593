package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.engine.ExecutorOptions;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ops.Ops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The BatchNorm mode a run uses, and why. {@link FcptsConfig.BatchNormMode#AUTO} asks whether the published
 * teacher (BatchNorm in training mode, batch statistics) is the model the user has on the calibration data:
 * it runs the dense graph on the first calibration batch once with running statistics (y) and once with
 * batch statistics (y'), and takes the largest relative error ||y' - y|| / ||y|| over the graph outputs.
 * Up to {@link #LIMIT} the run uses TRAIN (the shipped models on their own data: 0.13 and 0.14; the PP-OCRv3
 * recognizer on rendered lines: 0.30); above it FROZEN (PP-OCRv3 det on photo crops: 2.26, where a
 * training-mode teacher is a different function and reconstruction matches the wrong target). A graph
 * without BatchNorm needs no measurement (TRAIN, discrepancy 0). The measurement compiles its own executor,
 * so no running average of the run's teacher or student moves.
 *
 * @param requested   the configured mode
 * @param used        the mode the run uses (never AUTO)
 * @param discrepancy the measured largest relative error, 0 without BatchNorm, NaN when not measured
 */
public record BatchNormChoice(FcptsConfig.BatchNormMode requested, FcptsConfig.BatchNormMode used,
                              double discrepancy) {
    /** Largest teacher discrepancy at which AUTO keeps the published training mode. */
    public static final double LIMIT = 0.5;

    /** A mode given explicitly: used as it is, nothing measured. */
    public static BatchNormChoice fixed(FcptsConfig.BatchNormMode mode) {
        return new BatchNormChoice(mode, mode, Double.NaN);
    }

    /**
     * Resolves {@code requested} for {@code dense} on one calibration batch {@code images} of shape
     * {@code batchShape} fed to {@code input}.
     */
    public static BatchNormChoice resolve(FcptsConfig.BatchNormMode requested, Graph dense, Backend backend,
                                          String input, long[] batchShape, float[] images) {
        if (requested != FcptsConfig.BatchNormMode.AUTO) {
            return fixed(requested);
        }
        boolean any = false;
        for (Node n : dense.nodes()) {
            any |= !Ops.of(n.op()).runningStatisticInputs().isEmpty();
        }
        if (!any) {
            return new BatchNormChoice(requested, FcptsConfig.BatchNormMode.TRAIN, 0);
        }
        double worst = 0;
        try (NetworkExecutor e = NetworkExecutor.compile(dense, backend, Map.of(input, batchShape),
                ExecutorOptions.training())) {
            e.setTraining(false);
            Map<String, float[]> running = new LinkedHashMap<>(e.run(Map.of(input, images)));
            e.setTraining(true);
            Map<String, float[]> batch = e.run(Map.of(input, images));
            for (Map.Entry<String, float[]> o : running.entrySet()) {
                float[] y = o.getValue(), z = batch.get(o.getKey());
                double d2 = 0, r2 = 0;
                for (int i = 0; i < y.length; i++) {
                    d2 += ((double) z[i] - y[i]) * ((double) z[i] - y[i]);
                    r2 += (double) y[i] * y[i];
                }
                double rel = r2 > 0 ? Math.sqrt(d2 / r2) : d2 == 0 ? 0 : Double.POSITIVE_INFINITY;
                worst = Double.isNaN(rel) ? Double.POSITIVE_INFINITY : Math.max(worst, rel);
            }
        }
        return new BatchNormChoice(requested, worst <= LIMIT ? FcptsConfig.BatchNormMode.TRAIN
                : FcptsConfig.BatchNormMode.FROZEN, worst);
    }

    /** Whether the mode was chosen by measurement. */
    public boolean measured() {
        return requested == FcptsConfig.BatchNormMode.AUTO;
    }

    /** One line for the summary, e.g. "BatchNorm: auto -> frozen (...)". */
    public String describe() {
        String u = used.name().toLowerCase(Locale.ROOT).replace('_', '-');
        if (!measured()) {
            return "BatchNorm: " + u;
        }
        if (discrepancy == 0) {
            return "BatchNorm: auto -> " + u + " (the model has no BatchNorm)";
        }
        return String.format(Locale.ROOT, "BatchNorm: auto -> %s (on the first calibration batch the model with "
                + "batch statistics is %.3f relative L2 from itself with running statistics; train up to %.2f)",
                u, discrepancy, LIMIT);
    }

    /** {@code {"requested", "used", "discrepancy"?, "limit"?}} for the JSON report. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requested", requested.name().toLowerCase(Locale.ROOT));
        m.put("used", used.name().toLowerCase(Locale.ROOT));
        if (measured()) {
            m.put("discrepancy", discrepancy);
            m.put("limit", LIMIT);
        }
        return m;
    }
}
