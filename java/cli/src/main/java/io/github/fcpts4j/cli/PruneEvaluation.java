package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.LabeledTextLines;
import io.github.fcpts4j.eval.CtcDictionary;
import io.github.fcpts4j.eval.OcrEvaluator;
import io.github.fcpts4j.eval.OrtEvaluator;
import io.github.fcpts4j.eval.OrtModel;
import io.github.fcpts4j.eval.OutputThreshold;
import io.github.fcpts4j.prune.PruneResult;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ONNX Runtime check at the end of {@code fcpts prune}: the exported file against the dense one on
 * the evaluation data, for every model the fidelity per output, and where the data has labels and the
 * model is a classifier both top-1s; on text lines ({@code textlines:}) of a CTC recognizer whose dictionary
 * is in its metadata, both character and line accuracies and the agreement of the texts ({@link OcrEvaluator}).
 * Evaluation data: {@code --eval-data}, else the test split of an IDX spec, else the calibration folder itself
 * (said in the report).
 */
final class PruneEvaluation {

    /** What was measured, on which data; {@code note} says when the calibration folder was reused. */
    record Outcome(OrtEvaluator.Comparison comparison, String data, String note, Optional<OcrEvaluator.Result> ocr) {

        PruneResult withAccuracy(PruneResult r) {
            return comparison.accuracy().isPresent() ? r.withAccuracy(comparison.referenceAccuracy().orElseThrow()
                    .top1(), comparison.accuracy().get().top1()) : r;
        }
    }

    private PruneEvaluation() {
    }

    static Outcome run(Path dense, Path pruned, String calibration, String evalData, InputShapeOption shapes,
                       PreprocessOptions flags, List<OutputThreshold> thresholds, PrintWriter err) {
        String data = evalData != null ? evalData : calibration;
        String note = evalData == null && DataSpec.parse(calibration).kind().images()
                ? "no --eval-data given: fidelity and accuracy are measured on the calibration folder itself" : null;
        try (OrtModel p = OrtModel.open(pruned); OrtModel d = OrtModel.open(dense)) {
            ImageInput input = ImageInput.of(d, shapes);
            LabeledImages set = input.open(data, DataSpec.Role.EVALUATION, flags);
            Optional<CtcDictionary> dictionary = set instanceof LabeledTextLines ? CtcDictionary.fromModel(d)
                    : Optional.empty();
            Optional<String> output = dictionary.flatMap(k -> OcrEvaluator.ctcOutput(d, k));
            if (output.isPresent()) {
                OcrEvaluator.Result r = OcrEvaluator.evaluate(p, d, set, dictionary.get(), output.get(), 100);
                OrtEvaluator.Comparison c = new OrtEvaluator.Comparison(r.lines(), r.fidelity(), Optional.empty(),
                        Optional.empty());
                err.printf("pruned vs dense on %s (%d lines, ONNX Runtime)%s%n", data, r.lines(),
                        note == null ? "" : "; " + note);
                OcrText.print(err, r, "dense model");
                return new Outcome(c, data, note, Optional.of(r));
            }
            OrtEvaluator.Comparison c = OrtEvaluator.compare(p, d, set, 100, thresholds);
            err.printf("pruned vs dense on %s (%d images, ONNX Runtime)%s%n", data, c.samples(),
                    note == null ? "" : "; " + note);
            FidelityText.print(err, c, "dense");
            return new Outcome(c, data, note, Optional.empty());
        }
    }

    /** The pruning report's JSON with the evaluation data and the fidelity block added. */
    static String json(PruneResult result, Outcome check) {
        JsonObject r = JsonParser.parseString(result.toJson()).getAsJsonObject();
        if (check != null) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("eval_data", check.data());
            if (check.note() != null) {
                extra.put("eval_data_note", check.note());
            }
            extra.put("fidelity", FidelityText.json(check.comparison()));
            check.ocr().ifPresent(o -> extra.put("ocr", OcrText.json(o)));
            JsonObject add = new GsonBuilder().serializeSpecialFloatingPointValues().create().toJsonTree(extra)
                    .getAsJsonObject();
            add.entrySet().forEach(e -> r.add(e.getKey(), e.getValue()));
        }
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(r);
    }
}
