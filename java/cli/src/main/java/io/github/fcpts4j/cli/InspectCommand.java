package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.LayerCosts;
import io.github.fcpts4j.ir.NonFiniteParameters;
import io.github.fcpts4j.ir.ValueInfo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts inspect}: the prunable layers of an ONNX model with their
 * shapes, weights, MACs per sample and current sparsity, and the global
 * sparsity by weights and by MACs.
 */
@Command(name = "inspect", description = "List the prunable layers of an ONNX model: shapes, weights, MACs, sparsity.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption modelOption;

    @Mixin
    InputShapeOption inputShape;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        Path model = modelOption.model;
        Graph g = inputShape.read(model).graph();
        Map<String, long[]> shapes = new HashMap<>();
        for (ValueInfo in : g.inputs()) {
            long[] s = in.shape();
            for (int i = 0; i < s.length; i++) {
                if (s[i] < 0) {
                    if (i > 0) {
                        throw new IllegalArgumentException("input '" + in.name() + "' has a symbolic dimension "
                                + i + " (" + Arrays.toString(s) + "); give --input-shape " + in.name() + "=...");
                    }
                    s[i] = 1;
                }
            }
            shapes.put(in.name(), s);
        }
        List<LayerCosts.Layer> layers = LayerCosts.of(g, shapes);
        long weights = 0, zeros = 0, macs = 0;
        double zeroMacs = 0;
        for (LayerCosts.Layer l : layers) {
            weights += l.weights();
            zeros += l.zeros();
            macs += l.macs();
            zeroMacs += l.sparsity() * l.macs();
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException(model + " has no prunable layer (Conv, Gemm or MatMul with a constant "
                    + "weight)");
        }
        List<NonFiniteParameters.Finding> nonFinite = NonFiniteParameters.find(g);
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (LayerCosts.Layer l : layers) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", l.node());
                row.put("op", l.op());
                row.put("weight", l.weight());
                row.put("shape", l.dims());
                row.put("weights", l.weights());
                row.put("macs", l.macs());
                row.put("sparsity", l.sparsity());
                rows.add(row);
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.toString());
            o.put("layers", rows);
            o.put("prunable_weights", weights);
            o.put("zero_weights", zeros);
            o.put("sparsity", (double) zeros / weights);
            o.put("macs_per_sample", macs);
            o.put("sparsity_by_macs", zeroMacs / macs);
            o.put("non_finite_tensors", nonFinite.stream().map(InspectCommand::json).toList());
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
        } else {
            out.printf("%-28s %-5s %-18s %10s %12s %8s%n", "layer", "op", "shape", "weights", "MACs", "sparsity");
            for (LayerCosts.Layer l : layers) {
                out.printf("%-28s %-5s %-18s %10d %12d %7.2f%%%n", l.node(), l.op(), Arrays.toString(l.dims())
                        .replace(" ", ""), l.weights(), l.macs(), 100 * l.sparsity());
            }
            out.printf("%d prunable layers, %d weights, %d MACs per sample; sparsity %.2f%% by weights, %.2f%% by "
                    + "MACs%n", layers.size(), weights, macs, 100.0 * zeros / weights, 100 * zeroMacs / macs);
        }
        PrintWriter err = spec.commandLine().getErr();
        nonFinite.forEach(f -> err.println("warning: " + f.describe()));
        if (!nonFinite.isEmpty()) {
            err.printf("warning: %d tensors hold non-finite values; prune, export and bench refuse this model%n",
                    nonFinite.size());
        }
        return 0;
    }

    private static Map<String, Object> json(NonFiniteParameters.Finding f) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("tensor", f.tensor());
        o.put("readers", f.readers());
        o.put("nan", f.nan());
        o.put("infinite", f.infinite());
        o.put("first_index", f.firstIndex());
        o.put("size", f.size());
        return o;
    }
}
