package io.github.fcpts4j.bench;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.models.ImageNetArchitectures;
import io.github.fcpts4j.models.NetBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fused KDE-CDF pass (FCPTS.md section 5) on ResNet-50's 54 real weight
 * tensors (25.5 M weights) against a plain copy of the same number of bytes,
 * both on the same backend and thread count, in one run.
 *
 * <p>Bytes moved per pass: 12 per weight (read w and g, write gw). The copy
 * baseline moves 6 bytes per weight from one buffer to another, i.e. the same
 * 12 bytes of traffic (6 read + 6 written). Ratio = fused GB/s / copy GB/s.
 * The fused time includes the per-step host work of a real optimization step:
 * uploading thresholds and bandwidths and reading back the 7 sums per layer.
 *
 * <p>Usage: {@code FusedKdeBench [--backend cpu|cuda|auto] [--threads N] [--warmup W] [--runs R]
 * [--out PREFIX]} writes PREFIX.md and PREFIX.json (atomically) when --out is given.
 */
public final class FusedKdeBench {

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = Args.parse(args, "FusedKdeBench [--backend cpu|cuda|auto] [--threads N] "
                + "[--warmup W] [--runs R] [--out PREFIX]");
        String backendName = opt.getOrDefault("backend", "cpu");
        int threads = Integer.parseInt(opt.getOrDefault("threads", "0"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "5"));
        int runs = Integer.parseInt(opt.getOrDefault("runs", "31"));

        // the 54 prunable weight tensors of ResNet-50 (53 convs incl. 4 projections, plus fc): N_l and fan-in
        Graph resnet50 = ImageNetArchitectures.resnet50(1, NetBuilder.Init.TRAINING);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Node n : resnet50.prunableNodes()) {
            long[] dims = resnet50.initializer(n.input(1)).orElseThrow().dims();
            shapes.put(n.name(), new long[] {Tensor.elementCount(dims), Tensor.elementCount(dims) / dims[0]});
        }
        List<String> names = new ArrayList<>(shapes.keySet());
        long[] sizes = shapes.values().stream().mapToLong(v -> v[0]).toArray();
        SegmentLayout layout = SegmentLayout.of(names, sizes);
        int n = Math.toIntExact(layout.total());

        float[] w = new float[n], g = new float[n], t = new float[layout.count()], h = new float[layout.count()];
        SplittableRandom rng = new SplittableRandom(2024);
        int l = 0;
        for (long[] shape : shapes.values()) {
            double std = Math.sqrt(2.0 / shape[1]);             // He initialization of a trained-like layer
            for (long i = layout.offset(l); i < layout.offset(l + 1); i++) {
                w[(int) i] = (float) (gaussian(rng) * std);
                g[(int) i] = (float) (gaussian(rng) * 1e-4);
            }
            t[l] = (float) (0.674 * std);                      // about 50 % sparsity
            h[l] = (float) (1.06 * 0.6 * std * Math.pow(shape[0], -0.2));  // Silverman on |w|
            l++;
        }

        try (Backend backend = Backends.open(backendName, BackendOptions.defaults().withCpuThreads(threads));
             TensorScope scope = new TensorScope()) {
            Tensor wt = scope.upload(backend, w, n);
            Tensor gt = scope.upload(backend, g, n);
            Tensor gw = scope.allocate(backend, n);
            long copyFloats = 3L * n / 2;                       // 6 bytes per weight, 12 bytes of traffic
            Tensor src = scope.allocate(backend, copyFloats);
            Tensor dst = scope.allocate(backend, copyFloats);
            KdeKernel kernel = scope.track(backend.kdeKernel(layout));

            Timing copy = Timing.measure(warmup, runs, () -> {
                backend.copy(src, dst);
                backend.synchronize();
            });
            Timing fused = Timing.measure(warmup, runs, () -> kernel.fused(wt, gt, gw, t, h));
            Timing copyAgain = Timing.measure(warmup, runs, () -> {
                backend.copy(src, dst);
                backend.synchronize();
            });
            // The copy runs before and after the kernel; the faster median is the baseline (the
            // machine's best), so the ratio is never flattered by a slow baseline sample.
            Timing baseline = copy.median() <= copyAgain.median() ? copy : copyAgain;
            double bytes = 12.0 * n;
            report(opt.get("out"), backend, layout, runs, bytes, fused, baseline);
        }
    }

    private static void report(String out, Backend backend, SegmentLayout layout, int runs, double bytes,
                               Timing fused, Timing copy) throws IOException {
        double fusedGbs = fused.gigabytesPerSecond(bytes), copyGbs = copy.gigabytesPerSecond(bytes);
        double ratio = fusedGbs / copyGbs;
        String machine = Machine.describe();
        String commit = System.getProperty("fcpts.commit", "unknown");
        StringBuilder md = new StringBuilder();
        md.append("Fused KDE-CDF pass vs copy, ResNet-50 weights (").append(layout.count()).append(" layers, ")
                .append(layout.total()).append(" weights, 12 bytes/weight)\n\n");
        md.append("- machine: ").append(machine).append('\n');
        md.append("- backend: ").append(backend.description()).append('\n');
        md.append("- commit: ").append(commit).append("; median of ").append(runs).append(" runs after warm-up\n\n");
        md.append("| operation | median ms | min ms | max ms | GB/s | ratio to copy |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        md.append(String.format("| copy (same bytes) | %.3f | %.3f | %.3f | %.2f | 1.00 |%n", copy.median(), copy.min(),
                copy.max(), copyGbs));
        md.append(String.format("| fused KDE-CDF pass | %.3f | %.3f | %.3f | %.2f | %.2f |%n", fused.median(),
                fused.min(), fused.max(), fusedGbs, ratio));
        md.append(String.format("%nNapkin math: at copy bandwidth the pass would take %.3f ms.%n",
                bytes / (copyGbs * 1e9) * 1e3));
        System.out.print(md);

        if (out != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("benchmark", "fused_kde_pass_vs_copy");
            json.put("machine", machine);
            json.put("backend", backend.description());
            json.put("commit", commit);
            json.put("layers", layout.count());
            json.put("weights", layout.total());
            json.put("bytes_per_pass", bytes);
            json.put("runs", runs);
            json.put("copy_median_ms", copy.median());
            json.put("fused_median_ms", fused.median());
            json.put("copy_gb_per_s", copyGbs);
            json.put("fused_gb_per_s", fusedGbs);
            json.put("ratio_to_copy", ratio);
            AtomicFiles.writeString(Path.of(out + ".md"), md.toString());
            AtomicFiles.writeString(Path.of(out + ".json"), new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
        }
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

}
