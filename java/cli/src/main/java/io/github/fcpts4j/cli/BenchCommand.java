package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.eval.OrtLatency;
import io.github.fcpts4j.eval.Rounds;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.NonFiniteParameters;
import io.github.fcpts4j.report.LatencyChart;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts bench}: latency of one or more models on the CPU, in one run,
 * for (a) ONNX Runtime dense (its Java API, not spinning), (b) our dense engine
 * (BatchNorm folded, oneDNN with pre-packed weights and fused epilogues) and (c)
 * our sparse plan (each conv chain dense or sparse by timing, whole network
 * checked), interleaved in rounds after warm-up ({@link Rounds}), in one process:
 * median and p90 per batch size, throughput, the speed-up over ONNX Runtime as
 * the median of the per-round ratios with their range, and for the first batch
 * size a per-layer breakdown measured inside the network. With several models
 * (e.g. one file per sparsity) and {@code --chart}, a PNG of latency against
 * weight sparsity.
 */
@Command(name = "bench", description = "Latency: ONNX Runtime dense vs our dense vs our sparse plan.")
final class BenchCommand implements Callable<Integer> {
    private static final String DEFAULT_MODEL = "examples/models/resnet20_fashion_mnist.onnx";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "ONNX model; repeat for several (default: the shipped ResNet-20)")
    List<Path> models;

    @Option(names = "--batch", defaultValue = "1,8,32", split = ",", converter = Ranges.AtLeastOne.class,
            description = "batch sizes")
    List<Integer> batches;

    @Option(names = "--threads", defaultValue = "0", converter = Ranges.AtLeastZero.class,
            description = "threads for all three (0 = all cores)")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu | cuda | auto: where our dense engine and "
            + "sparse plan run (ONNX Runtime stays on the cpu: on cuda the dense engine, cuDNN, is the baseline)")
    String device;

    @Option(names = "--warmup", defaultValue = "5", converter = Ranges.AtLeastZero.class,
            description = "untimed runs first")
    int warmup;

    @Option(names = "--runs", defaultValue = "30", converter = Ranges.AtLeastOne.class, description = "timed runs "
            + "per path (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--rounds", defaultValue = "6", converter = Ranges.AtLeastOne.class, description = "the runs "
            + "are split into this many rounds; each round times every path in turn (the order rotating), and the "
            + "speed-up is the median of the per-round ratios, with their range (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--chart", description = "PNG of median latency vs weight sparsity over the models")
    Path chart;

    @Mixin
    InputShapeOption inputShape;

    @Mixin
    PreprocessOptions preprocess;

    @Mixin
    JsonOption json;

    private static final String[] PATHS = {"onnxruntime dense", "fcpts4j dense", "fcpts4j sparse plan"};

    @Override
    public Integer call() {
        List<Path> inputs = models != null ? models
                : List.of(Path.of(System.getProperty("fcpts.home", ".")).resolve(DEFAULT_MODEL));
        OutputPaths outputs = new OutputPaths().output("--chart", chart);
        inputs.forEach(m -> outputs.input("--model", m));
        outputs.check();
        PrintWriter err = spec.commandLine().getErr();
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Map<String, double[][]>> panels = new LinkedHashMap<>();
        try (Backend backend = Backends.open(device, BackendOptions.defaults().withCpuThreads(threads))) {
            err.println("device: " + backend.description());
            for (Path input : inputs) {
                benchModel(input, backend, err, rows);
            }
        }
        for (int batch : batches) {
            Map<String, double[][]> paths = new LinkedHashMap<>();
            for (String path : PATHS) {
                paths.put(path, rows.stream()
                        .filter(r -> r.get("batch").equals(batch) && r.get("path").equals(path))
                        .map(r -> new double[] {(double) r.get("sparsity"), (double) r.get("p50_ms")})
                        .toArray(double[][]::new));
            }
            panels.put("batch " + batch, paths);
        }
        if (chart != null) {
            LatencyChart.write(chart, "fcpts bench: latency vs weight sparsity (" + inputs.size() + " models)",
                    panels);
            err.println("chart: " + chart);
        }
        if (json.json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("threads", threads);
            r.put("runs", runs);
            r.put("results", rows);
            spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting()
                    .serializeSpecialFloatingPointValues().create().toJson(r));
        }
        return 0;
    }

    private void benchModel(Path input, Backend backend, PrintWriter err, List<Map<String, Object>> rows) {
        Graph g = inputShape.read(input).graph();
        NonFiniteParameters.requireFinite(g, "fcpts bench");
        long[] declared = g.inputs().get(0).shape();
        if (preprocess.given()) {
            // the image size the preprocessing flags give fixes what the model leaves symbolic
            long[] sample = preprocess.build().resolve(g.inputs().get(0).name(), declared).sampleShape();
            for (int i = 1; i < declared.length; i++) {
                declared[i] = declared[i] > 0 ? declared[i] : sample[i - 1];
            }
        }
        for (int i = 1; i < declared.length; i++) {
            if (declared[i] <= 0) {
                throw new IllegalArgumentException("input '" + g.inputs().get(0).name() + "' has a symbolic "
                        + "dimension " + i + " (" + Arrays.toString(declared) + "); give --input-shape "
                        + g.inputs().get(0).name() + "=D1,D2,... (or --resize HxW for an image model)");
            }
        }
        double modelSparsity = weightSparsity(g);
        err.printf("model %s: weight sparsity %.1f%% (prunable layers)%n", input.getFileName(), 100 * modelSparsity);
        String name = g.inputs().get(0).name();
        err.printf("%-6s %-22s %10s %10s %12s %8s  %s%n", "batch", "path", "p50 ms", "p90 ms", "images/s", "vs ORT",
                "[range over rounds]");
        for (int batch : batches) {
            long[] shape = declared.clone();
            shape[0] = batch;
            float[] x = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            SplittableRandom rng = new SplittableRandom(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble();
            }
            Map<String, float[]> feed = Map.of(name, x);
            Rounds.Result timed;
            Map<String, Double> profile;
            SparsePlan.NetworkCheck check;
            List<SparsePlan.LayerChoice> choices;
            try (OrtLatency ort = OrtLatency.open(input, x, shape, threads);
                 SparsePlan d = SparsePlan.build(g, backend, Map.of(name, shape), 1, SparsePlan.Policy.DENSE);
                 SparsePlan s = SparsePlan.build(g, backend, Map.of(name, shape), 5)) {
                timed = Rounds.time(List.of(ort::timeOnce, () -> timeOnce(() -> d.run(feed)),
                        () -> timeOnce(() -> s.run(feed))), warmup, runs, rounds);
                choices = s.choices();
                check = s.networkCheck();
                profile = batch == batches.get(0) ? s.profile(feed, Math.min(runs, 10)) : Map.of();
            }
            for (int p = 0; p < PATHS.length; p++) {
                double[] samples = timed.samples(p);
                double p50 = percentile(samples, 0.5), p90 = percentile(samples, 0.9);
                double[] ratio = timed.ratioRange(0, p);
                err.printf("%-6d %-22s %10.3f %10.3f %12.1f %7.2fx  [%.2f, %.2f]%n", batch, PATHS[p], p50, p90,
                        batch / (p50 / 1e3), timed.ratio(0, p), ratio[0], ratio[1]);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("model", input.toString());
                row.put("sparsity", modelSparsity);
                row.put("batch", batch);
                row.put("path", PATHS[p]);
                row.put("p50_ms", p50);
                row.put("p90_ms", p90);
                row.put("images_per_s", batch / (p50 / 1e3));
                row.put("speedup_vs_ort", timed.ratio(0, p));
                row.put("speedup_vs_ort_range", ratio);
                row.put("rounds", rounds);
                rows.add(row);
            }
            long chosen = choices.stream().filter(SparsePlan.LayerChoice::sparse).count();
            err.printf("       sparse plan: %d of %d layers sparse; whole network dense %.3f ms vs mixed %.3f ms"
                    + "%s%n", chosen, choices.size(), check.denseMs(), check.mixedMs(),
                    check.fellBack() ? " -> fell back to all dense" : "");
            Map<String, Object> layers = new LinkedHashMap<>();
            for (SparsePlan.LayerChoice c : choices) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("sparsity", c.sparsity());
                l.put("sparse", c.sparse());
                l.put("fused", c.fused());
                l.put("all_dense_network_ms", c.denseMs());
                l.put("all_sparse_network_ms", c.sparseMs());
                l.put("in_network_ms", profile.getOrDefault(c.node(), Double.NaN));
                layers.put(c.node(), l);
            }
            rows.get(rows.size() - 1).put("layers", layers);
            if (!profile.isEmpty()) {
                printBreakdown(err, choices, profile);
            }
        }
    }

    /** Per layer: sparsity, the plan's timings of both paths, time inside the plan, path; then the rest. */
    private static void printBreakdown(PrintWriter err, List<SparsePlan.LayerChoice> choices,
                                       Map<String, Double> profile) {
        err.printf("       %-14s %-12s %9s %10s %10s %11s %s%n", "layer", "fused", "sparsity", "dense ms",
                "sparse ms", "in-net ms", "runs");
        double convs = 0;
        for (SparsePlan.LayerChoice c : choices) {
            double inNet = profile.getOrDefault(c.node(), Double.NaN);
            convs += inNet;
            String fused = c.fused().size() == 1 ? "-" : "+" + (c.fused().size() - 1) + " node"
                    + (c.fused().size() > 2 ? "s" : "");
            err.printf("       %-14s %-12s %8.1f%% %10.3f %10.3f %11.3f %s%n", c.node(), fused, 100 * c.sparsity(),
                    c.denseMs(), c.sparseMs(), inNet, c.sparse() ? "sparse" : "dense");
        }
        double total = profile.values().stream().mapToDouble(Double::doubleValue).sum();
        err.printf("       in-network: these layers %.3f ms, %d other steps %.3f ms (dense / sparse ms: the layer "
                + "inside the all-dense / all-sparse network when the plan was made; in-net: inside the plan)%n",
                convs, profile.size() - choices.size(), total - convs);
    }

    private static double weightSparsity(Graph g) {
        long zeros = 0, total = 0;
        for (var n : g.prunableNodes()) {
            var w = g.initializer(n.input(1)).orElseThrow();
            zeros += w.zeros();
            total += w.size();
        }
        return total == 0 ? 0 : (double) zeros / total;
    }

    private static double timeOnce(Runnable body) {
        long start = System.nanoTime();
        body.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static double percentile(double[] samples, double q) {
        double[] s = samples.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
    }
}
