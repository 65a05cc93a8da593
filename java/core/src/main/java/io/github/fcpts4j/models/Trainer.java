package io.github.fcpts4j.models;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.data.Augment;
import io.github.fcpts4j.data.Shuffle;
import io.github.fcpts4j.data.IdxDataset;
import io.github.fcpts4j.engine.CosineSchedule;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.engine.Optimizer;
import io.github.fcpts4j.engine.ParameterGroup;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a classifier from scratch on an image set (used for the shipped
 * examples): SGD with momentum, softmax cross-entropy, weight decay on conv and
 * classifier weights only, one warm-up epoch (at most a tenth of the run) then cosine decay, training-mode
 * BatchNorm, random crop (pad 2) and flip. Deterministic for a seed on the CPU.
 */
public final class Trainer {

    /** Everything a run depends on. */
    public record Config(int epochs, int batch, float learningRate, float momentum, float weightDecay, long seed,
                         int limit) {
        public Config {
            if (epochs < 1 || batch < 2 || !(learningRate > 0) || limit < 0) {
                throw new IllegalArgumentException("need epochs >= 1, batch >= 2, learning rate > 0, limit >= 0");
            }
        }
    }

    /** Observes progress; called on the training thread. */
    public interface Listener {
        void iteration(int epoch, int iteration, int iterationsPerEpoch, double loss, double accuracy, float lr);

        void epoch(int epoch, double trainLoss, double trainAccuracy, double testAccuracy);
    }

    private Trainer() {
    }

    /** Returns the trained graph (weights and BatchNorm running statistics updated). */
    public static Graph train(Graph graph, IdxDataset train, IdxDataset test, Config c, Backend backend,
                              Listener listener) {
        String input = graph.inputs().get(0).name(), output = graph.outputs().get(0).name();
        int pixels = train.rows() * train.cols(), classes = (int) graph.outputs().get(0).shape()[1];
        int samples = c.limit() > 0 ? Math.min(c.limit(), train.size()) : train.size();
        int perEpoch = samples / c.batch();
        if (perEpoch == 0) {
            throw new IllegalArgumentException("batch " + c.batch() + " is larger than the " + samples
                    + " training samples");
        }
        long total = (long) perEpoch * c.epochs();
        // one warm-up epoch, but never more than a tenth of a short run
        CosineSchedule schedule = new CosineSchedule(c.learningRate(), Math.min(perEpoch, Math.max(1, total / 10)),
                total);
        SplittableRandom rng = new SplittableRandom(c.seed());
        NetworkKernels k = backend.network();
        Graph current = graph;
        try (NetworkExecutor net = NetworkExecutor.compile(graph, backend,
                Map.of(input, new long[] {c.batch(), 1, train.rows(), train.cols()}), true);
             Optimizer optimizer = new Optimizer(net, new Optimizer.Sgd(c.momentum()), groups(graph, c.weightDecay()),
                     Map.of());
             Tensor grad = backend.allocate(c.batch(), classes)) {
            net.setTraining(true);
            float[] images = new float[c.batch() * pixels];
            long[] labels = new long[c.batch()];
            int[] order = new int[samples];
            for (int i = 0; i < samples; i++) {
                order[i] = i;
            }
            long step = 0;
            for (int epoch = 1; epoch <= c.epochs(); epoch++) {
                Shuffle.inPlace(order, rng);
                double lossSum = 0, correct = 0;
                for (int it = 0; it < perEpoch; it++) {
                    for (int b = 0; b < c.batch(); b++) {
                        int sample = order[it * c.batch() + b];
                        train.copyImage(sample, images, b * pixels);
                        Augment.cropAndFlip(images, b * pixels, train.rows(), train.cols(), 2, rng);
                        labels[b] = train.label(sample);
                    }
                    float[] logits = net.run(Map.of(input, images)).get(output);
                    double loss = k.crossEntropy(net.value(output), labels, c.batch(), classes, grad);
                    net.backward(Map.of(output, grad.toArray()));
                    float lr = schedule.at(step++);
                    optimizer.step(lr);
                    lossSum += loss;
                    correct += correct(logits, labels, classes);
                    listener.iteration(epoch, it + 1, perEpoch, lossSum / (it + 1),
                            correct / ((it + 1.0) * c.batch()), lr);
                }
                current = net.currentGraph();
                double testAccuracy = accuracy(current, test, backend);
                listener.epoch(epoch, lossSum / perEpoch, correct / ((double) perEpoch * c.batch()), testAccuracy);
            }
        }
        return current;
    }

    /** Conv / Gemm weights decay; biases and BatchNorm parameters do not. */
    static List<ParameterGroup> groups(Graph g, float weightDecay) {
        List<String> decayed = new ArrayList<>(), plain = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.op() == OpType.CONV || n.op() == OpType.GEMM) {
                decayed.add(n.input(1));
                if (!n.input(2).isEmpty()) {
                    plain.add(n.input(2));
                }
            } else if (n.op() == OpType.BATCH_NORMALIZATION) {
                plain.add(n.input(1));
                plain.add(n.input(2));
            }
        }
        return List.of(new ParameterGroup("weights", decayed, weightDecay, 1f),
                new ParameterGroup("biases and BatchNorm", plain, 0f, 1f));
    }


    private static int correct(float[] logits, long[] labels, int classes) {
        int hits = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (logits[i * classes + k] > logits[i * classes + best]) {
                    best = k;
                }
            }
            hits += best == labels[i] ? 1 : 0;
        }
        return hits;
    }

    /** Top-1 accuracy of {@code graph} on {@code data} with the engine in inference mode (batches of 500). */
    public static double accuracy(Graph graph, IdxDataset data, Backend backend) {
        int batch = 500, pixels = data.rows() * data.cols();
        int classes = (int) graph.outputs().get(0).shape()[1];
        String input = graph.inputs().get(0).name(), output = graph.outputs().get(0).name();
        int hits = 0, seen = 0;
        try (NetworkExecutor net = NetworkExecutor.compile(graph, backend,
                Map.of(input, new long[] {batch, 1, data.rows(), data.cols()}))) {
            float[] images = new float[batch * pixels];
            long[] labels = new long[batch];
            for (int start = 0; start + batch <= data.size(); start += batch) {
                for (int b = 0; b < batch; b++) {
                    data.copyImage(start + b, images, b * pixels);
                    labels[b] = data.label(start + b);
                }
                hits += correct(net.run(Map.of(input, images)).get(output), labels, classes);
                seen += batch;
            }
        }
        return seen == 0 ? Double.NaN : (double) hits / seen;
    }
}
