package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.ir.NonFiniteParameters;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.onnx.OnnxModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts export --format sparse-onnx}: rewrites a (pruned) model with
 * its pruned weights as ONNX sparse initializers, which ONNX Runtime loads as
 * the same dense tensors, and reports both file sizes.
 */
@Command(name = "export", description = "Write a pruned model compactly (pruned weights as ONNX sparse initializers).")
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption modelOption;

    @Mixin
    InputShapeOption inputShape;

    @Option(names = "--format", defaultValue = "sparse-onnx", description = "sparse-onnx (the only format so far)")
    String format;

    @Option(names = "--out", required = true)
    Path out;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws IOException {
        Path model = modelOption.model;
        if (!format.equals("sparse-onnx")) {
            throw new IllegalArgumentException("--format '" + format + "': expected sparse-onnx");
        }
        new OutputPaths().input("--model", model).output("--out", out).check();
        OnnxModel onnx = inputShape.read(model);
        NonFiniteParameters.requireFinite(onnx.graph(), "fcpts export");
        List<String> moved = OnnxExporter.writeCompact(onnx, out);
        long before = Files.size(model), after = Files.size(out);
        spec.commandLine().getErr().printf("%s (%,d bytes) -> %s (%,d bytes, %.1f%%): %d of %d prunable weights "
                        + "stored sparse%n", model, before, out, after, 100.0 * after / before, moved.size(),
                onnx.graph().prunableNodes().size());
        if (json.json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", model.toString());
            r.put("output", out.toString());
            r.put("bytes_before", before);
            r.put("bytes_after", after);
            r.put("sparse_tensors", moved);
            spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(r));
        }
        return 0;
    }
}
