package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.LabeledTextLines;
import io.github.fcpts4j.eval.CtcDictionary;
import io.github.fcpts4j.eval.Fidelity;
import io.github.fcpts4j.eval.OcrEvaluator;
import io.github.fcpts4j.eval.OrtEvaluator;
import io.github.fcpts4j.eval.OrtModel;
import io.github.fcpts4j.eval.OutputThreshold;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts eval}: scores an ONNX model with ONNX Runtime, independently of fcpts4j's engine: top-1 /
 * top-5 of a classifier against labels, and with {@code --reference DENSE.onnx} the fidelity of any model
 * to the reference on the same inputs (relative L2 error, cosine, top-1 agreement; {@link Fidelity}).
 * CTC text-line recognizers ({@code --task ctc}, or by default where the model has a CTC dictionary, from
 * {@code --dict} or its metadata, and an [N, T, C] output it fits, or where the data is {@code textlines:})
 * are decoded and scored by {@link OcrEvaluator}: character and line accuracy against the text labels, and
 * the reference's accuracy and the agreement of the two models' texts.
 */
@Command(name = "eval", sortOptions = false,
        description = "Score an ONNX model with ONNX Runtime: accuracy against labels, fidelity against a reference.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--reference", paramLabel = "DENSE.onnx", description = "reference model (e.g. the dense one): "
            + "report the fidelity of --model to it, per output")
    Path reference;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = DataSpec.DEFAULT, description = "imagefolder:DIR "
            + "(labelled), images:DIR (unlabelled, needs --reference), textlines:DIR (text lines, DIR/labels.txt), "
            + "idx:DIR or embedded:fashion-mnist (default); IDX sets are scored on their test split")
    String data;

    @Option(names = "--task", paramLabel = "auto|ctc|classify", defaultValue = "auto", description = "ctc: decode "
            + "a text-line recognizer's [N, T, C] output and score its text; classify: top-1 / top-5; auto "
            + "(default): ctc where the data is textlines: or the model has a CTC dictionary (--dict or its "
            + "'character' metadata) that fits one of its outputs, else classify")
    String task;

    @Option(names = "--dict", paramLabel = "FILE", description = "CTC character dictionary, one entry per line "
            + "(PaddleOCR's): class 0 blank, then the entries, then a space where the output has one more class; "
            + "replaces the model's 'character' metadata")
    Path dict;

    @Mixin
    ThresholdOption thresholds;

    @Mixin
    InputShapeOption inputShape;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--batch", defaultValue = "100", converter = Ranges.AtLeastOne.class,
            description = "images per ONNX Runtime call")
    int batch;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.model.toString());
        PrintWriter text = spec.commandLine().getOut();
        if (!thresholds.texts.isEmpty() && reference == null) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--threshold compares the model with a reference: "
                    + "add --reference DENSE.onnx");
        }
        List<OutputThreshold> cuts = thresholds.resolve(model.model);
        try (OrtModel m = OrtModel.open(model.model)) {
            ImageInput input = ImageInput.of(m, inputShape);
            LabeledImages set = input.open(data, DataSpec.Role.EVALUATION, preprocess);
            out.put("data", data);
            out.put("samples", set.size());
            if (DataSpec.parse(data).kind().images()) {
                out.put("preprocessing", input.preprocessing(data, preprocess).describe());
            }
            Optional<Ctc> ctc = ctc(m, set);
            out.put("task", ctc.isPresent() ? "ctc" : "classify");
            if (ctc.isPresent()) {
                if (!cuts.isEmpty()) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--threshold is for maps and scores; a CTC "
                            + "recognizer is compared by its decoded texts (use --task classify to compare outputs)");
                }
                OcrEvaluator.Result r;
                try (OrtModel ref = reference == null ? null : OrtModel.open(reference)) {
                    r = OcrEvaluator.evaluate(m, ref, set, ctc.get().dictionary(), ctc.get().output(), batch);
                }
                if (reference != null) {
                    out.put("reference", reference.toString());
                    out.put("fidelity", Map.of("outputs", r.fidelity().stream().map(Fidelity.Output::toMap)
                            .toList()));
                }
                out.put("ocr", OcrText.json(r));
                if (!json.json) {
                    text.printf("%s%s on %s (%d lines, ONNX Runtime):%n", model.model, reference == null ? ""
                            : " against " + reference, data, r.lines());
                    OcrText.print(text, r, "reference");
                }
            } else if (reference == null) {
                OrtEvaluator.Accuracy a = OrtEvaluator.evaluate(m, set, batch);
                out.put("top1", a.top1());
                out.put("top5", a.top5());
                if (!json.json) {
                    text.printf("%s on %s (%d images, ONNX Runtime): top-1 %.2f%%, top-5 %.2f%%%n", model.model,
                            data, a.samples(), 100 * a.top1(), 100 * a.top5());
                }
            } else {
                OrtEvaluator.Comparison c;
                try (OrtModel r = OrtModel.open(reference)) {
                    c = OrtEvaluator.compare(m, r, set, batch, cuts);
                }
                out.put("reference", reference.toString());
                out.put("fidelity", FidelityText.json(c));
                c.accuracy().ifPresent(a -> {
                    out.put("top1", a.top1());
                    out.put("top5", a.top5());
                });
                c.referenceAccuracy().ifPresent(a -> out.put("reference_top1", a.top1()));
                if (!json.json) {
                    text.printf("%s against %s on %s (%d images, ONNX Runtime):%n", model.model, reference, data,
                            c.samples());
                    FidelityText.print(text, c, "reference");
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.put("evaluator", "ONNX Runtime");
        out.put("seconds", seconds);
        if (json.json) {
            text.println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
                    .toJson(out));
        }
        return 0;
    }

    /** The dictionary and output a CTC evaluation decodes. */
    private record Ctc(CtcDictionary dictionary, String output) {
    }

    /**
     * Whether the model is scored as a CTC recognizer, and with what: --task ctc, or (auto) text-line data or
     * a dictionary (--dict, else the model's metadata) that fits one of its [N, T, C] outputs. Text-line data
     * and --task ctc without a dictionary or a fitting output are errors saying which is missing.
     */
    private Optional<Ctc> ctc(OrtModel m, LabeledImages set) {
        String t = Options.choice("--task", task, String.class, "auto", "auto", "ctc", "ctc", "classify", "classify");
        if (t.equals("classify")) {
            if (dict != null) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--dict goes with CTC recognizers; --task "
                        + "classify decodes no text");
            }
            return Optional.empty();
        }
        boolean lines = set instanceof LabeledTextLines;
        boolean required = t.equals("ctc") || lines;
        String why = t.equals("ctc") ? "--task ctc" : "textlines: data (scored by CTC decoding)";
        Optional<CtcDictionary> d = dict != null ? Optional.of(CtcDictionary.fromFile(dict))
                : CtcDictionary.fromModel(m);
        if (d.isEmpty()) {
            if (required) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, why + " needs the recognizer's character "
                        + "dictionary: " + m.file() + " has no '" + CtcDictionary.METADATA_KEY + "' metadata entry; "
                        + "pass --dict FILE (PaddleOCR's, one entry per line)");
            }
            return Optional.empty();
        }
        Optional<String> output = OcrEvaluator.ctcOutput(m, d.get());
        if (output.isEmpty()) {
            if (required) {
                String outputs = m.outputs().entrySet().stream().map(e -> "'" + e.getKey() + "' "
                        + Arrays.toString(e.getValue())).collect(Collectors.joining(", "));
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, why + ": no output of " + m.file() + " ("
                        + outputs + ") is [N, T, C] with C = " + (d.get().size() + 1) + " or " + (d.get().size() + 2)
                        + " (blank + the " + d.get().size() + "-entry dictionary from " + d.get().source()
                        + " [+ space])");
            }
            return Optional.empty();
        }
        return Optional.of(new Ctc(d.get(), output.get()));
    }
}
