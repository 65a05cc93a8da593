package io.github.fcpts4j.prune;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ErrorCode;
import com.google.gson.GsonBuilder;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.sparsity.Masks;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a {@link Pruner} run produced: the pruned model, the per-layer and
 * global sparsity (by parameters and by MACs per sample, whichever the target
 * counted), the optimization curves and timings. Immutable; accuracies are
 * attached with {@link #withAccuracy} by whoever measured them.
 */
public final class PruneResult {

    /** One pruned layer. */
    public record Layer(String name, String weight, long weights, long pruned, double sparsity, double threshold) {
    }

    private final OnnxModel model;
    private final Path source;
    private final Pruner.Method method;
    private final boolean reconstructed;
    private final FcptsConfig config;
    private final double[] macsPerWeight;
    private final List<Layer> layers;
    private final Masks masks;
    private final double[] reconstructionCurve;
    private final double[] sparsityCurve;
    private final List<ReconstructionTerm> reconstructionTerms;
    private final BatchNormChoice batchNorm;
    private final boolean weightLrAuto;
    private final Map<String, double[]> references;
    private final String backend;
    private final double seconds;
    private final double denseTop1;
    private final double prunedTop1;
    private final LatencyOutcome latency;

    PruneResult(OnnxModel model, Path source, Pruner.Method method, boolean reconstructed, FcptsConfig config,
                double[] macsPerWeight, List<Node> prunable, List<PrunableLayer> denseLayers,
                FcptsLoop.Outcome outcome, Map<String, double[]> references, String backend, double seconds,
                LatencyOutcome latency) {
        this.model = model;
        this.source = source;
        this.method = method;
        this.reconstructed = reconstructed;
        // the config as it ran: the weight lr the run chose or restarted with
        this.config = Float.isNaN(outcome.weightLr()) ? config
                : config.toBuilder().weightLr(outcome.weightLr()).build();
        this.weightLrAuto = config.schedule().weightLrAuto();
        this.macsPerWeight = macsPerWeight.clone();
        this.masks = outcome.masks();
        List<Layer> rows = new ArrayList<>();
        for (int l = 0; l < masks.layers(); l++) {
            double t = outcome.thresholds() == null ? Double.NaN : outcome.thresholds()[l];
            rows.add(new Layer(masks.name(l), prunable.get(l).input(1), denseLayers.get(l).size(),
                    masks.prunedCount(l), masks.sparsity(l), t));
        }
        this.layers = List.copyOf(rows);
        this.reconstructionCurve = outcome.reconstructionCurve().clone();
        this.sparsityCurve = outcome.sparsityCurve().clone();
        this.reconstructionTerms = outcome.reconstruction();
        this.batchNorm = outcome.batchNorm();
        this.references = references;
        this.backend = backend;
        this.seconds = seconds;
        this.denseTop1 = Double.NaN;
        this.prunedTop1 = Double.NaN;
        this.latency = latency;
    }

    private PruneResult(PruneResult r, double denseTop1, double prunedTop1) {
        this.model = r.model;
        this.source = r.source;
        this.method = r.method;
        this.reconstructed = r.reconstructed;
        this.config = r.config;
        this.weightLrAuto = r.weightLrAuto;
        this.macsPerWeight = r.macsPerWeight;
        this.masks = r.masks;
        this.layers = r.layers;
        this.reconstructionCurve = r.reconstructionCurve;
        this.sparsityCurve = r.sparsityCurve;
        this.reconstructionTerms = r.reconstructionTerms;
        this.batchNorm = r.batchNorm;
        this.references = r.references;
        this.backend = r.backend;
        this.seconds = r.seconds;
        this.denseTop1 = denseTop1;
        this.prunedTop1 = prunedTop1;
        this.latency = r.latency;
    }

    /** The pruned model (opset, metadata and every other tensor as in the input). */
    public OnnxModel model() {
        return model;
    }

    public Pruner.Method method() {
        return method;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The masks the model was pruned with. */
    public Masks masks() {
        return masks;
    }

    /**
     * A latency-constrained run's table source and the pruned model's predicted and measured latency; empty
     * for the other constraints.
     */
    public java.util.Optional<LatencyOutcome> latency() {
        return java.util.Optional.ofNullable(latency);
    }

    /** The global sparsity as the target counts it: by parameters, by MACs, or the predicted latency saving. */
    public double achievedTargetSparsity() {
        return switch (costBasis()) {
            case PARAMETERS -> achievedSparsity();
            case FLOPS -> achievedMacSparsity();
            case LATENCY -> latency.check().predictedSaving();
        };
    }

    /** Whether the target counts parameters, MACs or latency. */
    public FcptsConfig.CostBasis costBasis() {
        return config.target().costBasis();
    }

    public double targetSparsity() {
        return config.target().sparsity();
    }

    /** Pruned fraction of the prunable weights. */
    public double achievedSparsity() {
        return masks.sparsity();
    }

    /** Pruned fraction of the prunable layers' multiply-accumulates per sample (what FLOPs mode targets). */
    public double achievedMacSparsity() {
        double pruned = 0, all = 0;
        for (int l = 0; l < layers.size(); l++) {
            pruned += macsPerWeight[l] * layers.get(l).pruned();
            all += macsPerWeight[l] * layers.get(l).weights();
        }
        return all == 0 ? 0 : pruned / all;
    }

    public long prunedWeights() {
        return masks.prunedCount();
    }

    public long totalWeights() {
        return masks.totalCount();
    }

    /** Reconstruction loss per iteration (empty for a baseline without reconstruction). */
    public double[] reconstructionCurve() {
        return reconstructionCurve.clone();
    }

    /**
     * The reconstruction loss term of every reconstructed output (which loss, on which value, at which scale;
     * {@link ReconstructionPlan}); empty for a baseline without reconstruction.
     */
    public List<ReconstructionTerm> reconstructionTerms() {
        return reconstructionTerms;
    }

    /** The BatchNorm mode the reconstruction used and why; empty for a baseline without reconstruction. */
    public java.util.Optional<BatchNormChoice> batchNorm() {
        return java.util.Optional.ofNullable(batchNorm);
    }

    /** Whether the run chose the weight lr ({@link ScheduleSettings#weightLrFor}) instead of being given one. */
    public boolean weightLrAuto() {
        return weightLrAuto;
    }

    /** The weights' peak learning rate the run used (after any restart); NaN when nothing was reconstructed. */
    public float weightLr() {
        return reconstructed ? config.schedule().weightLr() : Float.NaN;
    }

    /** Hard global sparsity per iteration. */
    public double[] sparsityCurve() {
        return sparsityCurve.clone();
    }

    /** Wall time of the pruning, seconds. */
    public double seconds() {
        return seconds;
    }

    public OptionalDouble denseTop1() {
        return Double.isNaN(denseTop1) ? OptionalDouble.empty() : OptionalDouble.of(denseTop1);
    }

    public OptionalDouble prunedTop1() {
        return Double.isNaN(prunedTop1) ? OptionalDouble.empty() : OptionalDouble.of(prunedTop1);
    }

    /** This result with top-1 accuracies (fractions) measured by the caller, for the report. */
    public PruneResult withAccuracy(double dense, double pruned) {
        return new PruneResult(this, dense, pruned);
    }

    /** Writes the pruned ONNX model atomically; refuses the file it was read from. */
    public void export(Path target) {
        if (source != null && target.toAbsolutePath().normalize().equals(source.toAbsolutePath().normalize())) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "output " + target + " is the input model; choose another file");
        }
        OnnxExporter.write(model, target);
    }

    /** Writes {@link #toJson()} atomically. */
    public void report(Path target) {
        AtomicFiles.writeString(target, toJson() + "\n");
    }

    /**
     * The per-layer sparsity of this run and of the reference allocations at the same budget (uniform, ERK),
     * by label, in the order of {@link #layers()}: what the CLI's per-layer chart draws.
     */
    public Map<String, double[]> allocationSeries() {
        Map<String, double[]> series = new LinkedHashMap<>();
        double[] mine = new double[layers.size()];
        for (int l = 0; l < mine.length; l++) {
            mine[l] = layers.get(l).sparsity();
        }
        series.put(method.label() + (reconstructed && method != Pruner.Method.FCPTS ? " + rec" : ""), mine);
        references.forEach((k, v) -> series.put(k, v.clone()));
        return series;
    }

    /** The report as one JSON object (target, achieved sparsity, counts, per-layer table, curves, timings). */
    public String toJson() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", source == null ? model.graph().name() : source.toString());
        if (model.float16Weights()) {
            r.put("precision", "fp16 weights computed in fp32, written back as fp16");
        }
        r.put("method", method.label());
        r.put("reconstruction", reconstructed);
        r.put("backend", backend);
        r.put("constraint", config.target().costBasis().name().toLowerCase(java.util.Locale.ROOT));
        r.put("target_sparsity", targetSparsity());
        r.put("achieved_sparsity", achievedSparsity());
        r.put("achieved_mac_sparsity", achievedMacSparsity());
        r.put("pruned_weights", prunedWeights());
        r.put("total_weights", totalWeights());
        r.put("sparsity_error", Math.abs(achievedTargetSparsity() - targetSparsity()));
        if (latency != null) {
            Map<String, Object> lat = new LinkedHashMap<>();
            lat.put("table", latency.table().file() == null ? null : latency.table().file().toString());
            lat.put("table_source", latency.table().cached() ? "cache" : "measured");
            lat.put("table_seconds", latency.table().seconds());
            if (latency.table().note() != null) {
                lat.put("note", latency.table().note());
            }
            lat.put("machine", latency.table().table().machine());
            lat.put("input_shapes", latency.table().table().inputShapes());
            lat.put("dense_ms", latency.check().denseMs());
            lat.put("predicted_ms", latency.check().predictedMs());
            lat.put("predicted_saving", latency.check().predictedSaving());
            lat.put("measured_ms", latency.check().measuredMs());
            lat.put("measured_dense_ms", latency.check().measuredDenseMs());
            lat.put("predicted_now_ms", latency.check().predictedNowMs());
            lat.put("measured_saving", latency.check().measuredSaving());
            lat.put("prediction_error", latency.check().predictionError());
            lat.put("sparse_layers", latency.check().sparseLayers());
            r.put("latency", lat);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Layer l : layers) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", l.name());
            row.put("weight", l.weight());
            row.put("weights", l.weights());
            row.put("pruned", l.pruned());
            row.put("sparsity", l.sparsity());
            if (!Double.isNaN(l.threshold())) {
                row.put("threshold", l.threshold());
            }
            rows.add(row);
        }
        r.put("layers", rows);
        r.put("iterations", reconstructionCurve.length);
        if (reconstructed) {
            Map<String, Object> schedule = new LinkedHashMap<>();
            schedule.put("preset", SchedulePreset.labelOf(config.schedule().iterations()));
            schedule.put("iterations", config.schedule().iterations());
            schedule.put("batch", config.schedule().batch());
            schedule.put("calibration_samples", config.schedule().calibrationSamples());
            schedule.put("weight_lr", config.schedule().weightLr());
            schedule.put("weight_lr_choice", weightLrAuto ? "auto" : "given");
            schedule.put("batch_norm", (batchNorm != null ? batchNorm.used() : config.objective().batchNorm()).name()
                    .toLowerCase(java.util.Locale.ROOT));
            if (batchNorm != null) {
                schedule.put("batch_norm_choice", batchNorm.toMap());
            }
            schedule.put("init", config.thresholds().init().name().toLowerCase(java.util.Locale.ROOT));
            schedule.put("constraint_loss", config.objective().absoluteConstraint() ? "abs" : "square");
            schedule.put("lambda", config.objective().lambda());
            schedule.put("polish_fraction", config.schedule().polishFraction());
            schedule.put("sparsity_ramp", config.thresholds().ramp());
            r.put("schedule", schedule);
            List<Map<String, Object>> terms = new ArrayList<>();
            for (ReconstructionTerm t : reconstructionTerms) {
                Map<String, Object> term = new LinkedHashMap<>();
                term.put("output", t.output());
                term.put("value", t.value());
                term.put("loss", t.loss().label());
                if (t.loss() == ReconstructionTerm.Loss.KL) {
                    term.put("temperature", config.objective().temperature());
                }
                Float decision = t.loss() == ReconstructionTerm.Loss.MSE && t.sameAs() == null
                        ? config.objective().decisions().get(t.output()) : null;
                if (decision != null) {
                    // DecisionWeighting: relative to each batch's weighted teacher mean square, no fixed scale
                    term.put("normalization", "batch_weighted_teacher_mean_square");
                    term.put("decision_threshold", decision);
                } else {
                    term.put("normalization", t.normalized() ? "teacher_mean_square" : "none");
                    term.put("scale", t.scale());
                }
                if (t.sameAs() != null) {
                    term.put("same_term_as", t.sameAs());
                }
                terms.add(term);
            }
            r.put("reconstruction_terms", terms);
        }
        r.put("seconds", seconds);
        if (!Double.isNaN(denseTop1)) {
            r.put("dense_top1", denseTop1);
            r.put("pruned_top1", prunedTop1);
        }
        r.put("reconstruction_curve", reconstructionCurve);
        r.put("sparsity_curve", sparsityCurve);
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(r);
    }
}
