package io.github.fcpts4j.sparse;

import io.github.fcpts4j.sparsity.CostCurve;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the sparse runtime's latency of one model falls as its layers lose weights, measured once for one input
 * shape on one machine ({@link LatencyProfiler}): the whole network's dense time, and for every layer the
 * sparse runtime can run sparse its time inside the all-dense network and inside the all-sparse network at each
 * measured sparsity. A layer's latency at sparsity s is what a {@link SparsePlan} would give it, the faster of
 * the two paths; its saving v(s) = dense - min(dense, sparse at s), made non-decreasing in s (the running best
 * over the measured levels: a kernel with fewer non-zeros is never slower than with more, apart from noise),
 * 0 below the first level (where a plan never tries the sparse path) and piecewise linear between the levels
 * ({@link CostCurve}). Layers the runtime cannot run sparse save nothing.
 * The model's predicted latency is dense - sum_l v_l(s_l).
 *
 * @param modelSha256 the digest of the model it was measured on ({@link GraphDigest})
 * @param inputShapes the shape of every input
 * @param machine     what it was measured on ({@link LatencyTables#machine})
 * @param denseMs     the whole network's dense time, every step included
 * @param levels      the measured sparsities, rising, in (0, 1)
 * @param layers      one row per layer that has a sparse path
 */
public record LatencyTable(String modelSha256, Map<String, long[]> inputShapes, String machine, double denseMs,
                           double[] levels, List<Layer> layers) {

    /**
     * One layer: its node, its time in the all-dense network and in the all-sparse network at each level.
     */
    public record Layer(String node, double denseMs, double[] sparseMs) {
        public Layer {
            sparseMs = sparseMs.clone();
            if (!(denseMs > 0) || !Double.isFinite(denseMs)) {
                throw new IllegalArgumentException("layer '" + node + "': dense time must be finite and > 0, got "
                        + denseMs);
            }
            for (double t : sparseMs) {
                if (!Double.isNaN(t) && !(t >= 0 && Double.isFinite(t))) {
                    throw new IllegalArgumentException("layer '" + node + "': sparse times must be NaN (none) or "
                            + "finite and >= 0, got " + Arrays.toString(sparseMs));
                }
            }
        }

        @Override
        public double[] sparseMs() {
            return sparseMs.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layer l && l.node.equals(node) && l.denseMs == denseMs
                    && Arrays.equals(l.sparseMs, sparseMs);
        }

        @Override
        public int hashCode() {
            return node.hashCode() * 31 + Arrays.hashCode(sparseMs);
        }
    }

    public LatencyTable {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        inputShapes.forEach((k, v) -> shapes.put(k, v.clone()));
        inputShapes = java.util.Collections.unmodifiableMap(shapes);
        levels = levels.clone();
        layers = List.copyOf(layers);
        if (levels.length == 0 || !(levels[0] > 1e-6)) {
            throw new IllegalArgumentException("a latency table needs at least one measured level above 0, got "
                    + Arrays.toString(levels));
        }
        if (!(denseMs > 0) || !Double.isFinite(denseMs)) {
            throw new IllegalArgumentException("the network's dense time must be finite and > 0, got " + denseMs);
        }
        for (int i = 0; i < levels.length; i++) {
            if (!(levels[i] > (i == 0 ? 0 : levels[i - 1])) || !(levels[i] < 1)) {
                throw new IllegalArgumentException("latency levels must rise in (0, 1), got "
                        + Arrays.toString(levels));
            }
        }
        for (Layer l : layers) {
            if (l.sparseMs.length != levels.length) {
                throw new IllegalArgumentException("layer '" + l.node + "': " + l.sparseMs.length + " times for "
                        + levels.length + " levels");
            }
        }
    }

    /** Whether this table was measured for this model, these input shapes and this machine. */
    public boolean fits(String sha256, Map<String, long[]> shapes, String machineKey) {
        if (!modelSha256.equals(sha256) || !machine.equals(machineKey) || shapes.size() != inputShapes.size()) {
            return false;
        }
        return shapes.entrySet().stream().allMatch(e -> inputShapes.containsKey(e.getKey())
                && Arrays.equals(inputShapes.get(e.getKey()), e.getValue()));
    }

    /** The saving curve of {@code node} in milliseconds; a layer without a sparse path saves nothing. */
    public CostCurve curve(String node) {
        // (0, 0), (s_1 - 1e-9, 0): below the first level the plan does not try the sparse path
        double[] s = new double[levels.length + 2];
        double[] v = new double[levels.length + 2];
        s[1] = levels[0] - 1e-9;
        Layer row = layers.stream().filter(l -> l.node.equals(node)).findFirst().orElse(null);
        double best = row == null ? 0 : row.denseMs;
        for (int i = 0; i < levels.length; i++) {
            s[i + 2] = levels[i];
            if (row != null && Double.isFinite(row.sparseMs[i])) {
                best = Math.min(best, row.sparseMs[i]);
            }
            v[i + 2] = row == null ? 0 : Math.max(0, row.denseMs - best);
        }
        return new CostCurve(s, v);
    }

    /** The predicted whole-network time with these per-layer sparsities (by node; absent nodes dense). */
    public double predictedMs(Map<String, Double> sparsityByNode) {
        double saved = 0;
        for (Map.Entry<String, Double> e : sparsityByNode.entrySet()) {
            saved += curve(e.getKey()).at(e.getValue());
        }
        return denseMs - saved;
    }

    @Override
    public Map<String, long[]> inputShapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        inputShapes.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    @Override
    public double[] levels() {
        return levels.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyTable t && t.modelSha256.equals(modelSha256) && t.machine.equals(machine)
                && fits(modelSha256, t.inputShapes, machine) && t.denseMs == denseMs
                && Arrays.equals(t.levels, levels) && t.layers.equals(layers);
    }

    @Override
    public int hashCode() {
        return modelSha256.hashCode() * 31 + layers.hashCode();
    }
}
