package io.github.fcpts4j.bench;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.ImageNetArchitectures;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.prune.PruneResult;
import io.github.fcpts4j.prune.Pruner;
import io.github.fcpts4j.sparse.SparsePlan;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.MagnitudeAllocation;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GPU benchmark of the CUDA backend issue, ResNet-18 at ImageNet shapes (3 x 224 x 224):
 * <ol>
 *   <li>one FCPTS iteration split into its phases (batch 64): teacher forward, student forward (masking the
 *       student's weights out of the flat vector included), backward (KL loss included), fused KDE pass
 *       (gradient gather included) and the SGD update; each phase timed by {@link Backend#elapsedMillis}
 *       (CUDA events on the backend's stream), the median of {@code --runs} iterations after warm-up;</li>
 *   <li>the wall time of a whole pruning run ({@code --iterations}, default 1,600, on {@code --samples}
 *       random calibration images, default 1,024) through the public {@link Pruner} API;</li>
 *   <li>sparse inference latency against the dense path of the same backend (cuDNN on cuda) at several
 *       global-magnitude sparsities and batch sizes: {@link SparsePlan} with the DENSE, SPARSE and FASTEST
 *       policies, median ms per batch including the input upload and the output download.</li>
 * </ol>
 * The fused pass's bandwidth against a device copy is {@link FusedKdeBench}'s (same run of the GPU suite).
 * Usage: {@code GpuPruningBench [--backend cuda|cpu] [--batch 64] [--runs 20] [--iterations 1600]
 * [--samples 1024] [--sparsities 0.5,0.7,0.8,0.9,0.95] [--batches 1,64] [--out PREFIX]}.
 */
public final class GpuPruningBench {
    private GpuPruningBench() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = Args.parse(args, "GpuPruningBench [--backend cuda|cpu] [--batch 64] [--runs 20] "
                + "[--iterations 1600] [--samples 1024] [--sparsities 0.5,0.7,0.8,0.9,0.95] [--batches 1,64] "
                + "[--out PREFIX]");
        String backendName = opt.getOrDefault("backend", "cuda");
        int batch = Integer.parseInt(opt.getOrDefault("batch", "64"));
        int runs = Integer.parseInt(opt.getOrDefault("runs", "20"));
        int iterations = Integer.parseInt(opt.getOrDefault("iterations", "1600"));
        int samples = Integer.parseInt(opt.getOrDefault("samples", "1024"));
        Graph dense = ImageNetArchitectures.resnet18(1, NetBuilder.Init.TRAINING);
        Map<String, Object> json = new LinkedHashMap<>();
        StringBuilder md = new StringBuilder();
        json.put("benchmark", "gpu_pruning_resnet18_224");
        json.put("machine", Machine.describe());
        json.put("commit", System.getProperty("fcpts.commit", "unknown"));
        try (Backend backend = Backends.open(backendName, BackendOptions.defaults())) {
            json.put("backend", backend.description());
            md.append("# FCPTS on ResNet-18, 3 x 224 x 224\n\n- backend: ").append(backend.description())
                    .append("\n- machine: ").append(json.get("machine")).append("\n- commit: ")
                    .append(json.get("commit")).append("\n\n");
            Map<String, Double> phases = phases(dense, backend, batch, runs);
            json.put("iteration_phases_ms", phases);
            md.append("## One iteration, batch ").append(batch).append(" (median of ").append(runs)
                    .append(" after warm-up)\n\n| phase | ms |\n|---|---:|\n");
            phases.forEach((k, v) -> md.append(String.format("| %s | %.2f |%n", k, v)));
        }
        if (iterations > 0) {
            double seconds = fullRun(dense, backendName, batch, iterations, samples);
            json.put("full_run", Map.of("iterations", iterations, "batch", batch, "samples", samples,
                    "wall_seconds", seconds));
            md.append(String.format("%n## Whole pruning run%n%n%d iterations, batch %d, %d calibration samples, "
                    + "70 %% global sparsity: **%.1f s** wall (goal: under 120 s on one H100)%n", iterations, batch,
                    samples, seconds));
        }
        List<Map<String, Object>> latency = latency(dense, backendName, opt.getOrDefault("sparsities",
                "0.5,0.7,0.8,0.9,0.95"), opt.getOrDefault("batches", "1,64"), md);
        json.put("latency", latency);
        System.out.print(md);
        String out = opt.get("out");
        if (out != null) {
            AtomicFiles.writeString(Path.of(out + ".md"), md.toString());
            AtomicFiles.writeString(Path.of(out + ".json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
        }
    }

    /** The phases of one iteration as FcptsLoop runs them, each synchronized and timed. */
    private static Map<String, Double> phases(Graph dense, Backend backend, int batch, int runs) {
        String input = dense.inputs().get(0).name(), output = dense.outputs().get(0).name();
        List<Node> prunable = dense.prunableNodes();
        List<String> names = new ArrayList<>();
        long[] sizes = new long[prunable.size()];
        for (int l = 0; l < sizes.length; l++) {
            names.add(prunable.get(l).name());
            sizes[l] = dense.initializer(prunable.get(l).input(1)).orElseThrow().size();
        }
        SegmentLayout layout = SegmentLayout.of(names, sizes);
        int total = Math.toIntExact(layout.total());
        float[] w = new float[total];
        for (int l = 0; l < sizes.length; l++) {
            float[] wl = dense.initializer(prunable.get(l).input(1)).orElseThrow().floats();
            System.arraycopy(wl, 0, w, (int) layout.offset(l), wl.length);
        }
        long[] shape = {batch, 3, 224, 224};
        float[] images = random(batch * 3 * 224 * 224, 11);
        float[] t = new float[sizes.length], h = new float[sizes.length];
        for (int l = 0; l < sizes.length; l++) {
            t[l] = 0.01f;
            h[l] = 0.005f;
        }
        NetworkKernels k = backend.network();
        double[][] samples = new double[5][runs];
        try (TensorScope scope = new TensorScope();
             NetworkExecutor teacher = scope.track(NetworkExecutor.compile(dense, backend, Map.of(input, shape)));
             NetworkExecutor student = scope.track(NetworkExecutor.compile(dense, backend, Map.of(input, shape),
                     true))) {
            Tensor weights = scope.upload(backend, w, total), grads = scope.allocate(backend, total);
            Tensor masked = scope.allocate(backend, total), velocity = scope.allocate(backend, total);
            Tensor x = scope.upload(backend, images, shape);
            Tensor lossGrad = scope.allocate(backend, teacher.shape(output));
            KdeKernel kde = scope.track(backend.kdeKernel(layout));
            long classes = teacher.shape(output)[1];
            Runnable[] phase = {
                () -> teacher.runFromTensors(Map.of(input, x)),
                () -> {
                    for (int l = 0; l < sizes.length; l++) {
                        k.maskedCopy(weights, layout.offset(l), student.value(prunable.get(l).input(1)), 0,
                                sizes[l], t[l], null, 0);
                    }
                    student.runFromTensors(Map.of(input, x));
                },
                () -> {
                    k.klDistill(student.value(output), teacher.value(output), batch, classes, 4f, lossGrad);
                    student.backwardFromTensors(Map.of(output, lossGrad));
                },
                () -> {
                    for (int l = 0; l < sizes.length; l++) {
                        k.maskedCopy(student.gradientTensor(prunable.get(l).input(1)), 0, grads, layout.offset(l),
                                sizes[l], -1f, null, 0);
                    }
                    kde.fused(weights, grads, masked, t, h);
                },
                () -> k.sgdStep(weights, masked, velocity, null, 1e-4f, 0.9f, 1e-4f)};
            for (int it = -3; it < runs; it++) {
                for (int p = 0; p < phase.length; p++) {
                    double ms = backend.elapsedMillis(phase[p]);
                    if (it >= 0) {
                        samples[p][it] = ms;
                    }
                }
            }
        }
        String[] labels = {"teacher forward", "student forward (with weight masking)", "loss + backward",
            "gradient gather + fused KDE pass", "SGD update"};
        Map<String, Double> out = new LinkedHashMap<>();
        double sum = 0;
        for (int p = 0; p < 5; p++) {
            double m = new Timing(samples[p]).median();
            out.put(labels[p], m);
            sum += m;
        }
        out.put("sum of phases", sum);
        return out;
    }

    private static double fullRun(Graph dense, String backendName, int batch, int iterations, int samples)
            throws IOException {
        Path model = Files.createTempFile("resnet18-", ".onnx");
        try {
            OnnxExporter.write(dense, model);
            List<float[]> images = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                images.add(random(3 * 224 * 224, 100 + i));
            }
            long start = System.nanoTime();
            PruneResult r = Pruner.builder().model(model).calibration(images, 3, 224, 224).backend(backendName)
                    .iterations(iterations).batch(batch).calibrationSamples(samples).targetSparsity(0.7)
                    .listener(s -> {
                        if (s.iteration() % 100 == 0) {
                            System.err.printf("iteration %d / %d, loss %.4g, sparsity %.4f, %.1f s%n",
                                    s.iteration(), s.iterations(), s.reconstructionLoss(), s.hardSparsity(),
                                    s.elapsedSeconds());
                        }
                        return true;
                    }).build().run();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf("pruned to %.4f (%d of %d weights) in %.1f s%n", r.achievedSparsity(),
                    r.prunedWeights(), r.totalWeights(), seconds);
            return seconds;
        } finally {
            Files.deleteIfExists(model);
        }
    }

    private static List<Map<String, Object>> latency(Graph dense, String backendName, String sparsities,
                                                     String batches, StringBuilder md) {
        List<Map<String, Object>> rows = new ArrayList<>();
        md.append("\n## Sparse inference vs the dense path (median ms per batch, upload and download included)\n\n")
                .append("| sparsity | batch | dense | sparse | fastest plan | sparse speed-up | plan speed-up |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|\n");
        List<PrunableLayer> layers = new ArrayList<>();
        for (Node n : dense.prunableNodes()) {
            TensorData w = dense.initializer(n.input(1)).orElseThrow();
            layers.add(new PrunableLayer(n.name(), w.dims(), w.floats()));
        }
        try (Backend backend = Backends.open(backendName, BackendOptions.defaults())) {
            for (String sText : sparsities.split(",")) {
                double s = Double.parseDouble(sText.trim());
                Graph pruned = Allocations.baseline(MagnitudeAllocation.GLOBAL, layers, Budget.parameters(s))
                        .applyTo(dense, dense.prunableNodes(), layers);
                for (String bText : batches.split(",")) {
                    int b = Integer.parseInt(bText.trim());
                    Map<String, long[]> shapes = Map.of(dense.inputs().get(0).name(), new long[] {b, 3, 224, 224});
                    Map<String, float[]> x = Map.of(dense.inputs().get(0).name(), random(b * 3 * 224 * 224, 5));
                    double[] ms = new double[3];
                    SparsePlan.Policy[] policies = {SparsePlan.Policy.DENSE, SparsePlan.Policy.SPARSE,
                        SparsePlan.Policy.FASTEST};
                    for (int p = 0; p < 3; p++) {
                        try (SparsePlan plan = SparsePlan.build(pruned, backend, shapes, 10, policies[p])) {
                            ms[p] = Timing.measure(3, 20, () -> plan.run(x)).median();
                        }
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("sparsity", s);
                    row.put("batch", b);
                    row.put("dense_ms", ms[0]);
                    row.put("sparse_ms", ms[1]);
                    row.put("fastest_plan_ms", ms[2]);
                    rows.add(row);
                    md.append(String.format("| %.2f | %d | %.2f | %.2f | %.2f | %.2fx | %.2fx |%n", s, b, ms[0],
                            ms[1], ms[2], ms[0] / ms[1], ms[0] / ms[2]));
                }
            }
        }
        return rows;
    }

    private static float[] random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return out;
    }
}
