package io.github.fcpts4j.prune;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.prune.FcptsConfig.BatchNormMode;
import io.github.fcpts4j.prune.FcptsConfig.ReconstructionLoss;

import java.util.List;
import java.util.Map;

/**
 * The objective part of an {@link FcptsConfig}: L = L_rec + lambda (S - S*)^2 (or lambda |S - S*|), with
 * L_rec the student's distance to the dense teacher (FCPTS.md sections 2 and 4), and how BatchNorm runs in
 * both.
 *
 * @param loss                reconstruction loss on logits (the outputs {@link ReconstructionPlan} gives KL)
 * @param temperature         of the distillation KL (4)
 * @param featureLayers       node or value names whose outputs also get an MSE term (may be empty)
 * @param featureWeight       weight of the feature MSE terms
 * @param lambda              weight of the sparsity constraint (published 1)
 * @param absoluteConstraint  |S - S*| instead of (S - S*)^2 (the published code's default)
 * @param batchNorm           how BatchNorm runs during the optimization (published: training mode)
 * @param reestimateBatchNorm re-estimate BatchNorm running statistics on the calibration set after pruning
 * @param outputs             graph outputs the reconstruction covers; empty: all ({@link ReconstructionPlan}
 *                            says which loss each gets)
 * @param decisions           decision thresholds on the raw value of outputs that are read as x &gt; T (a
 *                            detector's score logits: T = logit of the probability threshold); an output's squared
 *                            error then weighs the elements positive in teacher or student as much as all others
 *                            ({@link DecisionWeighting}; an output with a KL term ignores its threshold)
 */
public record ObjectiveSettings(ReconstructionLoss loss, float temperature, List<String> featureLayers,
                                float featureWeight, double lambda, boolean absoluteConstraint,
                                BatchNormMode batchNorm, boolean reestimateBatchNorm, List<String> outputs,
                                Map<String, Float> decisions) {
    public ObjectiveSettings {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "lambda must be finite and >= 0, got " + lambda);
        }
        if (!(featureWeight >= 0) || Float.isInfinite(featureWeight)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "the feature weight must be finite and >= 0, got " + featureWeight);
        }
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "the temperature must be finite and > 0, got " + temperature);
        }
        FcptsException.requireNonNull(loss, "loss");
        FcptsException.requireNonNull(batchNorm, "batchNorm");
        featureLayers = List.copyOf(featureLayers);
        outputs = List.copyOf(new java.util.LinkedHashSet<>(outputs));
        for (Map.Entry<String, Float> d : decisions.entrySet()) {
            if (!Float.isFinite(d.getValue())) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the decision threshold of output '"
                        + d.getKey() + "' must be finite, got " + d.getValue());
            }
        }
        decisions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(decisions));
    }

    /** Settings reconstructing every graph output. */
    public ObjectiveSettings(ReconstructionLoss loss, float temperature, List<String> featureLayers,
                             float featureWeight, double lambda, boolean absoluteConstraint, BatchNormMode batchNorm,
                             boolean reestimateBatchNorm) {
        this(loss, temperature, featureLayers, featureWeight, lambda, absoluteConstraint, batchNorm,
                reestimateBatchNorm, List.of(), Map.of());
    }
}
