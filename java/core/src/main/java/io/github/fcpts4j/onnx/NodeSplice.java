package io.github.fcpts4j.onnx;

import io.github.fcpts4j.ir.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The last step of an import-time fusion: the node list in its order with each matched pattern's last node
 * replaced by the fused node and the pattern's other nodes dropped (the fused node keeps the last node's
 * position, so everything it reads is computed before it).
 */
final class NodeSplice {
    private NodeSplice() {
    }

    static List<Node> apply(List<Node> nodes, Set<Node> removed, Map<Node, Node> replaced) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (replaced.containsKey(n)) {
                out.add(replaced.get(n));
            } else if (!removed.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }
}
