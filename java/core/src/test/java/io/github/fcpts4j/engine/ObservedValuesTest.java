package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.TestNets;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Observed intermediate values (what the feature-MSE loss needs) and the
 * BatchNorm statistics re-estimation: gradients seeded at an intermediate
 * value add linearly to those from the output and reach only the layers
 * before it; observed buffers survive the inference planner; re-estimated
 * statistics are the average of the batch statistics.
 */
class ObservedValuesTest extends CpuTest {

    private static float[] random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    @Test
    void seedsAtAnObservedValueAddToTheOutputGradientAndStopAtIt() {
        Graph g = TestNets.resnet20(4);
        String middle = g.nodes().get(g.nodes().size() / 2).output();
        String firstWeight = g.prunableNodes().get(0).input(1);
        String lastWeight = g.prunableNodes().get(g.prunableNodes().size() - 1).input(1);
        String out = g.outputs().get(0).name();
        long[] shape = {2, 1, 28, 28};
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("image", shape), true, Set.of(middle));
             NetworkExecutor plain = NetworkExecutor.compile(g, cpu, Map.of("image", shape), false, Set.of(middle))) {
            float[] x = random(2 * 28 * 28, 1);
            e.run(Map.of("image", x));
            plain.run(Map.of("image", x));
            assertArrayEquals(e.value(middle).toArray(), plain.value(middle).toArray(), 0f,
                    "the inference planner keeps the observed buffer");
            float[] a = random((int) (2 * e.shape(out)[1]), 2);
            float[] b = random(e.value(middle).toArray().length, 3);
            e.backward(Map.of(out, a));
            float[] fromOut = e.gradient(firstWeight);
            e.backward(Map.of(middle, b));
            float[] fromMiddle = e.gradient(firstWeight);
            float[] lastFromMiddle = e.gradient(lastWeight);
            e.backward(Map.of(out, a, middle, b));
            float[] both = e.gradient(firstWeight);
            // A weight gradient is a float reduction over batch x positions whose terms cancel, and the
            // summed seeds are propagated in a different order than the two separate runs: compare against
            // the tensor's largest entry (1e-4 of it, ~1,000x float epsilon), not entry by entry.
            double norm = 0, scale = 0;
            for (int i = 0; i < both.length; i++) {
                scale = Math.max(scale, Math.abs((double) fromOut[i] + fromMiddle[i]));
            }
            for (int i = 0; i < both.length; i++) {
                double ref = (double) fromOut[i] + fromMiddle[i];
                assertEquals(ref, both[i], 1e-4 * scale, "first conv weight " + i);
                norm += Math.abs(fromMiddle[i]);
            }
            assertTrue(norm > 0, "a seed in the middle reaches the first layer");
            for (float v : lastFromMiddle) {
                assertEquals(0f, v, "a seed in the middle does not reach the classifier after it");
            }
            assertThrows(IllegalArgumentException.class, () -> e.backward(Map.of(g.nodes().get(3).output(), b)));
        }
    }

    @Test
    void unknownObservedValuesAreNamed() {
        Graph g = TestNets.resnet20(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                NetworkExecutor.compile(g, cpu, Map.of("image", new long[] {1, 1, 28, 28}), false, Set.of("nope")));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    }

    @Test
    void recalibrationAveragesTheBatchStatistics() {
        NetBuilder b = new NetBuilder("bn", 2, NetBuilder.Init.RANDOM_STATISTICS);
        String y = b.batchNorm(b.input("x", 2, 3, 3), 2);
        b.output(y, -1, 2, 3, 3);
        Graph g = b.build();
        Node bn = g.nodes().stream().filter(n -> n.op() == OpType.BATCH_NORMALIZATION).findFirst().orElseThrow();
        int batch = 4, sample = 2 * 9, batches = 3;
        float[][] data = new float[batches][];
        for (int k = 0; k < batches; k++) {
            data[k] = random(batch * sample, 10 + k);
            for (int i = 0; i < data[k].length; i++) {
                data[k][i] = data[k][i] * (1 + k) + 3 * k + (i / 9 % 2); // batches differ in mean and spread
            }
        }
        Graph out = BatchNormRecalibration.run(g, cpu, new long[] {batch, 2, 3, 3}, batches,
                new float[batch * sample], (images, k) -> System.arraycopy(data[k], 0, images, 0, images.length));
        float[] mean = out.initializer(bn.input(3)).orElseThrow().floats();
        float[] var = out.initializer(bn.input(4)).orElseThrow().floats();
        for (int c = 0; c < 2; c++) {
            double meanRef = 0, varRef = 0;
            for (int k = 0; k < batches; k++) {
                double s = 0, sq = 0;
                int count = batch * 9;
                for (int n = 0; n < batch; n++) {
                    for (int i = 0; i < 9; i++) {
                        s += data[k][(n * 2 + c) * 9 + i];
                    }
                }
                double m = s / count;
                for (int n = 0; n < batch; n++) {
                    for (int i = 0; i < 9; i++) {
                        double d = data[k][(n * 2 + c) * 9 + i] - m;
                        sq += d * d;
                    }
                }
                meanRef += m / batches;
                varRef += sq / (count - 1) / batches; // running variance is unbiased, as in training mode
            }
            assertEquals(meanRef, mean[c], 1e-5 * (1 + Math.abs(meanRef)), "mean of channel " + c);
            assertEquals(varRef, var[c], 1e-5 * (1 + varRef), "variance of channel " + c);
        }
        TensorData gamma = g.initializer(bn.input(1)).orElseThrow();
        assertArrayEquals(gamma.floats(), out.initializer(bn.input(1)).orElseThrow().floats(), 0f);
    }
}
