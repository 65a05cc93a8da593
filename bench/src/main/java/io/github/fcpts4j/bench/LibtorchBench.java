package io.github.fcpts4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.models.ImageNetArchitectures;
import io.github.fcpts4j.models.NetBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * ResNet-18 or MobileNetV2 (3 x 224 x 224, batch 16) forward, and forward + backward, on the
 * CPU: fcpts4j's engine (oneDNN) against libtorch through DJL's PyTorch engine
 * running the same network built from DJL blocks ({@link DjlResNet18}, {@link DjlMobileNetV2}), same input,
 * same thread count, measured in one run. Backward on both sides includes
 * training-mode BatchNorm and the gradients of every weight.
 *
 * <p>Usage: {@code LibtorchBench [--arch resnet18|mobilenetv2] [--threads N] [--batch B] [--warmup W] [--runs R]
 * [--out PREFIX]} (set -Dai.djl.pytorch.num_threads=N -Dai.djl.pytorch.num_interop_threads=1 for the same
 * threads).
 */
public final class LibtorchBench {

    /** One network on both sides. */
    private record Arch(String label, Graph ours, Supplier<Block> peer) {
        static Arch of(String name) {
            return switch (name) {
                case "resnet18" -> new Arch("ResNet-18", ImageNetArchitectures.resnet18(1, NetBuilder.Init.TRAINING),
                        DjlResNet18::build);
                case "mobilenetv2" -> new Arch("MobileNetV2",
                        ImageNetArchitectures.mobilenetV2(1, NetBuilder.Init.TRAINING), DjlMobileNetV2::build);
                default -> throw new IllegalArgumentException("--arch " + name + ": expected resnet18 or mobilenetv2");
            };
        }
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = Args.parse(args, "LibtorchBench [--arch resnet18|mobilenetv2] [--threads N] "
                + "[--batch B] [--warmup W] [--runs R] [--out PREFIX]");
        String archName = opt.getOrDefault("arch", "resnet18");
        Arch arch = Arch.of(archName);
        int threads = Integer.parseInt(opt.getOrDefault("threads", "0"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "16"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "3"));
        int runs = Integer.parseInt(opt.getOrDefault("runs", "10"));
        float[] x = new float[batch * 3 * 224 * 224];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }

        Graph g = arch.ours();
        String out = g.outputs().get(0).name();
        Timing oursForward, oursTraining;
        String ourDescription;
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults().withCpuThreads(threads));
             NetworkExecutor inference = NetworkExecutor.compile(g, cpu, Map.of("image",
                     new long[] {batch, 3, 224, 224}));
             NetworkExecutor training = NetworkExecutor.compile(g, cpu, Map.of("image",
                     new long[] {batch, 3, 224, 224}), true)) {
            ourDescription = cpu.description();
            Map<String, float[]> input = Map.of("image", x);
            float[] ones = new float[batch * 1000];
            java.util.Arrays.fill(ones, 1f);
            training.setTraining(true);
            oursForward = Timing.measure(warmup, runs, () -> inference.run(input));
            oursTraining = Timing.measure(warmup, runs, () -> {
                training.run(input);
                training.backward(Map.of(out, ones));
            });
        }

        Timing torchForward, torchTraining;
        long torchParams = 0;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = arch.peer().get();
            block.initialize(manager, DataType.FLOAT32, new Shape(batch, 3, 224, 224));
            for (Pair<String, Parameter> p : block.getParameters()) {
                torchParams += p.getValue().getArray().size();
            }
            NDArray input = manager.create(x, new Shape(batch, 3, 224, 224));
            ParameterStore store = new ParameterStore(manager, false);
            torchForward = Timing.measure(warmup, runs, () -> {
                try (NDManager scope = manager.newSubManager()) {
                    NDList result = block.forward(store, new NDList(input), false);
                    result.attach(scope);
                    result.get(0).toFloatArray();
                }
            });
            torchTraining = Timing.measure(warmup, runs, () -> {
                try (NDManager scope = manager.newSubManager();
                     GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDList result = block.forward(store, new NDList(input), true);
                    result.attach(scope);
                    NDArray loss = result.get(0).sum();
                    collector.backward(loss);
                }
            });
        }

        long ourParams = g.prunableNodes().stream().mapToLong(n -> g.initializer(n.input(1)).orElseThrow().size())
                .sum();
        StringBuilder md = new StringBuilder();
        md.append(arch.label()).append(", 3x224x224, batch ").append(batch)
                .append(", CPU: fcpts4j engine vs libtorch (DJL)\n\n");
        md.append("- machine: ").append(Machine.describe()).append('\n');
        md.append("- fcpts4j: ").append(ourDescription).append("; conv/fc weights ").append(ourParams).append('\n');
        md.append("- peer: DJL ").append(Engine.getEngine("PyTorch").getVersion()).append(" PyTorch engine, DJL ")
                .append(arch.label()).append(" from DJL blocks, all parameters ").append(torchParams)
                .append(", threads ")
                .append(System.getProperty("ai.djl.pytorch.num_threads", "default")).append('\n');
        md.append("- commit: ").append(System.getProperty("fcpts.commit", "unknown")).append("; median of ")
                .append(runs).append(" runs after ").append(warmup).append(" warm-up runs\n\n");
        md.append("| pass | fcpts4j ms | libtorch ms | fcpts4j / libtorch |\n|---|---:|---:|---:|\n");
        md.append(String.format("| forward | %.1f | %.1f | %.2f |%n", oursForward.median(), torchForward.median(),
                oursForward.median() / torchForward.median()));
        md.append(String.format("| forward + backward | %.1f | %.1f | %.2f |%n", oursTraining.median(),
                torchTraining.median(), oursTraining.median() / torchTraining.median()));
        System.out.print(md);
        if (opt.containsKey("out")) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("benchmark", archName + "_cpu_vs_libtorch");
            json.put("machine", Machine.describe());
            json.put("batch", batch);
            json.put("fcpts4j_forward_ms", oursForward.median());
            json.put("libtorch_forward_ms", torchForward.median());
            json.put("fcpts4j_train_step_ms", oursTraining.median());
            json.put("libtorch_train_step_ms", torchTraining.median());
            json.put("forward_ratio", oursForward.median() / torchForward.median());
            json.put("train_step_ratio", oursTraining.median() / torchTraining.median());
            json.put("commit", System.getProperty("fcpts.commit", "unknown"));
            AtomicFiles.writeString(Path.of(opt.get("out") + ".md"), md.toString());
            AtomicFiles.writeString(Path.of(opt.get("out") + ".json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
        }
    }
}
