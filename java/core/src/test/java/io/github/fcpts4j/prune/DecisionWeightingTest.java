package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The decision-weighted squared error on the CPU backend equals a double computation of its formula: the
 * union of the two models' positives weighs as much in total as the other elements, relative to the
 * teacher's weighted mean square Q, the gradient 2 w (s - t) / (N Q); with no positive element it is the plain
 * squared error relative to the teacher's mean square.
 */
class DecisionWeightingTest {
    private static final int N = 4, F = 50;

    @Test
    void positivesOfEitherModelWeighAsMuchAsTheRest() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] s = new float[N * F], t = new float[N * F];
        for (int i = 0; i < s.length; i++) {
            t[i] = (float) (rnd.nextGaussian() * 3 - 4);        // mostly far below the threshold
            s[i] = t[i] + (float) rnd.nextGaussian();
        }
        float threshold = 1.1f;
        check(s, t, threshold);
        check(s, t, 100f);    // nothing positive: the plain squared error
    }

    private static void check(float[] s, float[] t, float threshold) {
        int positives = 0;
        for (int i = 0; i < s.length; i++) {
            positives += s[i] > threshold || t[i] > threshold ? 1 : 0;
        }
        double p = (double) positives / s.length, beta = p > 0 ? (1 - p) / p : 0;
        double expected = 0, q = 0;
        double[] grad = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            double w = s[i] > threshold || t[i] > threshold ? 1 + beta : 1;
            q += w * t[i] * t[i] / N;
        }
        for (int i = 0; i < s.length; i++) {
            double w = s[i] > threshold || t[i] > threshold ? 1 + beta : 1, d = (double) s[i] - t[i];
            expected += w * d * d / N / q;
            grad[i] = 2 * w * d / N / q;
        }
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults()); TensorScope scope = new TensorScope()) {
            Tensor st = scope.upload(cpu, s, N, F), tt = scope.upload(cpu, t, N, F);
            Tensor g = scope.allocate(cpu, new long[] {N, F});
            DecisionWeighting d = new DecisionWeighting(scope, cpu, new long[] {N, F}, threshold);
            double loss = d.mse(cpu.network(), st, tt, N, F, g);
            assertEquals(expected, loss, 1e-5 * expected, "loss at threshold " + threshold);
            float[] got = g.toArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(grad[i], got[i], 1e-5 * Math.abs(grad[i]) + 1e-7, "gradient " + i);
            }
            if (threshold < 10) {
                assertEquals(true, positives > 0 && positives < s.length / 4, positives + " positives");
                double plain = 0, teacher = 0;
                for (int i = 0; i < s.length; i++) {
                    plain += ((double) s[i] - t[i]) * (s[i] - t[i]);
                    teacher += (double) t[i] * t[i];
                }
                assertEquals(true, Math.abs(loss - plain / teacher) > 0.05 * loss, "the weights change the term: "
                        + loss + " against " + plain / teacher);
            }
        }
    }
}
