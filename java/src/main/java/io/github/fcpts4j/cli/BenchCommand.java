package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.eval.OrtLatency;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.sparse.SparsePlan;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts bench}: latency of one model on the CPU, in one run, for (a)
 * ONNX Runtime dense through DJL, (b) our dense oneDNN engine, (c) our sparse
 * plan (each conv dense or sparse, whichever its one-time timing favoured):
 * median and p90 per batch size, throughput, and the sparse plan's per-layer
 * choices.
 */
@Command(name = "bench", description = "Latency: ONNX Runtime dense vs our dense vs our sparse plan.")
final class BenchCommand implements Callable<Integer> {
    private static final String DEFAULT_MODEL = "examples/models/resnet20_fashion_mnist.onnx";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "ONNX model (default: the shipped ResNet-20)")
    Path model;

    @Option(names = "--batch", defaultValue = "1,8,32", split = ",", description = "batch sizes")
    List<Integer> batches;

    @Option(names = "--threads", defaultValue = "0", description = "threads for all three (0 = all cores)")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (cuda comes with the CUDA backend)")
    String device;

    @Option(names = "--warmup", defaultValue = "5")
    int warmup;

    @Option(names = "--runs", defaultValue = "30")
    int runs;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        if (!device.equals("cpu")) {
            throw new IllegalArgumentException("--device " + device + ": the sparse runtime runs on the cpu so far");
        }
        if (runs < 1 || warmup < 0 || batches.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--runs must be >= 1, --warmup >= 0 and every --batch >= 1");
        }
        Path input = model != null ? model : Path.of(System.getProperty("fcpts.home", ".")).resolve(DEFAULT_MODEL);
        Graph g = OnnxImporter.read(input).graph();
        long[] declared = g.inputs().get(0).shape();
        for (int i = 1; i < declared.length; i++) {
            if (declared[i] <= 0) {
                throw new IllegalArgumentException("input '" + g.inputs().get(0).name() + "' has a symbolic "
                        + "dimension " + i + " (" + Arrays.toString(declared) + "); fcpts bench needs fixed sizes");
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        String name = g.inputs().get(0).name();
        List<Map<String, Object>> rows = new ArrayList<>();
        err.printf("%-6s %-22s %10s %10s %12s %8s%n", "batch", "path", "p50 ms", "p90 ms", "images/s", "vs ORT");
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults().withCpuThreads(threads))) {
            for (int batch : batches) {
                long[] shape = declared.clone();
                shape[0] = batch;
                float[] x = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
                SplittableRandom rng = new SplittableRandom(1);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rng.nextDouble();
                }
                double[] ort = OrtLatency.measure(input, x, shape, threads, warmup, runs);
                double[] dense, sparse;
                List<SparsePlan.LayerChoice> choices;
                try (SparsePlan d = SparsePlan.build(g, cpu, Map.of(name, shape), threads, 1,
                        SparsePlan.Policy.DENSE)) {
                    dense = time(() -> d.run(Map.of(name, x)));
                }
                try (SparsePlan s = SparsePlan.build(g, cpu, Map.of(name, shape), threads, 5)) {
                    sparse = time(() -> s.run(Map.of(name, x)));
                    choices = s.choices();
                }
                double ortMedian = percentile(ort, 0.5);
                for (Object[] path : new Object[][] {{"onnxruntime dense", ort}, {"fcpts4j dense", dense},
                        {"fcpts4j sparse plan", sparse}}) {
                    double[] t = (double[]) path[1];
                    double p50 = percentile(t, 0.5), p90 = percentile(t, 0.9);
                    err.printf("%-6d %-22s %10.3f %10.3f %12.1f %7.2fx%n", batch, path[0], p50, p90,
                            batch / (p50 / 1e3), ortMedian / p50);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("batch", batch);
                    row.put("path", path[0]);
                    row.put("p50_ms", p50);
                    row.put("p90_ms", p90);
                    row.put("images_per_s", batch / (p50 / 1e3));
                    row.put("speedup_vs_ort", ortMedian / p50);
                    rows.add(row);
                }
                long chosen = choices.stream().filter(SparsePlan.LayerChoice::sparse).count();
                err.printf("       sparse plan: %d of %d convs sparse%n", chosen, choices.size());
                if (batch == batches.get(0)) {
                    err.printf("       %-24s %9s %10s %10s %s%n", "conv", "sparsity", "dense ms", "sparse ms", "runs");
                    for (SparsePlan.LayerChoice c : choices) {
                        err.printf("       %-24s %8.1f%% %10.3f %10.3f %s%n", c.node(), 100 * c.sparsity(),
                                c.denseMs(), c.sparseMs(), c.sparse() ? "sparse" : "dense");
                    }
                }
                Map<String, Object> layers = new LinkedHashMap<>();
                choices.forEach(c -> layers.put(c.node(), Map.of("sparsity", c.sparsity(), "sparse", c.sparse())));
                rows.get(rows.size() - 1).put("layers", layers);
            }
        }
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", input.toString());
            r.put("threads", threads);
            r.put("runs", runs);
            r.put("results", rows);
            spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting()
                    .serializeSpecialFloatingPointValues().create().toJson(r));
        }
        return 0;
    }

    private double[] time(Runnable body) {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        return t;
    }

    private static double percentile(double[] samples, double q) {
        double[] s = samples.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
    }
}
