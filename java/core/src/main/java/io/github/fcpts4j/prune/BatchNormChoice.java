package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.engine.BatchNormRecalibration;
import io.github.fcpts4j.engine.ExecutorOptions;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ops.Ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ObjIntConsumer;

/**
 * The BatchNorm mode a run uses, and why. {@link FcptsConfig.BatchNormMode#AUTO} asks whether the published
 * recipe (teacher and student BatchNorm in training mode, running statistics re-estimated on the calibration
 * data) can end at the model the user has: it re-estimates the dense graph's running statistics on the
 * first {@link #MEASURED_SAMPLES} calibration samples (the cumulative average of their batch statistics, at
 * the run's batch size) and compares the dense graph with its own running statistics (y) and with the
 * re-estimated ones (y'), both in inference mode on those samples, on what the reconstruction compares (its
 * terms' tensors: logits for a KL term). Averaging over batches keeps batch-to-batch noise out of it (at
 * batch 16 a single batch's statistics change an eighth of the shipped ResNet-20's decisions, and the
 * published recipe still wins there): what remains is how far the calibration data's statistics are from
 * the training set's, plus the noise of estimating them on few samples. Two measures: the largest relative
 * error ||y' - y|| / ||y||, and, over the KL terms, the smallest share of rows (samples, or an OCR
 * recognizer's time steps) whose largest logit is the same class in both, i.e. whether the re-estimated
 * model makes the user's model's decisions. The estimation noise is measured beside it: the same share
 * between the models re-estimated on the first and on the second half of the batches. The run uses TRAIN
 * where the error is at most {@link #LIMIT} and the agreement is at least {@link #AGREEMENT_LIMIT} or at
 * least the halves' (with a single batch there are no halves, and decisions alone never freeze), else
 * FROZEN. Measured (error / agreement / the halves' agreement): the shipped ResNet-20 and MobileNetV2-small
 * on their data 0.061 / 100 / 98.4 % and 0.095 / 98.4 / 98.4 % (the published recipe wins by 2-70 points
 * there); ResNet-20 calibrated on only 16 samples (batch 8) 0.340 / 81.3 / 68.8 % (noise: trained 90.29 %, frozen
 * 88.93 % at 70 %); the PP-OCRv3 recognizer on rendered lines (batch 16) 0.300 / 86.1 / 98.2 % of its time
 * steps (frozen: 99.73 % character accuracy, trained: 81.76 %, dense 99.95 %); PP-OCRv3 det on photo crops
 * 1.022 (frozen halves its error). A graph without BatchNorm needs no measurement (TRAIN, discrepancy 0).
 * The measurement works on its own copies, so no running average of the run's teacher or student moves.
 *
 * @param requested   the configured mode
 * @param used        the mode the run uses (never AUTO)
 * @param discrepancy the measured largest relative error, 0 without BatchNorm, NaN when not measured
 * @param agreement   the measured smallest decision agreement of the KL terms, NaN without a KL term or when
 *                    not measured
 * @param noiseAgreement the same between the models re-estimated on either half of the batches, NaN without
 *                    a KL term, with a single batch or when not measured
 */
public record BatchNormChoice(FcptsConfig.BatchNormMode requested, FcptsConfig.BatchNormMode used,
                              double discrepancy, double agreement, double noiseAgreement) {
    /** Largest teacher discrepancy at which AUTO keeps the published training mode. */
    public static final double LIMIT = 0.5;
    /** {@link #AGREEMENT_LIMIT} in percent. */
    public static final int AGREEMENT_PERCENT = 95;
    /**
     * Share of a KL term's decisions below which the re-estimated model counts as another function (when
     * re-estimating on other samples of the same data changes fewer).
     */
    public static final double AGREEMENT_LIMIT = AGREEMENT_PERCENT / 100.0;
    /** Calibration samples the statistics are re-estimated and compared on (whole batches, at least one). */
    public static final int MEASURED_SAMPLES = 128;

    /** A mode given explicitly: used as it is, nothing measured. */
    public static BatchNormChoice fixed(FcptsConfig.BatchNormMode mode) {
        return new BatchNormChoice(mode, mode, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * Resolves {@code requested} for {@code dense} on {@code batches} calibration batches of shape
     * {@code batchShape} fed to {@code input} ({@code fill} writes batch k into its array), comparing the
     * tensors of the reconstruction's {@code terms}.
     */
    public static BatchNormChoice resolve(FcptsConfig.BatchNormMode requested, Graph dense, Backend backend,
                                          String input, long[] batchShape, int batches, ObjIntConsumer<float[]> fill,
                                          List<ReconstructionTerm> terms) {
        if (requested != FcptsConfig.BatchNormMode.AUTO) {
            return fixed(requested);
        }
        boolean any = false;
        for (Node n : dense.nodes()) {
            any |= !Ops.of(n.op()).runningStatisticInputs().isEmpty();
        }
        if (!any) {
            return new BatchNormChoice(requested, FcptsConfig.BatchNormMode.TRAIN, 0, Double.NaN, Double.NaN);
        }
        Map<String, Boolean> compared = new LinkedHashMap<>();   // value -> whether a KL term reads it
        for (ReconstructionTerm t : terms) {
            compared.merge(t.value(), t.loss() == ReconstructionTerm.Loss.KL, Boolean::logicalOr);
        }
        float[] images = new float[Math.toIntExact(Tensor.elementCount(batchShape))];
        int half = batches / 2;
        Graph first = BatchNormRecalibration.run(dense, backend, batchShape, half == 0 ? batches : half, images,
                fill);
        Graph second = half == 0 ? null : BatchNormRecalibration.run(dense, backend, batchShape, batches - half,
                images, (a, k) -> fill.accept(a, half + k));
        Graph reestimated = half == 0 ? first : pooled(dense, first, half, second, batches - half);
        Difference shift = new Difference(compared), noise = new Difference(compared);
        ExecutorOptions observing = ExecutorOptions.inference().observing(compared.keySet());
        Map<String, long[]> shapes = Map.of(input, batchShape);
        try (NetworkExecutor user = NetworkExecutor.compile(dense, backend, shapes, observing);
             NetworkExecutor recipe = NetworkExecutor.compile(reestimated, backend, shapes, observing);
             NetworkExecutor a = half == 0 ? null : NetworkExecutor.compile(first, backend, shapes, observing);
             NetworkExecutor b = half == 0 ? null : NetworkExecutor.compile(second, backend, shapes, observing)) {
            for (int k = 0; k < batches; k++) {
                fill.accept(images, k);
                shift.add(user, recipe, images, input);
                if (half > 0) {
                    noise.add(a, b, images, input);
                }
            }
        }
        double worst = shift.relativeError(), agreement = shift.agreement();
        double noiseAgreement = half == 0 ? Double.NaN : noise.agreement();
        // decisions count where they change more than the threshold and more than re-estimating on other
        // samples of the same data changes them; with a single batch that noise is unknown and they do not
        boolean shifted = agreement < AGREEMENT_LIMIT && agreement < noiseAgreement;
        boolean train = worst <= LIMIT && !shifted;
        return new BatchNormChoice(requested, train ? FcptsConfig.BatchNormMode.TRAIN
                : FcptsConfig.BatchNormMode.FROZEN, worst, agreement, noiseAgreement);
    }

    /**
     * Accumulates, over batches, how two executors of the same graph differ on the compared values: the
     * relative error of each and the decisions (row argmax) of the KL terms'.
     */
    private static final class Difference {
        private final Map<String, Boolean> compared;
        private final Map<String, double[]> sums = new LinkedHashMap<>();   // value -> {d2, r2, same rows, rows}

        Difference(Map<String, Boolean> compared) {
            this.compared = compared;
            compared.keySet().forEach(v -> sums.put(v, new double[4]));
        }

        void add(NetworkExecutor reference, NetworkExecutor other, float[] images, String input) {
            reference.run(Map.of(input, images));
            other.run(Map.of(input, images));
            for (Map.Entry<String, double[]> v : sums.entrySet()) {
                float[] y = reference.value(v.getKey()).toArray(), z = other.value(v.getKey()).toArray();
                double[] acc = v.getValue();
                for (int i = 0; i < y.length; i++) {
                    acc[0] += ((double) z[i] - y[i]) * ((double) z[i] - y[i]);
                    acc[1] += (double) y[i] * y[i];
                }
                if (compared.get(v.getKey())) {
                    long[] shape = reference.shape(v.getKey());
                    int classes = Math.toIntExact(shape[shape.length - 1]);
                    acc[2] += sameDecisions(y, z, classes);
                    acc[3] += y.length / classes;
                }
            }
        }

        /** The largest relative error ||z - y|| / ||y|| over the values (0 where both are zero). */
        double relativeError() {
            double worst = 0;
            for (double[] acc : sums.values()) {
                double rel = acc[1] > 0 ? Math.sqrt(acc[0] / acc[1]) : acc[0] == 0 ? 0 : Double.POSITIVE_INFINITY;
                worst = Double.isNaN(rel) ? Double.POSITIVE_INFINITY : Math.max(worst, rel);
            }
            return worst;
        }

        /** The smallest share of same decisions over the KL terms' values, NaN without one. */
        double agreement() {
            double least = Double.NaN;
            for (Map.Entry<String, double[]> v : sums.entrySet()) {
                if (compared.get(v.getKey())) {
                    double a = v.getValue()[2] / v.getValue()[3];
                    least = Double.isNaN(least) ? a : Math.min(least, a);
                }
            }
            return least;
        }
    }

    /**
     * The statistics re-estimated on all batches, from those of two disjoint runs of {@code n1} and {@code n2}
     * batches: each is a cumulative average of per-batch means and variances, so the whole is their
     * batch-weighted average (what one run over all batches stores, up to rounding).
     */
    private static Graph pooled(Graph dense, Graph first, int n1, Graph second, int n2) {
        Graph out = dense;
        for (Node n : dense.nodes()) {
            for (int i : Ops.of(n.op()).runningStatisticInputs()) {
                String name = n.input(i);
                float[] a = first.initializer(name).orElseThrow().floats();
                float[] b = second.initializer(name).orElseThrow().floats();
                float[] m = new float[a.length];
                for (int j = 0; j < m.length; j++) {
                    m[j] = (float) (((double) n1 * a[j] + (double) n2 * b[j]) / (n1 + n2));
                }
                out = out.withInitializer(name, TensorData.ofFloats(dense.initializer(name).orElseThrow().dims(), m));
            }
        }
        return out;
    }

    /** Rows of {@code classes} values whose largest value (the first on ties) is at the same index in both. */
    static int sameDecisions(float[] y, float[] z, int classes) {
        int same = 0;
        for (int r = 0; r < y.length / classes; r++) {
            int a = r * classes, b = a;
            for (int j = r * classes + 1; j < (r + 1) * classes; j++) {
                a = y[j] > y[a] ? j : a;
                b = z[j] > z[b] ? j : b;
            }
            same += a == b ? 1 : 0;
        }
        return same;
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
        String noise = Double.isNaN(noiseAgreement) ? "too few batches to compare halves" : String.format(
                Locale.ROOT, "re-estimating on either half of them keeps %.1f %% between the two",
                100 * noiseAgreement);
        String decisions = Double.isNaN(agreement) ? "" : String.format(Locale.ROOT,
                ", and keeps %.1f %% of its decisions where %s (freeze when below both that and %d %%)",
                100 * agreement, noise, AGREEMENT_PERCENT);
        return String.format(Locale.ROOT, "BatchNorm: auto -> %s (with its statistics re-estimated on the first "
                + "calibration samples the model is %.3f relative L2 from itself (train up to %.2f)%s)",
                u, discrepancy, LIMIT, decisions);
    }

    /**
     * {@code {"requested", "used", "discrepancy"?, "limit"?, "agreement"?, "agreement_limit"?,
     * "noise_agreement"?}} for the JSON report.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requested", requested.name().toLowerCase(Locale.ROOT));
        m.put("used", used.name().toLowerCase(Locale.ROOT));
        if (measured()) {
            m.put("discrepancy", discrepancy);
            m.put("limit", LIMIT);
            if (!Double.isNaN(agreement)) {
                m.put("agreement", agreement);
                m.put("agreement_limit", AGREEMENT_LIMIT);
                if (!Double.isNaN(noiseAgreement)) {
                    m.put("noise_agreement", noiseAgreement);
                }
            }
        }
        return m;
    }
}
