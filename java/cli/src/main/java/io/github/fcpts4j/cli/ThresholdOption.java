package io.github.fcpts4j.cli;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.eval.OrtModel;
import io.github.fcpts4j.eval.OutputThreshold;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

/**
 * Mixin: {@code --threshold NAME=T} (or {@code NAME=sigmoid:T}), repeatable: the agreement of the pruned and
 * the dense model's thresholded output NAME in the fidelity block ({@link io.github.fcpts4j.eval.Fidelity});
 * on {@code prune} also the decision the reconstruction weighs NAME toward
 * ({@link io.github.fcpts4j.prune.FcptsConfig.Builder#decisions}).
 */
final class ThresholdOption {
    @Option(names = "--threshold", paramLabel = "NAME=T", description = "fidelity: also the agreement of the "
            + "two models' output NAME thresholded at T (value > T; NAME=sigmoid:T for logits, sigmoid(x) > T): "
            + "F1 of the positives, IoU, share of agreeing elements; on prune the reconstruction also weighs NAME's "
            + "positive elements (in either model) as much as all the others; repeatable")
    List<String> texts = new ArrayList<>();

    /**
     * The thresholds, each naming an output of {@code model} (checked before any long work starts).
     *
     * @throws FcptsException INVALID_ARGUMENT for a malformed threshold or an output the model does not have
     */
    List<OutputThreshold> resolve(Path model) {
        if (texts.isEmpty()) {
            return List.of();
        }
        List<OutputThreshold> out = texts.stream().map(OutputThreshold::parse).toList();
        try (OrtModel m = OrtModel.open(model)) {
            for (OutputThreshold t : out) {
                if (!m.outputs().containsKey(t.output())) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--threshold " + t.output() + "="
                            + t.describe() + ": " + model + " has no output '" + t.output() + "'; its outputs: "
                            + m.outputs().keySet());
                }
            }
        }
        return out;
    }
}
