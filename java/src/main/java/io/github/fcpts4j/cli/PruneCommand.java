package io.github.fcpts4j.cli;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.prune.FcptsConfig;
import io.github.fcpts4j.prune.IterationStats;
import io.github.fcpts4j.prune.PruneResult;
import io.github.fcpts4j.prune.Pruner;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * ResNet-20, the shipped Fashion-MNIST calibration slice, 70 %, 150
 * iterations (under a minute on 2 cores; the published schedule is --iters 1600).
 */
@Command(name = "prune", sortOptions = false,
        description = "Prune an ONNX model to an exact global sparsity (FCPTS or a baseline).")
final class PruneCommand implements Callable<Integer> {
    private static final String DEFAULT_MODEL = "examples/models/resnet20_fashion_mnist.onnx";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "ONNX model (default: the shipped ResNet-20)")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = DataSpec.DEFAULT, description = "calibration "
            + "data: imagefolder:DIR, images:DIR (no labels needed), idx:DIR (its train split) or "
            + "embedded:fashion-mnist (default, its calibration slice)")
    String data;

    @Option(names = "--eval-data", paramLabel = "SPEC", description = "data for the ONNX Runtime check (default: the "
            + "test split of idx: and embedded: data; the --data folder itself for imagefolder: and images:)")
    String evalData;

    @Mixin
    InputShapeOption inputShape;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--sparsity", defaultValue = "0.7", description = "target global sparsity in [0, 1)")
    double sparsity;

    @Option(names = "--method", defaultValue = "fcpts", description = "fcpts | uniform | global | erk | lamp")
    String method;

    @Option(names = "--reconstruct", description = "baselines: also run the net-wise reconstruction at fixed mask")
    boolean reconstruct;

    @Option(names = "--constraint", defaultValue = "params", description = "count sparsity by params or flops")
    String constraint;

    @Option(names = "--iters", defaultValue = "150")
    int iterations;

    @Option(names = "--batch", defaultValue = "64")
    int batch;

    @Option(names = "--calib", defaultValue = "1024", description = "calibration samples")
    int calibration;

    @Option(names = "--exclude", description = "glob over layer or weight names to keep dense; repeatable")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--min-layer-sparsity", defaultValue = "0", description = "lower bound for every layer")
    double minLayer;

    @Option(names = "--max-layer-sparsity", defaultValue = "1", description = "upper bound for every layer")
    double maxLayer;

    @Option(names = "--layer-sparsity", paramLabel = "GLOB=MIN:MAX",
            description = "bounds for the matching layers, e.g. conv_1=0:0.5; repeatable")
    List<String> layerBounds = new ArrayList<>();

    @Option(names = "--device", defaultValue = "cpu", description = "auto | cpu | cuda")
    String device;

    @Option(names = "--tf32", description = "allow TF32 tensor cores on cuda (faster, ~1e-3 relative error)")
    boolean tf32;

    @Option(names = "--seed", defaultValue = "1")
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

    @Option(names = "--no-eval", description = "skip the ONNX Runtime check (fidelity to the dense model, top-1)")
    boolean noEval;

    // ---- FCPTS hyperparameters (FcptsConfig; defaults as documented there) ----

    @Option(names = "--lambda", description = "weight of the sparsity constraint (default 100)")
    Double lambda;

    @Option(names = "--threshold-lr", description = "Adam learning rate of the log-thresholds (default 0.01)")
    Float thresholdLr;

    @Option(names = "--threshold-scale", defaultValue = "per-layer",
            description = "Adam second moment of the thresholds: per-layer | shared")
    String thresholdScale;

    @Option(names = "--weight-lr", description = "SGD learning rate of the weights (default 0.001)")
    Float weightLr;

    @Option(names = "--polish", description = "share of the iterations at the final fixed mask (default 0.25)")
    Double polish;

    @Option(names = "--project-each-step", description = "restore the sparsity after every threshold step")
    boolean projectEachStep;

    @Option(names = "--no-straight-through", description = "no threshold gradient from the reconstruction")
    boolean noStraightThrough;

    @Option(names = "--init", defaultValue = "global",
            description = "threshold initialization: global | erk | uniform | lamp")
    String init;

    @Option(names = "--density", defaultValue = "kde", description = "ds/dt estimate: kde | hard-count")
    String density;

    @Option(names = "--loss", defaultValue = "kl", description = "reconstruction loss: kl | mse (logits)")
    String loss;

    @Option(names = "--feature", description = "node or value whose output gets an extra MSE term; repeatable")
    List<String> features = new ArrayList<>();

    @Option(names = "--feature-weight", defaultValue = "1", description = "weight of each feature MSE term")
    float featureWeight;

    @Option(names = "--tune-bn", description = "also learn BatchNorm gamma and beta")
    boolean tuneBatchNorm;

    @Option(names = "--reestimate-bn", description = "re-estimate BatchNorm statistics on the calibration set")
    boolean reestimateBatchNorm;

    @Override
    public Integer call() {
        if (!(sparsity >= 0) || !(sparsity < 1)) {
            throw new IllegalArgumentException("--sparsity must be in [0, 1), got " + sparsity);
        }
        if (evalData != null && !noEval) {
            preprocess.forSpec(evalData);
        }
        PrintWriter err = spec.commandLine().getErr();
        Path input = model != null ? model : Path.of(System.getProperty("fcpts.home", ".")).resolve(DEFAULT_MODEL);
        Pruner.Method m = Pruner.Method.parse(method);
        String base = input.getFileName().toString().replaceFirst("\\.onnx$", "");
        Path target = out != null ? out : Path.of(String.format(Locale.ROOT, "%s.%s%d.onnx", base, m.label(),
                Math.round(sparsity * 100)));
        if (target.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--out " + target + " is the input model; choose another file");
        }
        FcptsConfig.Builder c = FcptsConfig.builder(sparsity).iterations(iterations).batch(batch)
                .calibrationSamples(calibration).seed(seed)
                .costBasis(Options.choice("--constraint", constraint, FcptsConfig.CostBasis.class,
                        "params", FcptsConfig.CostBasis.PARAMETERS, "flops", FcptsConfig.CostBasis.FLOPS))
                .init(Options.choice("--init", init, FcptsConfig.ThresholdInit.class,
                        "erk", FcptsConfig.ThresholdInit.ERK, "uniform", FcptsConfig.ThresholdInit.UNIFORM,
                        "global", FcptsConfig.ThresholdInit.GLOBAL, "lamp", FcptsConfig.ThresholdInit.LAMP))
                .density(Options.choice("--density", density, FcptsConfig.DensityEstimate.class,
                        "kde", FcptsConfig.DensityEstimate.KDE, "hard-count", FcptsConfig.DensityEstimate.HARD_COUNT))
                .loss(Options.choice("--loss", loss, FcptsConfig.ReconstructionLoss.class,
                        "kl", FcptsConfig.ReconstructionLoss.KL, "mse", FcptsConfig.ReconstructionLoss.LOGITS_MSE))
                .thresholdScale(Options.choice("--threshold-scale", thresholdScale,
                        FcptsConfig.ThresholdScale.class, "per-layer", FcptsConfig.ThresholdScale.PER_LAYER,
                        "shared", FcptsConfig.ThresholdScale.SHARED))
                .projectEachStep(projectEachStep).straightThrough(!noStraightThrough)
                .featureLayers(features).featureWeight(featureWeight)
                .tuneBatchNorm(tuneBatchNorm).reestimateBatchNorm(reestimateBatchNorm)
                .layerSparsityRange(minLayer, maxLayer).layerBounds(Options.layerBounds(layerBounds));
        if (lambda != null) {
            c.lambda(lambda);
        }
        if (thresholdLr != null) {
            c.thresholdLr(thresholdLr);
        }
        if (weightLr != null) {
            c.weightLr(weightLr);
        }
        if (polish != null) {
            c.polishFraction(polish);
        }
        long start = System.nanoTime();
        inputShape.check(input);
        Pruner pruner = Pruner.builder().model(input, inputShape.shapes())
                .calibration(data, preprocess.forSpec(data)).method(m).reconstruct(reconstruct)
                .backend(device).allowTf32(tf32)
                .exclude(exclude.toArray(String[]::new)).config(c.build())
                .listener(s -> {
                    printProgress(err, s);
                    return true;
                }).build();
        err.printf("fcpts prune: %s -> %s, %s at %.1f%% (%s)%n", input, target, m.label(), 100 * sparsity,
                constraint);
        PruneResult result = pruner.run();
        result.export(target);
        PruneEvaluation.Outcome check = null;
        if (!noEval) {
            check = PruneEvaluation.run(input, target, data, evalData, inputShape, preprocess, err);
            result = check.withAccuracy(result);
        }
        printTable(err, result);
        err.printf("wrote %s (%s in %s)%n", target, m.label(), Progress.duration((System.nanoTime() - start) / 1e9));
        if (report != null) {
            AtomicFiles.writeString(report, PruneEvaluation.json(result, check) + "\n");
        }
        if (chart != null) {
            result.charts(chart).forEach(p -> err.println("wrote " + p));
        }
        if (json.json) {
            spec.commandLine().getOut().println(PruneEvaluation.json(result, check));
        }
        return 0;
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
        } else {
            err.printf("MAC sparsity %.6f (target %.6f, nearest achievable); %d of %d prunable weights are zero "
                    + "(parameter sparsity %.4f)%n", r.achievedMacSparsity(), r.targetSparsity(), r.prunedWeights(),
                    r.totalWeights(), r.achievedSparsity());
        }
        err.printf("pruning took %s%n", Progress.duration(r.seconds()));
    }
}
