package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.eval.Fidelity;
import io.github.fcpts4j.eval.OrtEvaluator;
import io.github.fcpts4j.eval.OrtModel;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts eval}: scores an ONNX model with ONNX Runtime, independently of fcpts4j's engine: top-1 /
 * top-5 of a classifier against labels, and with {@code --reference DENSE.onnx} the fidelity of any model
 * to the reference on the same inputs (relative L2 error, cosine, top-1 agreement; {@link Fidelity}).
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
            + "(labelled), images:DIR (unlabelled, needs --reference), idx:DIR or embedded:fashion-mnist (default); "
            + "IDX sets are scored on their test split")
    String data;

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
        try (OrtModel m = OrtModel.open(model.model)) {
            ImageInput input = ImageInput.of(m, inputShape);
            LabeledImages set = input.open(data, DataSpec.Role.EVALUATION, preprocess);
            out.put("data", data);
            out.put("samples", set.size());
            if (DataSpec.parse(data).kind().images()) {
                out.put("preprocessing", input.preprocessing(data, preprocess).describe());
            }
            if (reference == null) {
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
                    c = OrtEvaluator.compare(m, r, set, batch);
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
}
