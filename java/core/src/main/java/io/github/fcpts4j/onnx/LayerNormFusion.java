package io.github.fcpts4j.onnx;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the decomposed layer normalization that exporters write before opset 17 into one
 * LayerNormalization node:
 * <pre>
 *   m = ReduceMean(x, axes), d = Sub(x, m), v = ReduceMean(Pow(d, 2), axes), y = Div(d, Sqrt(Add(v, eps)))
 *   [then Mul(y, gamma)] [then Add(., beta)]          (gamma, beta constants of the normalized size)
 * </pre>
 * with axes a suffix of x's axes (both ReduceMeans alike, keepdims 1). Without the Mul, gamma is ones.
 * Every intermediate value must be read only inside the pattern (d by the Pow and the Div) and not be a
 * graph output, so the rewrite never changes what the graph computes (up to float rounding: the fused op
 * accumulates in double). {@code constants} receives the made-up ones.
 */
final class LayerNormFusion {
    private final List<Node> nodes;
    private final Map<String, TensorData> constants;
    private final Map<String, long[]> shapes;
    private final Set<String> graphOutputs;
    private final Map<String, Node> producer = new HashMap<>();
    private final Map<String, List<Node>> readers = new HashMap<>();

    private LayerNormFusion(List<Node> nodes, Map<String, TensorData> constants, Map<String, long[]> shapes,
                            Set<String> graphOutputs) {
        this.nodes = nodes;
        this.constants = constants;
        this.shapes = shapes;
        this.graphOutputs = graphOutputs;
        for (Node n : nodes) {
            n.outputs().forEach(o -> producer.put(o, n));
            n.inputs().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
        }
    }

    /**
     * @param shapes     value shapes where known (needed for positive axes only)
     * @param newWeights receives the gamma of ones made for patterns without a Mul
     */
    static List<Node> apply(List<Node> nodes, Map<String, TensorData> constants, Map<String, long[]> shapes,
                            Set<String> graphOutputs, Map<String, TensorData> newWeights) {
        LayerNormFusion f = new LayerNormFusion(nodes, constants, shapes, graphOutputs);
        return f.run(newWeights);
    }

    private record Match(List<Node> chain, Node last, String x, String gamma, String beta, int normalizedAxes,
                         float epsilon) {
    }

    private List<Node> run(Map<String, TensorData> newWeights) {
        Set<Node> removed = new HashSet<>();
        Map<Node, Node> replaced = new HashMap<>();
        for (Node n : nodes) {
            Match m = n.op() == OpType.REDUCE_MEAN ? match(n) : null;
            if (m == null || m.chain().stream().anyMatch(removed::contains)) {
                continue;
            }
            String gamma = m.gamma();
            if (gamma == null) {
                gamma = m.last().name() + "__scale";
                long cols = normalizedSize(m);
                float[] ones = new float[(int) cols];
                Arrays.fill(ones, 1f);
                TensorData t = TensorData.ofFloats(new long[] {cols}, ones);
                newWeights.put(gamma, t);
                constants.put(gamma, t);
            }
            List<String> ins = m.beta() == null ? List.of(m.x(), gamma) : List.of(m.x(), gamma, m.beta());
            removed.addAll(m.chain());
            replaced.put(m.last(), new Node(m.last().name(), OpType.LAYER_NORMALIZATION, ins, m.last().outputs(),
                    Attributes.of("axis", (long) -m.normalizedAxes(), "epsilon", m.epsilon())));
        }
        return NodeSplice.apply(nodes, removed, replaced);
    }

    private long normalizedSize(Match m) {
        long[] s = shapes.get(m.x());
        long cols = 1;
        for (int i = s.length - m.normalizedAxes(); i < s.length; i++) {
            cols *= s[i];
        }
        return cols;
    }

    /** The pattern starting at {@code mean} = ReduceMean(x), or null. */
    private Match match(Node mean) {
        String x = mean.input(0);
        int suffix = suffixAxes(mean, x);
        if (suffix < 0) {
            return null;
        }
        Node sub = soleReader(mean.output());
        if (sub == null || sub.op() != OpType.SUB || !sub.input(0).equals(x) || !sub.input(1).equals(mean.output())) {
            return null;
        }
        List<Node> dReaders = readers.getOrDefault(sub.output(), List.of());
        if (dReaders.size() != 2 || graphOutputs.contains(sub.output())) {
            return null;
        }
        Node pow = dReaders.stream().filter(r -> r.op() == OpType.POW).findFirst().orElse(null);
        Node div = dReaders.stream().filter(r -> r.op() == OpType.DIV).findFirst().orElse(null);
        if (pow == null || div == null || !pow.input(0).equals(sub.output()) || !scalar(pow.input(1), 2f)
                || !div.input(0).equals(sub.output())) {
            return null;
        }
        Node var = soleReader(pow.output());
        if (var == null || var.op() != OpType.REDUCE_MEAN || suffixAxes(var, pow.output()) != suffix) {
            return null;
        }
        Node add = soleReader(var.output());
        if (add == null || add.op() != OpType.ADD || !add.input(0).equals(var.output()) || !isScalar(add.input(1))) {
            return null;
        }
        Node sqrt = soleReader(add.output());
        if (sqrt == null || sqrt.op() != OpType.SQRT || soleReader(sqrt.output()) != div
                || !div.input(1).equals(sqrt.output())) {
            return null;
        }
        float eps = (float) constants.get(add.input(1)).get(0);
        List<Node> chain = new ArrayList<>(List.of(mean, sub, pow, var, add, sqrt, div));
        Node last = div;
        String gamma = null, beta = null;
        Node mul = soleReader(div.output());
        if (mul != null && mul.op() == OpType.MUL && mul.input(0).equals(div.output()) && isVector(mul.input(1))) {
            gamma = mul.input(1);
            chain.add(mul);
            last = mul;
            Node bias = soleReader(mul.output());
            if (bias != null && bias.op() == OpType.ADD && bias.input(0).equals(mul.output()) && isVector(bias.input(1))) {
                beta = bias.input(1);
                chain.add(bias);
                last = bias;
            }
        }
        if (gamma == null && !shapes.containsKey(x)) {
            return null;  // no shape to size the ones of gamma
        }
        return new Match(chain, last, x, gamma, beta, suffix, eps);
    }

    /** How many trailing axes {@code reduce} averages over (keepdims 1, a suffix of its input), or -1. */
    private int suffixAxes(Node reduce, String input) {
        long[] axes = reduce.attributes().getInts("axes", null);
        if (axes == null || axes.length == 0 || reduce.attributes().getInt("keepdims", 1) != 1
                || reduce.inputs().size() > 1 && !reduce.input(1).isEmpty()) {
            return -1;
        }
        long[] s = shapes.get(input);
        long[] sorted = axes.clone();
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] >= 0) {
                if (s == null) {
                    return -1;
                }
                sorted[i] -= s.length;
            }
        }
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] != -(sorted.length - i)) {
                return -1;
            }
        }
        return sorted.length;
    }

    /** The one node reading {@code value}, if it is read once and is not a graph output. */
    private Node soleReader(String value) {
        List<Node> r = readers.getOrDefault(value, List.of());
        return r.size() == 1 && !graphOutputs.contains(value) ? r.get(0) : null;
    }

    private boolean isScalar(String value) {
        TensorData c = constants.get(value);
        return c != null && c.isFloat() && c.size() == 1;
    }

    private boolean isVector(String value) {
        TensorData c = constants.get(value);
        return c != null && c.isFloat() && c.rank() <= 1;
    }

    private boolean scalar(String value, float expected) {
        return isScalar(value) && constants.get(value).get(0) == expected;
    }
}
