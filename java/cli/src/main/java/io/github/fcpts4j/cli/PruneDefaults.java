package io.github.fcpts4j.cli;

import io.github.fcpts4j.prune.FcptsConfig;
import io.github.fcpts4j.prune.FcptsConfig.BatchNormMode;
import io.github.fcpts4j.prune.FcptsConfig.CostBasis;
import io.github.fcpts4j.prune.FcptsConfig.DensityEstimate;
import io.github.fcpts4j.prune.FcptsConfig.ReconstructionLoss;
import io.github.fcpts4j.prune.FcptsConfig.ThresholdScale;
import io.github.fcpts4j.sparsity.MagnitudeAllocation;

import java.util.Locale;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of {@code fcpts prune}'s hyperparameter options, read from {@link FcptsConfig#defaults}, so
 * the CLI and the library cannot drift apart and {@code --help} shows the values that run; and the words
 * each choice option accepts.
 */
final class PruneDefaults implements IDefaultValueProvider {
    static final OptionWords<CostBasis> COST_BASIS = new OptionWords<>("--constraint",
            "params", CostBasis.PARAMETERS, "flops", CostBasis.FLOPS, "latency", CostBasis.LATENCY);
    static final OptionWords<MagnitudeAllocation> INIT = new OptionWords<>("--init",
            "erk", MagnitudeAllocation.ERK, "global", MagnitudeAllocation.GLOBAL, "uniform",
            MagnitudeAllocation.UNIFORM, "lamp", MagnitudeAllocation.LAMP);
    static final OptionWords<DensityEstimate> DENSITY = new OptionWords<>("--density",
            "kde", DensityEstimate.KDE, "hard-count", DensityEstimate.HARD_COUNT);
    static final OptionWords<ReconstructionLoss> LOSS = new OptionWords<>("--loss",
            "kl", ReconstructionLoss.KL, "mse", ReconstructionLoss.LOGITS_MSE);
    static final OptionWords<ThresholdScale> THRESHOLD_SCALE = new OptionWords<>("--threshold-scale",
            "per-layer", ThresholdScale.PER_LAYER, "shared", ThresholdScale.SHARED);
    static final OptionWords<BatchNormMode> BATCH_NORM = new OptionWords<>("--batch-norm",
            "auto", BatchNormMode.AUTO, "train", BatchNormMode.TRAIN, "frozen", BatchNormMode.FROZEN,
            "frozen-affine", BatchNormMode.FROZEN_AFFINE);
    static final OptionWords<Boolean> CONSTRAINT_LOSS = new OptionWords<>("--constraint-loss",
            "square", false, "abs", true);

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o)) {
            return null;
        }
        FcptsConfig c = FcptsConfig.defaults(0.5);
        return switch (o.longestName()) {
            case "--batch" -> Integer.toString(c.schedule().batch());
            case "--latency-batch" -> Integer.toString(c.target().latencyBatch());
            case "--calib" -> Integer.toString(c.schedule().calibrationSamples());
            case "--seed" -> Long.toString(c.schedule().seed());
            case "--constraint" -> COST_BASIS.word(c.target().costBasis());
            case "--min-layer-sparsity" -> number(c.target().minLayerSparsity());
            case "--max-layer-sparsity" -> number(c.target().maxLayerSparsity());
            case "--lambda" -> number(c.objective().lambda());
            case "--constraint-loss" -> CONSTRAINT_LOSS.word(c.objective().absoluteConstraint());
            case "--threshold-lr" -> number(c.thresholds().lr());
            case "--threshold-scale" -> THRESHOLD_SCALE.word(c.thresholds().scale());
            case "--weight-lr" -> c.schedule().weightLrAuto() ? "auto" : number(c.schedule().weightLr());
            case "--polish" -> number(c.schedule().polishFraction());
            case "--sparsity-ramp" -> number(c.thresholds().ramp());
            case "--init" -> INIT.word(c.thresholds().init());
            case "--density" -> DENSITY.word(c.thresholds().density());
            case "--loss" -> LOSS.word(c.objective().loss());
            case "--feature-weight" -> number(c.objective().featureWeight());
            case "--batch-norm" -> BATCH_NORM.word(c.objective().batchNorm());
            default -> null;
        };
    }

    /** Shortest decimal that reads back as the same value (0.01, not 0.009999999776). */
    private static String number(double v) {
        return String.format(Locale.ROOT, "%s", (float) v == v ? Float.toString((float) v) : Double.toString(v));
    }
}
