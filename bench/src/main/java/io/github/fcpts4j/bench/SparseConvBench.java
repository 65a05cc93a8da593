package io.github.fcpts4j.bench;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.sparse.ConvChain;
import io.github.fcpts4j.sparse.DenseConvChain;
import io.github.fcpts4j.sparse.SparseConv;
import io.github.fcpts4j.sparsity.Allocations;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The sparse convolution (CSR weights over phase-plane staging, native/src/sparse_cpu.cpp) against oneDNN's
 * dense convolution with pre-packed weights on the same layer, input and threads, in one run: ResNet-18 layer
 * shapes at 224 x 224, batch 1, weights magnitude-pruned to each sparsity. Both are timed as the layer's step
 * of an inference executor (median; on the executor's tensors, no host copies).
 * GFLOP/s count 2 x multiply-adds: all of them for dense, only the stored weights' for sparse.
 * Usage: {@code SparseConvBench [--threads N] [--warmup W] [--runs R] [--out PREFIX]} (PREFIX.md).
 */
public final class SparseConvBench {

    /** name, c_in, c_out, kernel, stride, input size. */
    private static final Object[][] LAYERS = {
        {"conv1 7x7/2", 3, 64, 7, 2, 224},
        {"layer1 3x3", 64, 64, 3, 1, 56},
        {"layer2 3x3", 128, 128, 3, 1, 28},
        {"layer3 3x3", 256, 256, 3, 1, 14},
        {"layer4 3x3", 512, 512, 3, 1, 7},
        {"layer3 1x1/2 proj", 128, 256, 1, 2, 28},
    };
    private static final double[] SPARSITIES = {0.5, 0.7, 0.9, 0.95};

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = Args.parse(args, "SparseConvBench [--threads N] [--warmup W] [--runs R] "
                + "[--out PREFIX]");
        int threads = Integer.parseInt(opt.getOrDefault("threads", "0"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "5"));
        int runs = Integer.parseInt(opt.getOrDefault("runs", "21"));
        StringBuilder md = new StringBuilder();
        md.append("Sparse convolution (CSR over phase-plane staging, fused epilogue) vs oneDNN dense (pre-packed "
                + "weights), ResNet-18 layers, batch 1, step time inside an inference executor\n\n");
        md.append("- machine: ").append(Machine.describe()).append('\n');
        md.append("- commit: ").append(System.getProperty("fcpts.commit", "unknown")).append("; median of ")
                .append(runs).append(" runs after ").append(warmup).append(" warm-up runs; threads ")
                .append(threads == 0 ? "all" : threads).append("\n\n");
        md.append("| layer | sparsity | dense ms | dense GFLOP/s | sparse ms | sparse GFLOP/s (non-zeros) "
                + "| speed-up |\n|---|---:|---:|---:|---:|---:|---:|\n");
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults().withCpuThreads(threads))) {
            for (Object[] l : LAYERS) {
                int cin = (int) l[1], cout = (int) l[2], k = (int) l[3], stride = (int) l[4], size = (int) l[5];
                NetBuilder b = new NetBuilder("layer", 1, NetBuilder.Init.TRAINING);
                String y = b.conv(b.input("x", cin, size, size), cin, cout, k, stride, 1, false);
                int out = (size + 2 * (k / 2) - k) / stride + 1;
                b.output(y, -1, cout, out, out);
                Graph dense = b.build();
                Node conv = dense.nodes().get(0);
                TensorData w = dense.initializer(conv.input(1)).orElseThrow();
                long[] shape = {1, cin, size, size};
                float[] x = new float[cin * size * size];
                SplittableRandom rng = new SplittableRandom(3);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rng.nextDouble();
                }
                double macs = (double) w.size() * out * out;
                for (double s : SPARSITIES) {
                    float[] pruned = w.floats();
                    double t = Allocations.quantileThreshold(pruned, s);
                    long nonZero = 0;
                    for (int i = 0; i < pruned.length; i++) {
                        pruned[i] = Math.abs(pruned[i]) <= t ? 0f : pruned[i];
                        nonZero += pruned[i] != 0f ? 1 : 0;
                    }
                    Graph g = dense.withInitializer(conv.input(1), TensorData.ofFloats(w.dims(), pruned));
                    Node n = g.nodes().get(0);
                    ConvChain chain = ConvChain.of(n);
                    try (DenseConvChain denseConv = new DenseConvChain(g, chain, shape, cpu);
                         SparseConv sparseConv = new SparseConv(g, chain, shape, threads);
                         NetworkExecutor d = NetworkExecutor.compileInference(g, cpu, Map.of("x", shape),
                                 List.of(denseConv));
                         NetworkExecutor sp = NetworkExecutor.compileInference(g, cpu, Map.of("x", shape),
                                 List.of(sparseConv))) {
                        for (int i = 0; i < warmup; i++) {
                            d.run(Map.of("x", x));
                            sp.run(Map.of("x", x));
                        }
                        double denseMs = d.profile(Map.of("x", x), runs).get(n.name());
                        double sparseMs = sp.profile(Map.of("x", x), runs).get(n.name());
                        double sparseMacs = macs * nonZero / w.size();
                        md.append(String.format("| %s | %.2f | %.3f | %.1f | %.3f | %.1f | %.2f |%n", l[0], s,
                                denseMs, 2 * macs / (denseMs * 1e6), sparseMs, 2 * sparseMacs / (sparseMs * 1e6),
                                denseMs / sparseMs));
                    }
                }
            }
        }
        System.out.print(md);
        String prefix = opt.get("out");
        if (prefix != null) {
            AtomicFiles.writeString(Path.of(prefix + ".md"), md.toString());
        }
    }
}
