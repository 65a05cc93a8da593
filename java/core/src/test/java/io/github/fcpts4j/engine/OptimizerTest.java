package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.testing.TestNets;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.CpuTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Optimizer updates against a plain-Java reference of the same formulas
 * (float arithmetic in the same order, so within 1 ulp-ish: 1e-6 relative),
 * the masking hook, and a real training signal on ResNet-20.
 */
class OptimizerTest extends CpuTest {

    /** One backward on ResNet-20 with a fixed probe gradient, so parameters have real gradients. */
    private static NetworkExecutor withGradients(Backend cpu, Graph g) {
        NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("image", new long[] {2, 1, 28, 28}), true);
        e.run(Map.of("image", TestData.uniform(2 * 784, 1)));
        e.backward(Map.of(g.outputs().get(0).name(), TestData.uniform(20, 2)));
        return e;
    }

    private static String firstConvWeight(Graph g) {
        return g.prunableNodes().get(0).input(1);
    }

    @Test
    void sgdMatchesTheReferenceOverSeveralSteps() {
        Graph g = TestNets.resnet20(5);
        String w = firstConvWeight(g);
        try (NetworkExecutor e = withGradients(cpu, g);
             Optimizer opt = new Optimizer(e, new Optimizer.Sgd(0.9f),
                     List.of(new ParameterGroup("conv", List.of(w), 3e-4f, 1f)), Map.of())) {
            float[] weights = e.value(w).toArray(), grad = e.gradient(w), velocity = new float[weights.length];
            for (int step = 0; step < 3; step++) {
                float lr = 0.01f * (step + 1);
                opt.step(lr);
                for (int i = 0; i < weights.length; i++) {
                    float d = grad[i] + 3e-4f * weights[i];
                    velocity[i] = 0.9f * velocity[i] + d;
                    weights[i] -= lr * velocity[i];
                }
            }
            assertArrayEquals(weights, e.value(w).toArray(), 1e-6f);
            assertEquals(3, opt.steps());
        }
    }

    @Test
    void adamMatchesTheReference() {
        Graph g = TestNets.resnet20(6);
        String w = firstConvWeight(g);
        try (NetworkExecutor e = withGradients(cpu, g);
             Optimizer opt = new Optimizer(e, Optimizer.Adam.defaults(),
                     List.of(new ParameterGroup("conv", List.of(w), 0f, 1f)), Map.of())) {
            float[] weights = e.value(w).toArray(), grad = e.gradient(w);
            float[] m1 = new float[weights.length], m2 = new float[weights.length];
            for (int step = 1; step <= 2; step++) {
                opt.step(1e-3f);
                double c1 = 1 - Math.pow(0.9, step), c2 = 1 - Math.pow(0.999, step);
                for (int i = 0; i < weights.length; i++) {
                    m1[i] = 0.9f * m1[i] + 0.1f * grad[i];
                    m2[i] = 0.999f * m2[i] + 0.001f * grad[i] * grad[i];
                    weights[i] -= (float) (1e-3 * (m1[i] / c1) / (Math.sqrt(m2[i] / c2) + 1e-8));
                }
            }
            float[] actual = e.value(w).toArray();
            for (int i = 0; i < weights.length; i++) {
                assertEquals(weights[i], actual[i], 1e-6 + 1e-5 * Math.abs(weights[i]), "weight " + i);
            }
        }
    }

    /** The masking hook: an all-ones mask changes nothing; masked weights stay exactly zero. */
    @Test
    void masksKeepPrunedWeightsAtZeroAndAllOnesChangesNothing() {
        Graph g = TestNets.resnet20(7);
        String w = firstConvWeight(g);
        float[] unmasked;
        try (NetworkExecutor e = withGradients(cpu, g);
             Optimizer opt = new Optimizer(e, new Optimizer.Sgd(0.9f),
                     List.of(new ParameterGroup("conv", List.of(w), 1e-3f, 1f)), Map.of())) {
            opt.step(0.1f);
            opt.step(0.1f);
            unmasked = e.value(w).toArray();
        }
        try (NetworkExecutor e = withGradients(cpu, g)) {
            int n = (int) e.value(w).size();
            float[] ones = new float[n];
            java.util.Arrays.fill(ones, 1f);
            try (Tensor mask = cpu.upload(ones, n);
                 Optimizer opt = new Optimizer(e, new Optimizer.Sgd(0.9f),
                         List.of(new ParameterGroup("conv", List.of(w), 1e-3f, 1f)), Map.of(w, mask))) {
                opt.step(0.1f);
                opt.step(0.1f);
                assertArrayEquals(unmasked, e.value(w).toArray(), 0f, "all-ones mask: bit-identical update");
            }
        }
        try (NetworkExecutor e = withGradients(cpu, g)) {
            float[] weights = e.value(w).toArray();
            float[] mask = new float[weights.length];
            for (int i = 0; i < weights.length; i++) {
                mask[i] = i % 3 == 0 ? 0f : 1f;
                weights[i] *= mask[i];
            }
            e.value(w).copyFrom(weights);
            try (Tensor m = cpu.upload(mask, mask.length);
                 Optimizer opt = new Optimizer(e, new Optimizer.Sgd(0.9f),
                         List.of(new ParameterGroup("conv", List.of(w), 1e-3f, 1f)), Map.of(w, m))) {
                for (int s = 0; s < 3; s++) {
                    opt.step(0.1f);
                }
                float[] after = e.value(w).toArray();
                for (int i = 0; i < after.length; i += 3) {
                    assertEquals(0f, after[i], 0f, "pruned weight " + i + " stays zero");
                }
                assertTrue(after[1] != weights[1], "unmasked weights still train");
            }
        }
    }

    /** Training signal: SGD on cross-entropy over a fixed batch drives the loss down. */
    @Test
    void sgdReducesTheLossOfResNet20OnAFixedBatch() {
        Graph g = TestNets.resnet20(8);
        int batch = 16;
        float[] x = TestData.uniform(batch * 784, 9);
        long[] labels = new long[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % 10;
        }
        List<String> params = new ArrayList<>();
        for (Node n : g.nodes()) {
            for (int i = 1; i < Math.min(3, n.inputs().size()); i++) {
                if (g.initializer(n.input(i)).isPresent()) {
                    params.add(n.input(i));
                }
            }
        }
        String out = g.outputs().get(0).name();
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("image", new long[] {batch, 1, 28, 28}), true);
             Optimizer opt = new Optimizer(e, new Optimizer.Sgd(0.9f),
                     List.of(new ParameterGroup("all", params, 0f, 1f)), Map.of());
             Tensor grad = cpu.allocate(batch, 10)) {
            double first = Double.NaN, last = Double.NaN;
            for (int step = 0; step < 15; step++) {
                e.run(Map.of("image", x));
                last = cpu.network().crossEntropy(e.value(out), labels, batch, 10, grad);
                if (step == 0) {
                    first = last;
                }
                e.backward(Map.of(out, grad.toArray()));
                opt.step(0.002f);
            }
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
        }
    }

    @Test
    void cosineScheduleWarmsUpThenDecaysToZero() {
        CosineSchedule s = new CosineSchedule(0.1f, 10, 110);
        assertEquals(0.01f, s.at(0), 1e-7f);
        assertEquals(0.1f, s.at(9), 1e-7f);
        assertEquals(0.1f, s.at(10), 1e-7f);
        assertEquals(0.05f, s.at(60), 1e-6f);
        assertEquals(0f, s.at(110), 1e-7f);
    }
}
