package io.github.fcpts4j.engine;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Lets a graph whose input fixes its batch at 1 (tf2onnx and paddle2onnx exports such as M-LSD and BlazeFace:
 * input [1, H, W, C], Reshape targets such as [1, 512, 16] and constants such as BlazeFace's [1, 4, 64, 64]
 * channel padding that bake the 1 in) run the calibration batches of pruning, of B samples. The input is
 * declared [B, ...]; every Reshape whose data carries the batch (B times the elements it has at batch 1) and
 * whose constant target starts with 1 gets its own copy of the target starting with B, and so does every
 * Resize's constant {@code sizes} (M-LSD's upsampling: sizes [1, 64, 40, 40]); every Concat (not on
 * axis 0) of a value that carries the batch with a constant of batch 1 gets its own copy of the constant
 * repeated B times. The original tensors stay as they were, and {@link #restore} puts the trained weights
 * back into the user's structure, so the export keeps the file's fixed batch.
 * <p>
 * {@link #relax} checks the rewrite on the backend first: the graph rewritten for batch 2 must give, sample
 * by sample, the outputs of the original at batch 1 (|a - b| &lt;= 1e-4 + 1e-4 |b|). A graph that bakes the batch
 * in anywhere else fails the shape pass or the check, and is refused with an error that names the node or
 * output and says to prune with {@code --batch 1}.
 */
public final class BatchRelaxation {
    private BatchRelaxation() {
    }

    /** The fixed batch the graph's first input declares, or -1 where it is symbolic. */
    public static long fixedBatch(Graph graph) {
        long[] s = graph.inputs().get(0).shape();
        return s.length > 0 ? s[0] : -1;
    }

    /**
     * {@code graph} rewritten to run batches of {@code batch}, checked on {@code backend}; {@code graph}
     * itself when its batch is not fixed at 1.
     *
     * @param sample the input shape at batch 1, e.g. [1, 128, 128, 3]
     * @throws FcptsException INVALID_MODEL when the batch cannot be freed
     */
    public static Graph relax(Graph graph, long[] sample, int batch, Backend backend) {
        if (fixedBatch(graph) != 1 || batch == 1) {
            return graph;
        }
        if (graph.inputs().size() != 1) {
            throw refused(graph, "it has " + graph.inputs().size() + " inputs");
        }
        check(graph, rewrite(graph, sample, 2), sample, backend);
        return rewrite(graph, sample, batch);
    }

    /** The rewrite alone (no numeric check) for batches of {@code batch}. */
    static Graph rewrite(Graph graph, long[] sample, int batch) {
        String input = graph.inputs().get(0).name();
        long[] batched = sample.clone();
        batched[0] = batch;
        Map<String, long[]> one = ShapeInference.infer(graph, Map.of(input, sample));
        Map<String, long[]> shapes = new HashMap<>();
        shapes.put(input, batched);
        Map<String, TensorData> constants = new LinkedHashMap<>(graph.initializers());
        constants.forEach((name, data) -> shapes.putIfAbsent(name, data.dims()));
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            List<String> inputs = new ArrayList<>(n.inputs());
            if (n.op() == OpType.RESHAPE && constants.containsKey(n.input(1))
                    && carriesBatch(n.input(0), one, shapes, batch)) {
                TensorData t = constants.get(n.input(1));
                long[] target = t.longs();
                if (target.length > 0 && target[0] == 1) {
                    target[0] = batch;
                    inputs.set(1, add(constants, shapes, n.input(1), TensorData.ofLongs(t.type(), t.dims(), target)));
                }
            }
            if (n.op() == OpType.RESIZE && n.inputs().size() > 3 && constants.containsKey(n.input(3))
                    && carriesBatch(n.input(0), one, shapes, batch)) {
                TensorData t = constants.get(n.input(3));
                long[] sizes = t.longs();
                if (sizes.length > 0 && sizes[0] == 1) {
                    sizes[0] = batch;
                    inputs.set(3, add(constants, shapes, n.input(3), TensorData.ofLongs(t.type(), t.dims(), sizes)));
                }
            }
            if (n.op() == OpType.CONCAT && n.attributes().getInt("axis", 0) != 0
                    && n.inputs().stream().anyMatch(v -> !constants.containsKey(v) && carriesBatch(v, one, shapes,
                    batch))) {
                for (int i = 0; i < inputs.size(); i++) {
                    TensorData c = constants.get(inputs.get(i));
                    if (c != null && c.isFloat() && c.rank() > 0 && c.dims()[0] == 1) {
                        inputs.set(i, add(constants, shapes, inputs.get(i), repeated(c, batch)));
                    }
                }
            }
            Node m = inputs.equals(n.inputs()) ? n : new Node(n.name(), n.op(), inputs, n.outputs(), n.attributes());
            try {
                ShapeInference.putOutputShapes(m, constants, shapes);
            } catch (FcptsException e) {
                throw refused(graph, "node " + n.describe() + " does not take batch " + batch + " ("
                        + e.getMessage() + ")");
            }
            nodes.add(m);
        }
        for (ValueInfo o : graph.outputs()) {
            long[] a = one.get(o.name()), b = shapes.get(o.name());
            if (a == null || b == null || a.length == 0 || b.length != a.length || b[0] != batch * a[0]) {
                throw refused(graph, "output '" + o.name() + "' is " + Arrays.toString(b) + " at batch " + batch
                        + " and " + Arrays.toString(a) + " at batch 1");
            }
        }
        List<ValueInfo> declared = new ArrayList<>(graph.inputs());
        declared.set(0, new ValueInfo(input, declared.get(0).type(), batched));
        return new Graph(graph.name(), declared, graph.outputs(), nodes, constants);
    }

    /** Adds {@code data} under a new name derived from {@code base}; returns the name. */
    private static String add(Map<String, TensorData> constants, Map<String, long[]> shapes, String base,
                              TensorData data) {
        String name = base + "__batch" + data.dims()[0];
        for (int i = 1; constants.containsKey(name); i++) {
            name = base + "__batch" + data.dims()[0] + "_" + i;
        }
        constants.put(name, data);
        shapes.put(name, data.dims());
        return name;
    }

    /** {@code c} ([1, ...]) repeated {@code batch} times along axis 0. */
    private static TensorData repeated(TensorData c, int batch) {
        float[] v = c.floats(), out = new float[Math.multiplyExact(v.length, batch)];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(v, 0, out, b * v.length, v.length);
        }
        long[] dims = c.dims();
        dims[0] = batch;
        return TensorData.ofFloats(dims, out);
    }

    /** Whether value {@code v} has {@code batch} times the elements in {@code shapes} as at batch 1 ({@code one}). */
    private static boolean carriesBatch(String v, Map<String, long[]> one, Map<String, long[]> shapes, int batch) {
        long[] a = one.get(v), b = shapes.get(v);
        return a != null && b != null && TensorData.size(b) == batch * TensorData.size(a);
    }

    /**
     * {@code original} with the values of {@code trained} for each of its initializers: the weights a run on the
     * relaxed graph learned, in the structure (fixed batch, original Reshape targets) of the user's graph.
     */
    public static Graph restore(Graph original, Graph trained) {
        Map<String, TensorData> values = new LinkedHashMap<>(original.initializers());
        values.replaceAll((name, data) -> trained.initializer(name).orElse(data));
        return new Graph(original.name(), original.inputs(), original.outputs(), original.nodes(), values);
    }

    /** The relaxed graph at batch 2 against the original at batch 1, sample by sample, in inference mode. */
    private static void check(Graph original, Graph relaxed, long[] sample, Backend backend) {
        String input = original.inputs().get(0).name();
        int size = Math.toIntExact(TensorData.size(sample));
        float[] x = new float[2 * size];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        long[] two = sample.clone();
        two[0] = 2;
        try (NetworkExecutor a = NetworkExecutor.compile(original, backend, Map.of(input, sample));
             NetworkExecutor b = NetworkExecutor.compile(relaxed, backend, Map.of(input, two))) {
            Map<String, float[]> both = b.run(Map.of(input, x));
            for (int s = 0; s < 2; s++) {
                Map<String, float[]> single = a.run(Map.of(input, Arrays.copyOfRange(x, s * size, (s + 1) * size)));
                for (ValueInfo o : original.outputs()) {
                    float[] ref = single.get(o.name()), got = both.get(o.name());
                    int n = ref.length;
                    for (int k = 0; k < n; k++) {
                        float r = ref[k], g = got[s * n + k];
                        if (!(Math.abs(g - r) <= 1e-4 + 1e-4 * Math.abs(r))) {
                            throw refused(original, "output '" + o.name() + "' of sample " + s + " at batch 2 is " + g
                                    + " at element " + k + ", " + r + " at batch 1");
                        }
                    }
                }
            }
        }
    }

    private static FcptsException refused(Graph g, String why) {
        return new FcptsException(ErrorCode.INVALID_MODEL, "graph '" + g.name() + "' fixes its input batch at 1 and "
                + "the batch cannot be freed for calibration batches: " + why + "; prune it with --batch 1 "
                + "(FcptsConfig batch(1))");
    }
}
