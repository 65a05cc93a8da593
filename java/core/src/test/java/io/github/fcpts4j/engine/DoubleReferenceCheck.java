package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.testing.ReferenceInterpreter;
import io.github.fcpts4j.testing.TestData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The check {@link DoubleFiniteDifferenceTest} and {@link RealOpsDoubleFiniteDifferenceTest} share: our float
 * forward against the double reference interpreter (1e-4 + 1e-4 |ref|), and sampled entries of our backward
 * (the input and up to {@code tensors} weight tensors) against central finite differences of the reference in
 * double (step {@value #STEP}; |ours - fd| <= 1e-4 + 2e-3 |fd|; the reasons are in those tests' headers).
 */
final class DoubleReferenceCheck {
    private DoubleReferenceCheck() {
    }

    static final double STEP = 1e-5;
    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double probe(double[] y, float[] r) {
        double l = 0;
        for (int i = 0; i < y.length; i++) {
            l += r[i] * y[i];
        }
        return l;
    }

    static Set<String> trainable(Graph g) {
        Set<String> out = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            for (int i = 1; i < n.inputs().size(); i++) {
                boolean stats = n.op() == OpType.BATCH_NORMALIZATION && i >= 3;
                // constant parameters, not weights: Clip bounds, Resize roi / scales, Pad value, Pow exponent
                boolean bounds = n.op() == OpType.CLIP || n.op() == OpType.RESIZE || n.op() == OpType.PAD
                        || n.op() == OpType.POW;
                if (!stats && !bounds && g.initializer(n.input(i)).map(TensorData::isFloat).orElse(false)) {
                    out.add(n.input(i));
                }
            }
        }
        return out;
    }

    static void check(Backend cpu, Graph g, long[] shape, int tensors, int entries, long seed) {
        String input = g.inputs().get(0).name(), output = g.outputs().get(0).name();
        float[] x = TestData.uniform((int) io.github.fcpts4j.backend.Tensor.elementCount(shape), seed);
        ReferenceInterpreter ref = new ReferenceInterpreter(g, Map.of(input, shape));
        double[] expected = ref.run(Map.of(input, toDouble(x)), Map.of());
        List<String> failures = new ArrayList<>();
        Map<String, float[]> grads = new HashMap<>();
        float[] r;
        List<String> params = new ArrayList<>(trainable(g));
        SplittableRandom pick = new SplittableRandom(seed + 1);
        while (params.size() > tensors) {
            params.remove(pick.nextInt(params.size()));
        }
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of(input, shape), true)) {
            float[] y = e.run(Map.of(input, x)).get(output);
            for (int i = 0; i < y.length; i++) {
                if (Math.abs(y[i] - expected[i]) > 1e-4 + 1e-4 * Math.abs(expected[i])) {
                    failures.add("forward[" + i + "]: ours " + y[i] + ", reference " + expected[i]);
                }
            }
            r = TestData.uniform(y.length, seed + 2);
            e.backward(Map.of(output, r));
            grads.put(input, e.gradient(input));
            for (String p : params) {
                grads.put(p, e.gradient(p));
            }
        }
        for (var entry : grads.entrySet()) {
            String name = entry.getKey();
            boolean isInput = name.equals(input);
            double[] base = isInput ? toDouble(x) : toDouble(g.initializer(name).orElseThrow().floats());
            for (int t = 0; t < entries; t++) {
                int i = pick.nextInt(base.length);
                double[] plus = base.clone(), minus = base.clone();
                plus[i] += STEP;
                minus[i] -= STEP;
                double lp = probe(isInput ? ref.run(Map.of(input, plus), Map.of())
                        : ref.run(Map.of(input, toDouble(x)), Map.of(name, plus)), r);
                double lm = probe(isInput ? ref.run(Map.of(input, minus), Map.of())
                        : ref.run(Map.of(input, toDouble(x)), Map.of(name, minus)), r);
                double fd = (lp - lm) / (2 * STEP), ours = entry.getValue()[i];
                if (Math.abs(ours - fd) > 1e-4 + 2e-3 * Math.abs(fd)) {
                    failures.add(name + "[" + i + "]: backward " + ours + ", double finite difference " + fd);
                }
            }
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " mismatches: " + failures);
    }
}
