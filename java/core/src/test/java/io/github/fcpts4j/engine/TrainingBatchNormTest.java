package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Training-mode BatchNorm statistics and running-average update against a double reference. */
class TrainingBatchNormTest {

    @Test
    void normalizesWithBatchStatisticsAndMovesTheRunningOnes() {
        int n = 3, c = 4, spatial = 10;
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = new float[n * c * spatial];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble() * 4 + (i / spatial % c));
        }
        float[] gamma = {1f, 2f, 0.5f, 1.5f}, beta = {0f, 1f, -1f, 0.25f};
        float[] runMean = {0.5f, 0.5f, 0.5f, 0.5f}, runVar = {2f, 2f, 2f, 2f};
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults()); TensorScope s = new TensorScope()) {
            NetworkKernels k = cpu.network();
            Tensor tx = s.upload(cpu, x, x.length), y = s.allocate(cpu, x.length);
            Tensor rm = s.upload(cpu, runMean, c), rv = s.upload(cpu, runVar, c);
            k.batchNormTraining(tx, n, c, spatial, s.upload(cpu, gamma, c), s.upload(cpu, beta, c), rm, rv, 0.9f, 1e-5f,
                    y, s.allocate(cpu, c), s.allocate(cpu, c));
            float[] out = y.toArray(), newMean = rm.toArray(), newVar = rv.toArray();
            for (int ch = 0; ch < c; ch++) {
                double sum = 0, sq = 0;
                int count = n * spatial;
                for (int b = 0; b < n; b++) {
                    for (int i = 0; i < spatial; i++) {
                        sum += x[(b * c + ch) * spatial + i];
                    }
                }
                double mean = sum / count;
                for (int b = 0; b < n; b++) {
                    for (int i = 0; i < spatial; i++) {
                        double d = x[(b * c + ch) * spatial + i] - mean;
                        sq += d * d;
                    }
                }
                double var = sq / count;
                for (int b = 0; b < n; b++) {
                    for (int i = 0; i < spatial; i++) {
                        int at = (b * c + ch) * spatial + i;
                        double ref = (x[at] - mean) / Math.sqrt(var + 1e-5) * gamma[ch] + beta[ch];
                        assertEquals(ref, out[at], 1e-5 + 1e-5 * Math.abs(ref), "y at " + at);
                    }
                }
                assertEquals(0.9 * 0.5 + 0.1 * mean, newMean[ch], 1e-6, "running mean " + ch);
                assertEquals(0.9 * 2 + 0.1 * var * count / (count - 1), newVar[ch], 1e-5, "running var " + ch);
            }
        }
    }
}
