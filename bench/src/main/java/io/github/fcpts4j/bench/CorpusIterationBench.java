package io.github.fcpts4j.bench;

import io.github.fcpts4j.data.RandomImages;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.LayerCosts;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.prune.IterationStats;
import io.github.fcpts4j.prune.Pruner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * FCPTS step time of real third-party models on the cpu backend: a pruning run of {@code --iters} steps at
 * target 0.5 on seeded random images in the model's input range and layout, timed by the run's own step
 * clock from the end of step 1 (compile, uploads and the first step's allocations left out) to the end of
 * the last. Achieved GFLOP/s = 2 x MACs x batch x 4 / step time: per step the teacher forward, the student
 * forward and the student backward (data and weight gradients, about twice a forward) each do the model's
 * MACs (its prunable layers', {@link LayerCosts}, per sample). Napkin math: a 2-core AVX2 laptop-class CPU
 * peaks near 2 x 2.5 GHz x 32 flop = 160 GFLOP/s for fp32 FMA; small, memory-bound layers (depthwise, 1x1
 * on small maps, index maps) reach a fraction of it.
 *
 * <p>Usage: {@code CorpusIterationBench --out PREFIX [--iters N] --model ID,PATH,INPUT,D0xD1xD2xD3,LOW,HIGH,LAYOUT}
 * (repeatable; LAYOUT nchw or nhwc).
 */
public final class CorpusIterationBench {
    private CorpusIterationBench() {
    }

    private record Spec(String id, Path path, String input, long[] shape, double low, double high, boolean nhwc) {
        static Spec parse(String s) {
            String[] p = s.split(",");
            if (p.length != 7) {
                throw new IllegalArgumentException("--model " + s + ": expected ID,PATH,INPUT,D0xD1xD2xD3,LOW,HIGH,LAYOUT");
            }
            long[] shape = Arrays.stream(p[3].split("x")).mapToLong(Long::parseLong).toArray();
            return new Spec(p[0], Path.of(p[1]), p[2], shape, Double.parseDouble(p[4]), Double.parseDouble(p[5]),
                    p[6].equals("nhwc"));
        }
    }

    private record Row(String id, String shape, long weights, long macs, double msPerStep, double gflops) {
    }

    public static void main(String[] args) throws IOException {
        int iters = 20;
        String out = "bench/results/corpus_iteration_cpu";
        List<Spec> specs = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--iters" -> iters = Integer.parseInt(args[i + 1]);
                case "--out" -> out = args[i + 1];
                case "--model" -> specs.add(Spec.parse(args[i + 1]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (specs.isEmpty() || iters < 2 || args.length % 2 != 0) {
            throw new IllegalArgumentException("usage: --out PREFIX [--iters N >= 2] --model ID,PATH,INPUT,SHAPE,LOW,HIGH,LAYOUT ...");
        }
        List<Row> rows = new ArrayList<>();
        for (Spec s : specs) {
            Map<String, long[]> shapes = Map.of(s.input(), s.shape());
            Graph g = OnnxImporter.read(s.path(), shapes).graph();
            long[] one = s.shape().clone();
            one[0] = 1;
            List<LayerCosts.Layer> layers = LayerCosts.of(g, Map.of(s.input(), one));
            long macs = layers.stream().mapToLong(LayerCosts.Layer::macs).sum();
            long weights = layers.stream().mapToLong(LayerCosts.Layer::weights).sum();
            long[] sample = Arrays.copyOfRange(s.shape(), 1, 4);
            double[] clock = new double[2];
            int batch = (int) s.shape()[0];
            Pruner.builder().model(s.path(), shapes)
                    .calibration(new RandomImages(sample, s.nhwc(), Math.max(8, batch), 3, s.low(), s.high()))
                    .backend("cpu").seed(1).iterations(iters).batch(batch).calibrationSamples(Math.max(8, batch))
                    .targetSparsity(0.5).listener((IterationStats st) -> {
                        if (st.iteration() == 1) {
                            clock[0] = st.elapsedSeconds();
                        }
                        clock[1] = st.elapsedSeconds();
                        return true;
                    }).build().run();
            double ms = (clock[1] - clock[0]) / (iters - 1) * 1e3;
            double gflops = 2.0 * macs * batch * 4 / (ms * 1e-3) / 1e9;
            rows.add(new Row(s.id(), Arrays.toString(s.shape()), weights, macs, ms, gflops));
            System.err.printf(Locale.ROOT, "%s: %.1f ms/step, %.2f GFLOP/s%n", s.id(), ms, gflops);
        }
        StringBuilder md = new StringBuilder();
        md.append("FCPTS step time on the cpu backend (").append(Machine.describe()).append("; commit ")
                .append(System.getProperty("fcpts.commit", "?")).append("), ").append(iters)
                .append(" steps at target 0.5 on seeded random images, timed after step 1. GFLOP/s = 2 x MACs x batch "
                        + "x 4 / step (teacher forward, student forward, student backward ~2 forwards); MACs of the "
                        + "prunable layers, per sample.\n\n");
        md.append("| model | input | prunable weights | MACs / sample | ms / step | GFLOP/s |\n|---|---|---:|---:|---:|---:|\n");
        StringBuilder json = new StringBuilder("[");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %.1f | %.2f |%n", r.id(), r.shape(), r.weights(),
                    r.macs(), r.msPerStep(), r.gflops()));
            json.append(json.length() > 1 ? "," : "").append(String.format(Locale.ROOT,
                    "{\"model\":\"%s\",\"input\":\"%s\",\"weights\":%d,\"macs\":%d,\"ms_per_step\":%.3f,\"gflops\":%.3f}",
                    r.id(), r.shape(), r.weights(), r.macs(), r.msPerStep(), r.gflops()));
        }
        json.append("]\n");
        Files.writeString(Path.of(out + ".md"), md.toString());
        Files.writeString(Path.of(out + ".json"), json.toString());
        System.out.print(md);
    }
}
