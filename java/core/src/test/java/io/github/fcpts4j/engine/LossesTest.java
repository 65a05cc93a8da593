package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;

import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Losses against plain-Java double references (values and gradients). The
 * kernels compute in double per row from float inputs and store float
 * gradients: values agree to 1e-12 relative, gradients to float rounding
 * (1e-6 relative + 1e-9).
 */
class LossesTest {
    private static final int N = 5, C = 7;
    private Backend cpu;
    private TensorScope scope;
    private NetworkKernels k;

    @BeforeEach
    void open() {
        cpu = Backends.openResolved("cpu", BackendOptions.defaults());
        scope = new TensorScope();
        k = cpu.network();
    }

    @AfterEach
    void close() {
        scope.close();
        cpu.close();
    }

    private static float[] random(long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[N * C];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    private static double[] logSoftmax(float[] z, int row, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) {
            max = Math.max(max, z[row * C + c] / t);
        }
        double sum = 0;
        for (int c = 0; c < C; c++) {
            sum += Math.exp(z[row * C + c] / t - max);
        }
        double[] out = new double[C];
        for (int c = 0; c < C; c++) {
            out[c] = z[row * C + c] / t - max - Math.log(sum);
        }
        return out;
    }

    private static void assertGrad(double expected, float actual, String what) {
        assertEquals(expected, actual, 1e-9 + 1e-6 * Math.abs(expected), what);
    }

    @Test
    void crossEntropyMatchesTheReference() {
        float[] z = random(1, 5);
        long[] labels = {0, 6, 3, 3, 1};
        Tensor logits = scope.upload(cpu, z, N, C), grad = scope.allocate(cpu, N, C);
        double loss = k.crossEntropy(logits, labels, N, C, grad);
        double ref = 0;
        float[] g = grad.toArray();
        for (int i = 0; i < N; i++) {
            double[] ls = logSoftmax(z, i, 1);
            ref -= ls[(int) labels[i]] / N;
            for (int c = 0; c < C; c++) {
                assertGrad((Math.exp(ls[c]) - (c == labels[i] ? 1 : 0)) / N, g[i * C + c], "grad " + i + "," + c);
            }
        }
        assertEquals(ref, loss, 1e-12 * Math.abs(ref));
    }

    @Test
    void labelOutOfRangeNamesTheSample() {
        Tensor logits = scope.upload(cpu, random(2, 1), N, C);
        FcptsException e = assertThrows(FcptsException.class,
                () -> k.crossEntropy(logits, new long[] {0, 1, 7, 0, 0}, N, C, null));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("label 7 of sample 2 is outside [0, 7)"), e.getMessage());
    }

    /** FCPTS.md section 4: T^2 KL(softmax(t / T) || softmax(s / T)) over the batch mean, T = 4. */
    @Test
    void temperatureKlMatchesTheReference() {
        float[] s = random(3, 6), t = random(4, 6);
        float temperature = 4f;
        Tensor student = scope.upload(cpu, s, N, C), teacher = scope.upload(cpu, t, N, C);
        Tensor grad = scope.allocate(cpu, N, C);
        double loss = k.klDistill(student, teacher, N, C, temperature, grad);
        double ref = 0;
        float[] g = grad.toArray();
        for (int i = 0; i < N; i++) {
            double[] lp = logSoftmax(t, i, temperature), lq = logSoftmax(s, i, temperature);
            for (int c = 0; c < C; c++) {
                ref += temperature * temperature * Math.exp(lp[c]) * (lp[c] - lq[c]) / N;
                assertGrad(temperature / N * (Math.exp(lq[c]) - Math.exp(lp[c])), g[i * C + c], "grad " + i + "," + c);
            }
        }
        assertEquals(ref, loss, 1e-12 * Math.abs(ref));
        assertEquals(0.0, k.klDistill(teacher, teacher, N, C, temperature, null), 1e-12, "KL(p || p) = 0");
    }

    @Test
    void mseMatchesTheReference() {
        float[] a = random(5, 2), b = random(6, 2);
        Tensor ta = scope.upload(cpu, a, N, C), tb = scope.upload(cpu, b, N, C), grad = scope.allocate(cpu, N, C);
        double loss = k.mse(ta, tb, N, C, grad);
        double ref = 0;
        float[] g = grad.toArray();
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            ref += d * d / N;
            assertGrad(2 * d / N, g[i], "grad " + i);
        }
        assertEquals(ref, loss, 1e-12 * ref);
    }
}
