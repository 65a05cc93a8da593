package io.github.fcpts4j.onnx;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the two ways exporters spell HardSwish into one HardSwish node
 * (x * relu6(x + 3) / 6):
 * <pre>
 *   Mul(x, HardSigmoid(x; alpha = 1/6, beta = 1/2))
 *   Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)
 * </pre>
 * Intermediate values must have no other reader (and not be graph outputs),
 * so the rewrite never changes what the graph computes.
 */
final class HardSwishFusion {
    private final List<Node> nodes;
    private final Map<String, TensorData> constants;
    private final Set<String> graphOutputs;
    private final Map<String, Node> producer = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();

    private HardSwishFusion(List<Node> nodes, Map<String, TensorData> constants, Set<String> graphOutputs) {
        this.nodes = nodes;
        this.constants = constants;
        this.graphOutputs = graphOutputs;
        for (Node n : nodes) {
            n.outputs().forEach(o -> producer.put(o, n));
            n.inputs().forEach(i -> readers.merge(i, 1, Integer::sum));
        }
    }

    static List<Node> apply(List<Node> nodes, Map<String, TensorData> constants, Set<String> graphOutputs) {
        return new HardSwishFusion(nodes, constants, graphOutputs).run();
    }

    private List<Node> run() {
        Set<Node> removed = new HashSet<>();
        Map<Node, Node> replaced = new HashMap<>();
        for (Node n : nodes) {
            List<Node> chain = match(n);
            if (chain != null && chain.stream().noneMatch(removed::contains)) {
                removed.addAll(chain);
                replaced.put(n, new Node(n.name(), OpType.HARD_SWISH, List.of(input(chain)), n.outputs(),
                        Attributes.empty()));
            }
        }
        return NodeSplice.apply(nodes, removed, replaced);
    }

    /** The x of a matched chain is the first input of its last-listed node (HardSigmoid or Add). */
    private static String input(List<Node> chain) {
        return chain.get(chain.size() - 1).input(0);
    }

    /** The intermediate nodes replaced when {@code root} ends a HardSwish pattern, else null. */
    private List<Node> match(Node root) {
        if (root.op() == OpType.MUL) {
            for (int side = 0; side < 2; side++) {
                Node hs = privateProducer(root.input(1 - side));
                if (hs != null && hs.op() == OpType.HARD_SIGMOID && hs.input(0).equals(root.input(side))
                        && near(hs.attributes().getFloat("alpha", 0.2f), 1f / 6) 
                        && near(hs.attributes().getFloat("beta", 0.5f), 0.5f)) {
                    return List.of(hs);
                }
            }
        }
        if (root.op() == OpType.DIV && scalar(root.input(1), 6f)) {
            Node mul = privateProducer(root.input(0));
            if (mul == null || mul.op() != OpType.MUL) {
                return null;
            }
            for (int side = 0; side < 2; side++) {
                Node clip = privateProducer(mul.input(1 - side));
                if (clip == null || clip.op() != OpType.CLIP || !scalar(clip.input(1), 0f) || !scalar(clip.input(2), 6f)) {
                    continue;
                }
                Node add = privateProducer(clip.input(0));
                if (add != null && add.op() == OpType.ADD && add.input(0).equals(mul.input(side))
                        && scalar(add.input(1), 3f)) {
                    return List.of(mul, clip, add);
                }
            }
        }
        return null;
    }

    /** The producer of a value read by exactly one node and not a graph output. */
    private Node privateProducer(String value) {
        if (value.isEmpty() || graphOutputs.contains(value) || readers.getOrDefault(value, 0) != 1) {
            return null;
        }
        return producer.get(value);
    }

    private boolean scalar(String value, float expected) {
        TensorData c = constants.get(value);
        return c != null && c.size() == 1 && near((float) c.get(0), expected);
    }

    private static boolean near(float a, float b) {
        return Math.abs(a - b) <= 1e-6f * Math.max(1f, Math.abs(b));
    }
}
