package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.testing.TestNets;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.CpuTest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Backward against central finite differences of the forward pass, for every
 * op (the all-ops graph) and for a whole ResNet-20. The probe loss is
 * L = sum_i r_i y_i with fixed random r, evaluated in double from the float
 * outputs; dL/dy = r is fed to backward.
 *
 * <p>Tolerance |fd - analytic| <= 2e-3 + 3e-2 |analytic|: the forward runs in
 * float, so L carries rounding of about 1e-7 |L| per evaluation, which the
 * central difference divides by 2 eps = 2e-3: ~1e-4 absolute; the O(eps^2)
 * truncation of smooth ops (sigmoid, softmax, division) stays below 1e-2
 * relative at eps = 1e-3. A wrong backward (missing factor, transposed
 * operand, dropped broadcast sum) is off by O(1) relative and fails. The
 * entries checked are drawn away from the kinks of ReLU / ReLU6 / max-pool /
 * hard-sigmoid by the fixed seeds (a crossing would show as a single outlier).
 */
class GradientCheckTest extends CpuTest {
    private static final float EPS = 1e-3f;

    private static double probeLoss(float[] y, float[] r) {
        double l = 0;
        for (int i = 0; i < y.length; i++) {
            l += (double) r[i] * y[i];
        }
        return l;
    }

    private boolean training;

    private double loss(Graph g, long[] shape, float[] x, float[] r) {
        String input = g.inputs().get(0).name();
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of(input, shape), training)) {
            e.setTraining(training);
            return probeLoss(e.run(Map.of(input, x)).get(g.outputs().get(0).name()), r);
        }
    }

    private static Graph withWeight(Graph g, String name, float[] data) {
        return g.withInitializer(name, TensorData.ofFloats(g.initializer(name).orElseThrow().dims(), data));
    }

    /** Checks d L / d input and d L / d every trainable parameter at a few entries each. */
    private void check(Graph g, long[] shape, int entriesPerTensor, long seed) {
        String input = g.inputs().get(0).name(), output = g.outputs().get(0).name();
        float[] x = TestData.uniform((int) io.github.fcpts4j.backend.Tensor.elementCount(shape), seed, 1.0);
        Map<String, float[]> analytic = new java.util.HashMap<>();
        float[] r;
        Set<String> params = trainable(g);
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of(input, shape), true)) {
            e.setTraining(training);
            float[] y = e.run(Map.of(input, x)).get(output);
            r = TestData.uniform(y.length, seed + 1, 1.0);
            e.backward(Map.of(output, r));
            analytic.put(input, e.gradient(input));
            for (String p : params) {
                analytic.put(p, e.gradient(p));
            }
        }
        SplittableRandom pick = new SplittableRandom(seed + 2);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (var entry : analytic.entrySet()) {
            String name = entry.getKey();
            float[] grad = entry.getValue();
            for (int t = 0; t < Math.min(entriesPerTensor, grad.length); t++) {
                int i = pick.nextInt(grad.length);
                double fd;
                if (name.equals(input)) {
                    float[] plus = x.clone(), minus = x.clone();
                    plus[i] += EPS;
                    minus[i] -= EPS;
                    fd = (loss(g, shape, plus, r) - loss(g, shape, minus, r)) / (plus[i] - minus[i]);
                } else {
                    float[] w = g.initializer(name).orElseThrow().floats();
                    float[] plus = w.clone(), minus = w.clone();
                    plus[i] += EPS;
                    minus[i] -= EPS;
                    fd = (loss(withWeight(g, name, plus), shape, x, r) - loss(withWeight(g, name, minus), shape, x, r))
                            / (plus[i] - minus[i]);
                }
                checked++;
                if (Math.abs(fd - grad[i]) > 2e-3 + 3e-2 * Math.abs(grad[i])) {
                    failures.add(name + "[" + i + "]: backward " + grad[i] + ", finite difference " + fd);
                }
            }
        }
        int total = checked;
        assertTrue(failures.isEmpty(), () -> failures.size() + " of " + total + " gradient entries off: " + failures);
    }

    /** Float initializers that receive gradients: every node input except BN statistics, clip bounds, shapes. */
    private static Set<String> trainable(Graph g) {
        Set<String> out = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                String in = n.input(i);
                boolean stats = n.op() == OpType.BATCH_NORMALIZATION && i >= 3;
                boolean bounds = n.op() == OpType.CLIP && i >= 1;
                boolean floatConstant = g.initializer(in).map(TensorData::isFloat).orElse(false);
                if (floatConstant && !stats && !bounds) {
                    out.add(in);
                }
            }
        }
        return out;
    }

    @Test
    void everyOpMatchesFiniteDifferences() {
        check(TestNets.allOpsNet(31), new long[] {2, 3, 17, 17}, 3, 41);
    }

    /**
     * The whole network at once (residual sums, strided 1x1 projections, BN,
     * pooling, classifier). With ReLU, a weight of an early layer moves
     * thousands of activations, some across the kink at 0 within +-eps, so the
     * finite difference itself is wrong; the network therefore uses Sigmoid,
     * and ReLU's backward is covered by the all-ops check above.
     */
    /** Training-mode BatchNorm (batch statistics) back-propagates through the statistics too. */
    @Test
    void trainingModeBatchNormMatchesFiniteDifferences() {
        training = true;
        check(TestNets.resnet20(33, OpType.SIGMOID), new long[] {3, 1, 28, 28}, 2, 43);
    }

    @Test
    void wholeSmoothResNet20MatchesFiniteDifferences() {
        check(TestNets.resnet20(32, OpType.SIGMOID), new long[] {2, 1, 28, 28}, 2, 42);
    }
}
