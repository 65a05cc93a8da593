package io.github.fcpts4j.cli;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.data.IdxDataset;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.models.Architectures;
import io.github.fcpts4j.models.Trainer;
import io.github.fcpts4j.onnx.OnnxExporter;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts train}: trains one of the example architectures from scratch on
 * an IDX image set and exports it to ONNX (atomically). Progress (epoch,
 * iteration, loss, accuracy, learning rate, ETA) goes to stderr.
 */
@Command(name = "train", description = "Train an example CNN from scratch and export it to ONNX.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--arch", required = true, description = "resnet20 | mobilenetv2-small")
    String arch;

    @Option(names = "--data", required = true, description = "idx:DIR with train-* and t10k-* IDX files")
    String data;

    @Option(names = "--epochs", defaultValue = "10", converter = Ranges.AtLeastOne.class)
    int epochs;

    @Option(names = "--batch", defaultValue = "128", converter = Ranges.AtLeastOne.class)
    int batch;

    @Option(names = "--lr", defaultValue = "0.1", converter = Ranges.NonNegativeFloat.class)
    float lr;

    @Option(names = "--weight-decay", defaultValue = "5e-4", converter = Ranges.NonNegativeFloat.class)
    float weightDecay;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--threads", defaultValue = "0", converter = Ranges.AtLeastZero.class,
            description = "CPU threads (0 = all cores)")
    int threads;

    @Option(names = "--limit", defaultValue = "0", converter = Ranges.AtLeastZero.class,
            description = "use only the first N training images (0 = all)")
    int limit;

    @Option(names = "--out", required = true, description = "ONNX file to write")
    Path out;

    @Override
    public Integer call() {
        new OutputPaths().output("--out", out).check();
        if (!data.startsWith("idx:")) {
            throw new IllegalArgumentException("--data must be idx:DIR, got '" + data + "'");
        }
        Path dir = Path.of(data.substring(4));
        IdxDataset train = IdxDataset.load(dir, IdxDataset.Split.TRAIN);
        IdxDataset test = IdxDataset.load(dir, IdxDataset.Split.TEST);
        Graph graph = Architectures.build(arch, seed);
        Trainer.Config config = new Trainer.Config(epochs, batch, lr, 0.9f, weightDecay, seed, limit);
        var err = spec.commandLine().getErr();
        long start = System.nanoTime();
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults().withCpuThreads(threads))) {
            err.println("fcpts train: " + arch + " on " + train.size() + " images (" + dir + "), " + cpu.description());
            Graph trained = Trainer.train(graph, train, test, config, cpu, new Trainer.Listener() {
                @Override
                public void iteration(int epoch, int it, int per, double loss, double acc, float rate) {
                    if (it % 50 == 0 || it == per) {
                        double done = ((epoch - 1) * (double) per + it) / ((double) per * epochs);
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        err.printf("epoch %d/%d  iter %d/%d  loss %.4f  acc %.2f%%  lr %.4f  ETA %s%n", epoch, epochs,
                                it, per, loss, 100 * acc, rate, Progress.duration(elapsed / done - elapsed));
                    }
                }

                @Override
                public void epoch(int epoch, double loss, double acc, double testAcc) {
                    err.printf("epoch %d done: train loss %.4f, train acc %.2f%%, test acc %.2f%% (%s elapsed)%n",
                            epoch, loss, 100 * acc, 100 * testAcc,
                            Progress.duration((System.nanoTime() - start) / 1e9));
                }
            });
            OnnxExporter.write(trained, out);
            err.println("wrote " + out);
        }
        return 0;
    }
}
