package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.IdxDataset;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.eval.OrtEvaluator;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fcpts eval}: top-1 / top-5 of an ONNX classifier, scored by ONNX Runtime through DJL. */
@Command(name = "eval", description = "Score an ONNX classifier with ONNX Runtime (via DJL).")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true)
    Path model;

    @Option(names = "--data", defaultValue = DataSpec.DEFAULT, description = "idx:DIR, imagefolder:DIR or "
            + "embedded:fashion-mnist (default); the test split of IDX sets is used")
    String data;

    @Option(names = "--resize", defaultValue = "256", description = "imagefolder: shorter side")
    int resize;

    @Option(names = "--crop", defaultValue = "224", description = "imagefolder: center crop size")
    int crop;

    @Option(names = "--mean", split = ",", description = "imagefolder: per-channel mean (default ImageNet)")
    float[] mean = io.github.fcpts4j.data.Preprocessing.IMAGENET_MEAN;

    @Option(names = "--std", split = ",", description = "imagefolder: per-channel deviation (default ImageNet)")
    float[] std = io.github.fcpts4j.data.Preprocessing.IMAGENET_STD;

    @Option(names = "--batch", defaultValue = "500")
    int batch;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        LabeledImages test = DataSpec.open(data, DataSpec.Role.EVALUATION, io.github.fcpts4j.data.Preprocessing.imagenet()
                .withResize(new io.github.fcpts4j.data.Preprocessing.ShorterSide(resize, crop)).withNormalization(mean, std));
        long start = System.nanoTime();
        OrtEvaluator.Accuracy a = OrtEvaluator.evaluate(model, test, batch);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", model.toString());
            out.put("data", data);
            out.put("samples", a.samples());
            out.put("top1", a.top1());
            out.put("top5", a.top5());
            out.put("evaluator", "ONNX Runtime via DJL");
            out.put("seconds", seconds);
            spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(out));
        } else {
            spec.commandLine().getOut().printf("%s on %s (%d images, ONNX Runtime via DJL): top-1 %.2f%%, top-5 "
                    + "%.2f%% (%.1f s)%n", model, data, a.samples(), 100 * a.top1(), 100 * a.top5(), seconds);
        }
        return 0;
    }
}
