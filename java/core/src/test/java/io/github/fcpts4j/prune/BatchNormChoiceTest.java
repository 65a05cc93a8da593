package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.NetBuilder;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * AUTO keeps the published training mode where the model's running statistics are the calibration batch's
 * own (batch and running statistics give the same output: discrepancy ~0), and falls back to FROZEN where
 * they are far off (running means shifted by 3 standard deviations: a training-mode teacher is another
 * function); a graph without BatchNorm measures nothing, and an explicit mode is kept as given.
 */
class BatchNormChoiceTest {
    private static final long[] SHAPE = {8, 2, 4, 4};

    /** x -> BatchNorm(gamma 1, beta 0, running mean / var given) -> Relu. */
    private static Graph normalized(float[] mean, float[] var) {
        NetBuilder b = new NetBuilder("bn", 1, NetBuilder.Init.TRAINING);
        String x = b.input("x", 2, 4, 4);
        String y = b.node(OpType.BATCH_NORMALIZATION, Attributes.of(), x,
                b.constant("scale", TensorData.ofFloats(new long[] {2}, new float[] {1, 1})),
                b.constant("bias", TensorData.ofFloats(new long[] {2}, new float[] {0, 0})),
                b.constant("mean", TensorData.ofFloats(new long[] {2}, mean)),
                b.constant("var", TensorData.ofFloats(new long[] {2}, var)));
        b.output(b.relu(y), -1, 2, 4, 4);
        return b.build();
    }

    @Test
    void autoTrainsWhereTheStatisticsFitAndFreezesWhereTheyDoNot() {
        SplittableRandom rnd = new SplittableRandom(4);
        float[] x = new float[8 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 2 + (i / 16 % 2 == 0 ? 1 : -3));   // channel 0: N(1, 4), 1: N(-3, 4)
        }
        double[] sum = new double[2], sq = new double[2];
        for (int i = 0; i < x.length; i++) {
            sum[i / 16 % 2] += x[i];
        }
        float[] mean = {(float) (sum[0] / 128), (float) (sum[1] / 128)};
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - mean[i / 16 % 2];
            sq[i / 16 % 2] += d * d;
        }
        float[] var = {(float) (sq[0] / 128), (float) (sq[1] / 128)};
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            BatchNormChoice fits = BatchNormChoice.resolve(FcptsConfig.BatchNormMode.AUTO, normalized(mean, var), cpu,
                    "x", SHAPE, x);
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, fits.used(), fits.describe());
            assertTrue(fits.discrepancy() < 1e-3, fits.describe());

            float[] shifted = {mean[0] + 3 * (float) Math.sqrt(var[0]), mean[1] - 3 * (float) Math.sqrt(var[1])};
            BatchNormChoice off = BatchNormChoice.resolve(FcptsConfig.BatchNormMode.AUTO, normalized(shifted, var),
                    cpu, "x", SHAPE, x);
            assertEquals(FcptsConfig.BatchNormMode.FROZEN, off.used(), off.describe());
            assertTrue(off.discrepancy() > BatchNormChoice.LIMIT, off.describe());
            assertTrue(off.describe().startsWith("BatchNorm: auto -> frozen"), off.describe());
            assertEquals(off.discrepancy(), off.toMap().get("discrepancy"));

            NetBuilder b = new NetBuilder("plain", 1, NetBuilder.Init.TRAINING);
            b.output(b.relu(b.input("x", 2, 4, 4)), -1, 2, 4, 4);
            BatchNormChoice none = BatchNormChoice.resolve(FcptsConfig.BatchNormMode.AUTO, b.build(), cpu, "x",
                    SHAPE, x);
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, none.used());
            assertEquals(0, none.discrepancy());
            assertTrue(none.describe().contains("no BatchNorm"), none.describe());

            BatchNormChoice given = BatchNormChoice.resolve(FcptsConfig.BatchNormMode.TRAIN, normalized(shifted, var),
                    cpu, "x", SHAPE, x);
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, given.used(), "an explicit mode is not second-guessed");
            assertTrue(Double.isNaN(given.discrepancy()));
        }
    }
}
