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
 * own (statistics re-estimated on it give the same output: discrepancy ~0), and falls back to FROZEN where
 * they are far off (running means shifted by 3 standard deviations: the re-estimated model is another
 * function), or where a small relative error still changes a classifier's decisions; a graph without
 * BatchNorm measures nothing, and an explicit mode is kept as given.
 */
class BatchNormChoiceTest {
    private static final long[] SHAPE = {8, 2, 4, 4};

    /** x -> BatchNorm(gamma 1, beta 0, running mean / var given) -> Relu. */
    private static Graph normalized(float[] mean, float[] var) {
        NetBuilder b = new NetBuilder("bn", 1, NetBuilder.Init.TRAINING);
        String y = batchNorm(b, b.input("x", 2, 4, 4), 2, 0, mean, var);
        b.output(b.relu(y), -1, 2, 4, 4);
        return b.build();
    }

    private static String batchNorm(NetBuilder b, String x, int channels, float beta, float[] mean, float[] var) {
        float[] ones = new float[channels], betas = new float[channels];
        java.util.Arrays.fill(ones, 1);
        java.util.Arrays.fill(betas, beta);
        return b.node(OpType.BATCH_NORMALIZATION, Attributes.of(), x,
                b.constant("scale", TensorData.ofFloats(new long[] {channels}, ones)),
                b.constant("bias", TensorData.ofFloats(new long[] {channels}, betas)),
                b.constant("mean", TensorData.ofFloats(new long[] {channels}, mean)),
                b.constant("var", TensorData.ofFloats(new long[] {channels}, var)));
    }

    /** The reconstruction's terms for {@code g} at {@link #SHAPE}'s batch (what AUTO compares). */
    private static java.util.List<ReconstructionTerm> terms(Graph g, long[] shape) {
        return ReconstructionPlan.of(g, io.github.fcpts4j.ir.ShapeInference.infer(g, java.util.Map.of("x", shape)),
                java.util.List.of(), FcptsConfig.ReconstructionLoss.KL);
    }

    /** AUTO on x cut into {@code batches} batches of {@code shape}. */
    private static BatchNormChoice auto(Graph g, Backend cpu, long[] shape, int batches, float[] x) {
        return BatchNormChoice.resolve(FcptsConfig.BatchNormMode.AUTO, g, cpu, "x", shape, batches,
                (images, k) -> System.arraycopy(x, k * images.length, images, 0, images.length), terms(g, shape));
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
        // the unbiased variance, as a running average stores it
        float[] var = {(float) (sq[0] / 127), (float) (sq[1] / 127)};
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            BatchNormChoice fits = auto(normalized(mean, var), cpu, SHAPE, 1, x);
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, fits.used(), fits.describe());
            assertTrue(fits.discrepancy() < 1e-3, fits.describe());

            float[] shifted = {mean[0] + 3 * (float) Math.sqrt(var[0]), mean[1] - 3 * (float) Math.sqrt(var[1])};
            BatchNormChoice off = auto(normalized(shifted, var), cpu, SHAPE, 1, x);
            assertEquals(FcptsConfig.BatchNormMode.FROZEN, off.used(), off.describe());
            assertTrue(off.discrepancy() > BatchNormChoice.LIMIT, off.describe());
            assertTrue(off.describe().startsWith("BatchNorm: auto -> frozen"), off.describe());
            assertEquals(off.discrepancy(), off.toMap().get("discrepancy"));

            NetBuilder b = new NetBuilder("plain", 1, NetBuilder.Init.TRAINING);
            b.output(b.relu(b.input("x", 2, 4, 4)), -1, 2, 4, 4);
            BatchNormChoice none = auto(b.build(), cpu, SHAPE, 1, x);
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, none.used());
            assertEquals(0, none.discrepancy());
            assertTrue(none.describe().contains("no BatchNorm"), none.describe());

            Graph far = normalized(shifted, var);
            BatchNormChoice given = BatchNormChoice.resolve(FcptsConfig.BatchNormMode.TRAIN, far, cpu, "x", SHAPE, 1,
                    (images, k) -> System.arraycopy(x, 0, images, 0, x.length), terms(far, SHAPE));
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, given.used(), "an explicit mode is not second-guessed");
            assertTrue(Double.isNaN(given.discrepancy()));
        }
    }

    /**
     * Two logits [N, 2] = BatchNorm(x) + 10 (beta), N = 256 in two batches of 128: channel 0's running mean
     * 1 above the samples' mean moves each logit by at most 1 against about 10, a relative error near 0.07
     * that the L2 limit lets through, yet it flips the larger logit wherever 0 < z0 - z1 < 1 (about a
     * quarter of the rows), while statistics re-estimated on either batch keep almost every decision (the
     * batches are drawn alike): AUTO freezes. With the samples' own statistics every decision is kept and AUTO
     * trains; where the halves disagree as much as the shift (the two batches drawn with different channel
     * means), the change is estimation noise, and decisions alone do not freeze.
     */
    @Test
    void autoFreezesWhereReestimatedStatisticsChangeAClassifiersDecisionsBeyondTheirNoise() {
        int n = 256;
        long[] shape = {n / 2, 2, 1, 1};
        float[] x = gaussian(n, 7, 0);
        float[][] stats = statistics(x);
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            BatchNormChoice same = auto(logits(stats[0], stats[1]), cpu, shape, 2, x);
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, same.used(), same.describe());
            assertEquals(1.0, same.agreement(), same.describe());

            float[] shifted = {stats[0][0] + (float) Math.sqrt(stats[1][0]), stats[0][1]};
            BatchNormChoice off = auto(logits(shifted, stats[1]), cpu, shape, 2, x);
            assertTrue(off.discrepancy() > 0.03 && off.discrepancy() < BatchNormChoice.LIMIT, off.describe());
            assertTrue(off.agreement() > 0.6 && off.agreement() < 0.9, off.describe());
            assertTrue(off.noiseAgreement() > 0.95, off.describe());
            assertEquals(FcptsConfig.BatchNormMode.FROZEN, off.used(), off.describe());
            assertTrue(off.describe().contains(String.format(java.util.Locale.ROOT, "keeps %.1f %% of its decisions",
                    100 * off.agreement())), off.describe());
            assertEquals(off.agreement(), off.toMap().get("agreement"));
            assertEquals(off.noiseAgreement(), off.toMap().get("noise_agreement"));

            // batch 0's channel 0 centred at +1, batch 1's at -1: each half's statistics are far from the other's
            float[] uneven = gaussian(n, 7, 1);
            float[][] pooled = statistics(uneven);
            BatchNormChoice noisy = auto(logits(shifted(pooled), pooled[1]), cpu, shape, 2, uneven);
            assertTrue(noisy.agreement() < BatchNormChoice.AGREEMENT_LIMIT
                    && noisy.noiseAgreement() <= noisy.agreement(), noisy.describe());
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, noisy.used(), noisy.describe());

            BatchNormChoice single = auto(logits(shifted, stats[1]), cpu, new long[] {n, 2, 1, 1}, 1, x);
            assertTrue(Double.isNaN(single.noiseAgreement()) && single.agreement() < 0.9, single.describe());
            assertEquals(FcptsConfig.BatchNormMode.TRAIN, single.used(), "one batch: no halves to tell noise by");
        }
    }

    /** n samples of 2 channels, N(0, 1); with {@code split} channel 0 of the first half +split, the second -split. */
    private static float[] gaussian(int n, long seed, float split) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() + (i % 2 == 0 ? (i < n ? split : -split) : 0);
        }
        return x;
    }

    /** {mean, unbiased variance} per channel of [n, 2] samples. */
    private static float[][] statistics(float[] x) {
        int n = x.length / 2;
        double[] sum = new double[2], sq = new double[2];
        for (int i = 0; i < x.length; i++) {
            sum[i % 2] += x[i];
        }
        float[] mean = {(float) (sum[0] / n), (float) (sum[1] / n)};
        for (int i = 0; i < x.length; i++) {
            sq[i % 2] += (x[i] - mean[i % 2]) * (x[i] - mean[i % 2]);
        }
        return new float[][] {mean, {(float) (sq[0] / (n - 1)), (float) (sq[1] / (n - 1))}};
    }

    /** The means with channel 0 a quarter of a standard deviation off. */
    private static float[] shifted(float[][] stats) {
        return new float[] {stats[0][0] + 0.25f * (float) Math.sqrt(stats[1][0]), stats[0][1]};
    }

    private static Graph logits(float[] mean, float[] var) {
        NetBuilder b = new NetBuilder("classifier", 1, NetBuilder.Init.TRAINING);
        String y = batchNorm(b, b.input("x", 2, 1, 1), 2, 10, mean, var);
        b.output(b.node(OpType.FLATTEN, Attributes.of("axis", 1L), y), -1, 2);
        return b.build();
    }
}
