package io.github.fcpts4j.cli;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.eval.OutputThreshold;
import io.github.fcpts4j.prune.BatchNormChoice;
import io.github.fcpts4j.prune.FcptsConfig;
import io.github.fcpts4j.prune.IterationStats;
import io.github.fcpts4j.prune.ProgressListener;
import io.github.fcpts4j.prune.PruneResult;
import io.github.fcpts4j.prune.ReconstructionTerm;
import io.github.fcpts4j.prune.Pruner;
import io.github.fcpts4j.prune.SchedulePreset;
import io.github.fcpts4j.report.PruneCharts;
import io.github.fcpts4j.sparse.LatencyCheck;
import io.github.fcpts4j.sparse.LatencyTables;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts prune}: prunes a model to an exact global sparsity with FCPTS
 * or a magnitude baseline (through {@link Pruner}), exports it, and scores
 * dense and pruned models with ONNX Runtime. With no arguments: the shipped
 * ResNet-20, the shipped Fashion-MNIST calibration slice, 70 %, the fast
 * schedule (under a minute on 2 cores); with an explicit {@code --model} the
 * default schedule, the library's ({@link SchedulePreset}). The hyperparameter
 * options take their defaults from {@link FcptsConfig} ({@link PruneDefaults}).
 */
@Command(name = "prune", sortOptions = false, defaultValueProvider = PruneDefaults.class,
        description = "Prune an ONNX model to an exact global sparsity (FCPTS or a baseline).")
final class PruneCommand implements Callable<Integer> {
    private static final String DEFAULT_MODEL = "examples/models/resnet20_fashion_mnist.onnx";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "ONNX model (default: the shipped ResNet-20)")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = DataSpec.DEFAULT, description = "calibration "
            + "data: imagefolder:DIR, images:DIR (no labels needed), idx:DIR (its train split) or "
            + "embedded:fashion-mnist (default, its calibration slice); samples arrive in the layout the model "
            + "input declares: [N, H, W, C] gets NHWC (CHW sets are transposed; 4 channels: RGB + alpha 1)")
    String data;

    @Option(names = "--eval-data", paramLabel = "SPEC", description = "data for the ONNX Runtime check (default: the "
            + "test split of idx: and embedded: data; the --data folder itself for imagefolder: and images:)")
    String evalData;

    @Mixin
    InputShapeOption inputShape;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--sparsity", defaultValue = "0.7", converter = Ranges.Fraction.class,
            description = "target global sparsity in [0, 1)")
    double sparsity;

    @Option(names = "--method", defaultValue = "fcpts", description = "fcpts | uniform | global | erk | lamp")
    String method;

    @Option(names = "--reconstruct", description = "baselines: also run the net-wise reconstruction at fixed mask")
    boolean reconstruct;

    @Option(names = "--constraint", description = "count sparsity by params, flops, or latency (S = the share of "
            + "the dense latency removed, as the sparse runtime measures it on this machine; the per-layer table is "
            + "measured once and cached in MODEL.onnx.latency.json) (default: ${DEFAULT-VALUE})")
    String constraint;

    @Option(names = "--latency-batch", converter = Ranges.AtLeastOne.class,
            description = "with --constraint latency: the batch whose latency counts (default: ${DEFAULT-VALUE})")
    int latencyBatch;

    @Option(names = "--preset", description = "schedule: fast (" + SchedulePreset.Steps.FAST + " steps, the "
            + "default without --model: the demo) | default (" + SchedulePreset.Steps.DEFAULT + " steps, the "
            + "default with --model, as in the library) | thorough (" + SchedulePreset.Steps.THOROUGH
            + " steps, the published schedule)")
    String preset;

    @Option(names = "--iters", converter = Ranges.AtLeastZero.class,
            description = "optimization steps, instead of the preset's")
    Integer iterations;

    @Option(names = "--batch", converter = Ranges.AtLeastOne.class,
            description = "calibration batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--calib", converter = Ranges.AtLeastOne.class,
            description = "calibration samples (default: ${DEFAULT-VALUE})")
    int calibration;

    @Option(names = "--exclude", description = "glob over layer or weight names to keep dense; repeatable")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--min-layer-sparsity", converter = Ranges.UnitInterval.class,
            description = "lower bound for every layer (default: ${DEFAULT-VALUE})")
    double minLayer;

    @Option(names = "--max-layer-sparsity", converter = Ranges.UnitInterval.class,
            description = "upper bound for every layer (default: ${DEFAULT-VALUE})")
    double maxLayer;

    @Option(names = "--layer-sparsity", paramLabel = "GLOB=MIN:MAX",
            description = "bounds for the matching layers, e.g. conv_1=0:0.5; repeatable")
    List<String> layerBounds = new ArrayList<>();

    @Option(names = "--device", defaultValue = "cpu", description = "auto | cpu | cuda")
    String device;

    @Option(names = "--tf32", description = "allow TF32 tensor cores on cuda (faster, ~1e-3 relative error)")
    boolean tf32;

    @Option(names = "--seed", description = "calibration sampling and augmentation (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", description = "pruned ONNX file (default: <model>.<method><percent>.onnx here)")
    Path out;

    @Option(names = "--report", description = "JSON report file")
    Path report;

    @Option(names = "--chart", paramLabel = "PREFIX",
            description = "write PREFIX.layers.png (per-layer sparsity vs uniform and ERK) and PREFIX.curves.png")
    Path chart;

    @Mixin
    JsonOption json;

    @Mixin
    ThresholdOption thresholds;

    @Option(names = "--no-eval", description = "skip the ONNX Runtime check (fidelity to the dense model, top-1)")
    boolean noEval;

    // ---- FCPTS hyperparameters (FcptsConfig; defaults as documented there) ----

    @Option(names = "--lambda", converter = Ranges.NonNegative.class,
            description = "weight of the sparsity constraint (default: ${DEFAULT-VALUE})")
    double lambda;

    @Option(names = "--constraint-loss", description = "sparsity penalty: square (lambda (S - S*)^2) | abs "
            + "(lambda |S - S*|, published) (default: ${DEFAULT-VALUE})")
    String constraintLoss;

    @Option(names = "--threshold-lr", converter = Ranges.NonNegativeFloat.class,
            description = "Adam learning rate of the log-thresholds (default: "
            + "${DEFAULT-VALUE})")
    float thresholdLr;

    @Option(names = "--threshold-scale", description = "Adam second moment of the thresholds: per-layer | shared "
            + "(default: ${DEFAULT-VALUE})")
    String thresholdScale;

    @Option(names = "--weight-lr", converter = Ranges.NonNegativeFloatOrAuto.class,
            description = "SGD learning rate of the weights: auto (0.01 where BatchNorm trains, 0.001 where it is "
            + "frozen or the model has none) or a number (default: ${DEFAULT-VALUE})")
    float weightLr;

    @Option(names = "--polish", converter = Ranges.Fraction.class,
            description = "share of the iterations at the final fixed mask (default: "
            + "${DEFAULT-VALUE})")
    double polish;

    @Option(names = "--sparsity-ramp", converter = Ranges.UnitInterval.class, description = "share of the "
            + "threshold-learning steps over which the target rises from 0 to --sparsity (cubic); 0: the target "
            + "from the first step (default: ${DEFAULT-VALUE})")
    double sparsityRamp;

    @Option(names = "--project-each-step", description = "restore the sparsity after every threshold step")
    boolean projectEachStep;

    @Option(names = "--no-straight-through", description = "no threshold gradient from the reconstruction")
    boolean noStraightThrough;

    @Option(names = "--init", description = "threshold initialization: erk | global | uniform | lamp (default: "
            + "${DEFAULT-VALUE})")
    String init;

    @Option(names = "--density", description = "ds/dt estimate: kde | hard-count (default: ${DEFAULT-VALUE})")
    String density;

    @Option(names = "--loss", description = "reconstruction loss: kl | mse (logits) (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--output", paramLabel = "NAME", description = "graph output the reconstruction loss covers; "
            + "repeatable (default: every output). KL at the temperature on softmax outputs (on their logits) and "
            + "a lone [N, C] classifier output, MSE / teacher mean square on the others")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--feature", description = "node or value whose output gets an extra MSE term; repeatable")
    List<String> features = new ArrayList<>();

    @Option(names = "--feature-weight", converter = Ranges.NonNegativeFloat.class,
            description = "weight of each feature MSE term (default: ${DEFAULT-VALUE})")
    float featureWeight;

    @Option(names = "--batch-norm", description = "BatchNorm while pruning: auto (train unless the model with its "
            + "statistics re-estimated on the first calibration samples is more than " + BatchNormChoice.LIMIT
            + " relative L2 from itself or changes more than " + (100 - BatchNormChoice.AGREEMENT_PERCENT)
            + " % of a classifier's decisions, and more than re-estimating on either half of them does, then "
            + "frozen) | train (batch statistics, running averages updated, gamma / beta learned: published) | "
            + "frozen | frozen-affine (inference mode, gamma / beta learned) (default: ${DEFAULT-VALUE})")
    String batchNorm;

    @Option(names = "--reestimate-bn", description = "re-estimate BatchNorm statistics on the calibration set")
    boolean reestimateBatchNorm;

    @Override
    public Integer call() {
        if (evalData != null && !noEval) {
            preprocess.forSpec(evalData);
        }
        PrintWriter err = spec.commandLine().getErr();
        Path input = model != null ? model : Path.of(System.getProperty("fcpts.home", ".")).resolve(DEFAULT_MODEL);
        Pruner.Method m = Pruner.Method.parse(method);
        String base = input.getFileName().toString().replaceFirst("\\.onnx$", "");
        Path target = out != null ? out : Path.of(String.format(Locale.ROOT, "%s.%s%d.onnx", base, m.label(),
                Math.round(sparsity * 100)));
        OutputPaths paths = new OutputPaths().input("--model", input).output("--out", target).output("--report", report);
        if (chart != null) {
            paths.output("--chart", PruneCharts.chartFile(chart, PruneCharts.LAYER_CHART))
                    .output("--chart", PruneCharts.chartFile(chart, PruneCharts.CURVE_CHART));
        }
        paths.check();
        SchedulePreset schedule = preset != null ? SchedulePreset.parse(preset)
                : model == null ? SchedulePreset.FAST : SchedulePreset.DEFAULT;
        int steps = iterations != null ? iterations : schedule.iterations();
        FcptsConfig.Builder c = FcptsConfig.builder(sparsity).iterations(steps).batch(batch)
                .calibrationSamples(calibration).seed(seed)
                .costBasis(PruneDefaults.COST_BASIS.parse(constraint)).latencyBatch(latencyBatch)
                .init(PruneDefaults.INIT.parse(init))
                .density(PruneDefaults.DENSITY.parse(density))
                .loss(PruneDefaults.LOSS.parse(loss))
                .thresholdScale(PruneDefaults.THRESHOLD_SCALE.parse(thresholdScale))
                .batchNorm(PruneDefaults.BATCH_NORM.parse(batchNorm))
                .absoluteConstraint(PruneDefaults.CONSTRAINT_LOSS.parse(constraintLoss))
                .lambda(lambda).thresholdLr(thresholdLr).weightLr(weightLr).polishFraction(polish)
                .sparsityRamp(sparsityRamp)
                .projectEachStep(projectEachStep).straightThrough(!noStraightThrough)
                .featureLayers(features).featureWeight(featureWeight).outputs(outputs)
                .reestimateBatchNorm(reestimateBatchNorm)
                .layerSparsityRange(minLayer, maxLayer).layerBounds(Options.layerBounds(layerBounds));
        long start = System.nanoTime();
        inputShape.check(input);
        List<OutputThreshold> resolved = thresholds.resolve(input);
        List<OutputThreshold> cuts = noEval ? List.of() : resolved;
        // the reconstruction weighs each thresholded output toward its decision (the first threshold of a name)
        Map<String, Float> decisions = new LinkedHashMap<>();
        resolved.forEach(t -> decisions.putIfAbsent(t.output(), (float) t.raw()));
        c.decisions(decisions);
        Pruner pruner = Pruner.builder().model(input, inputShape.shapes())
                .calibration(data, preprocess.forSpec(data)).method(m).reconstruct(reconstruct)
                .backend(device).allowTf32(tf32)
                .exclude(exclude.toArray(String[]::new)).config(c.build())
                .listener(new ProgressListener() {
                    @Override
                    public boolean onIteration(IterationStats s) {
                        printProgress(err, s);
                        return true;
                    }

                    @Override
                    public void onRestart(String reason) {
                        err.println("restart: " + reason);
                    }
                }).build();
        err.printf("fcpts prune: %s -> %s, %s at %.1f%% (%s)%n", input, target, m.label(), 100 * sparsity,
                constraint);
        if (m == Pruner.Method.FCPTS || reconstruct) {
            err.printf("schedule: %s, %d iterations%s (--preset fast|default|thorough, --iters N)%n",
                    iterations != null ? "--iters" : "preset " + schedule.label(), steps,
                    iterations != null ? "" : schedule == SchedulePreset.FAST && model == null ? " (the demo)" : "");
            err.printf("reconstruction: %s (--output NAME)%n", describe(pruner.reconstruction(), decisions));
            int drawn = pruner.config().schedule().calibrationSamples();
            if (drawn < calibration) {
                err.printf("--calib %d: the calibration set holds %d samples; all %d are used%n", calibration,
                        drawn, drawn);
            }
        }
        if (pruner.config().target().costBasis() != FcptsConfig.CostBasis.LATENCY
                && spec.commandLine().getParseResult().hasMatchedOption("--latency-batch")) {
            err.println("note: --latency-batch is for --constraint latency; ignored with --constraint " + constraint);
        }
        if (pruner.config().target().costBasis() == FcptsConfig.CostBasis.LATENCY) {
            err.printf("latency constraint at batch %d: per-layer latency table from %s (measured first if it holds "
                    + "none for this model, input shape and machine)%n", latencyBatch, LatencyTables.cacheFile(input));
        }
        PruneResult result = pruner.run();
        result.export(target);
        PruneEvaluation.Outcome check = null;
        if (!noEval) {
            check = PruneEvaluation.run(input, target, data, evalData, inputShape, preprocess, cuts, err);
            result = check.withAccuracy(result);
        }
        printTable(err, result);
        if (!result.reconstructionTerms().isEmpty()) {
            err.printf("reconstruction: %s%n", describe(result.reconstructionTerms(), decisions));
        }
        result.batchNorm().ifPresent(b -> err.println(b.describe()));
        if (!result.reconstructionTerms().isEmpty()) {
            err.printf(Locale.ROOT, "weight lr: %s%s%n", result.weightLrAuto() ? "auto -> " : "",
                    result.weightLr());
        }
        err.printf("wrote %s (%s in %s)%n", target, m.label(), Progress.duration((System.nanoTime() - start) / 1e9));
        if (report != null) {
            AtomicFiles.writeString(report, PruneEvaluation.json(result, check) + "\n");
        }
        if (chart != null) {
            PruneCharts.write(result, chart).forEach(p -> err.println("wrote " + p));
        }
        if (json.json) {
            spec.commandLine().getOut().println(PruneEvaluation.json(result, check));
        }
        return 0;
    }

    private static String describe(List<ReconstructionTerm> terms, Map<String, Float> decisions) {
        return String.join(", ", terms.stream().map(t -> t.loss() == ReconstructionTerm.Loss.MSE && t.sameAs() == null
                && decisions.containsKey(t.output()) ? t.output() + ": mse, weighted to the decision > "
                + decisions.get(t.output()) + " / the batch's weighted teacher mean square" : t.describe()).toList());
    }

    private static void printProgress(PrintWriter err, IterationStats s) {
        if (s.iteration() % 10 == 0 || s.iteration() == s.iterations()) {
            err.printf("iter %d/%d  %s %.4f  constraint %.2e  sparsity smooth %.4f hard %.4f%s  ETA %s%n",
                    s.iteration(), s.iterations(), "loss", s.reconstructionLoss(), s.constraintLoss(),
                    s.smoothSparsity(), s.hardSparsity(), s.polishing() ? " (fixed mask)" : "",
                    Progress.duration(s.etaSeconds()));
        }
    }

    private static void printTable(PrintWriter err, PruneResult r) {
        err.printf("%-28s %10s %10s %9s%n", "layer", "weights", "pruned", "sparsity");
        for (PruneResult.Layer l : r.layers()) {
            err.printf("%-28s %10d %10d %8.2f%%%n", l.name(), l.weights(), l.pruned(), 100 * l.sparsity());
        }
        if (r.costBasis() == FcptsConfig.CostBasis.PARAMETERS) {
            err.printf("global sparsity %.6f (target %.6f, |error| <= 1/N = %.1e): %d of %d prunable weights are "
                    + "zero; MAC sparsity %.4f%n", r.achievedSparsity(), r.targetSparsity(), 1.0 / r.totalWeights(),
                    r.prunedWeights(), r.totalWeights(), r.achievedMacSparsity());
        } else if (r.costBasis() == FcptsConfig.CostBasis.LATENCY) {
            LatencyCheck c = r.latency().orElseThrow().check();
            LatencyTables.Obtained t = r.latency().orElseThrow().table();
            err.printf("latency: table %s; dense %.3f ms, predicted %.3f ms (%.2f%% removed, target %.2f%%, nearest "
                    + "achievable)%n", t.cached() ? "read from " + t.file()
                    : String.format("measured in %s%s", Progress.duration(t.seconds()),
                    t.file() == null ? "" : ", cached in " + t.file()),
                    c.denseMs(), c.predictedMs(), 100 * c.predictedSaving(), 100 * r.targetSparsity());
            err.printf("measured now: %.3f ms against %.3f ms all dense (%.2f%% removed, %d layers sparse); predicted "
                    + "at this speed %.3f ms, error %+.1f%%%n", c.measuredMs(), c.measuredDenseMs(),
                    100 * c.measuredSaving(), c.sparseLayers(), c.predictedNowMs(), 100 * c.predictionError());
            if (t.note() != null) {
                err.println("note: " + t.note());
            }
            err.printf("%d of %d prunable weights are zero (parameter sparsity %.4f, MAC sparsity %.4f)%n",
                    r.prunedWeights(), r.totalWeights(), r.achievedSparsity(), r.achievedMacSparsity());
        } else {
            err.printf("MAC sparsity %.6f (target %.6f, nearest achievable); %d of %d prunable weights are zero "
                    + "(parameter sparsity %.4f)%n", r.achievedMacSparsity(), r.targetSparsity(), r.prunedWeights(),
                    r.totalWeights(), r.achievedSparsity());
        }
        err.printf("pruning took %s%n", Progress.duration(r.seconds()));
    }
}
