package io.github.fcpts4j.engine;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that layer overrides can replace their chains ({@link LayerOverride}'s contract) and says where
 * each node runs: a chain's nodes all run at the position of its last node.
 */
final class LayerOverrideChecks {
    private LayerOverrideChecks() {
    }

    /**
     * @return node name -> the override whose chain covers it
     * @throws IllegalArgumentException naming the override and the rule it breaks
     */
    static Map<String, LayerOverride> coverage(Graph graph, Map<String, long[]> shapes, Set<String> observed,
                                               List<LayerOverride> overrides) {
        Map<String, Integer> position = positions(graph);
        Map<String, LayerOverride> coveredBy = new HashMap<>();
        for (LayerOverride o : overrides) {
            check(graph, shapes, observed, o, position, coveredBy);
        }
        return coveredBy;
    }

    /** The step at which each node (by index) runs: its own index, or its covering chain's last node's. */
    static int[] runsAt(Graph graph, Map<String, LayerOverride> coveredBy) {
        List<Node> nodes = graph.nodes();
        Map<String, Integer> position = positions(graph);
        int[] runsAt = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            LayerOverride o = coveredBy.get(nodes.get(i).name());
            runsAt[i] = o == null ? i : position.get(o.nodes().get(o.nodes().size() - 1));
            if (o != null && runsAt[i] < i) {
                throw new IllegalArgumentException("layer override of '" + o.nodes().get(0)
                        + "': its nodes are not listed in graph order");
            }
        }
        return runsAt;
    }

    /** Whether {@code n} is the last node of {@code o}'s chain (where the override runs). */
    static boolean isLast(LayerOverride o, Node n) {
        return o.nodes().get(o.nodes().size() - 1).equals(n.name());
    }

    private static Map<String, Integer> positions(Graph graph) {
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < graph.nodes().size(); i++) {
            position.put(graph.nodes().get(i).name(), i);
        }
        return position;
    }

    private static void check(Graph graph, Map<String, long[]> shapes, Set<String> observed, LayerOverride o,
                              Map<String, Integer> position, Map<String, LayerOverride> coveredBy) {
        List<String> chain = o.nodes();
        if (chain.isEmpty() || o.inputs().isEmpty()) {
            throw new IllegalArgumentException("a layer override needs at least one node and one input");
        }
        Set<String> internal = new HashSet<>();
        for (int i = 0; i < chain.size(); i++) {
            Integer at = position.get(chain.get(i));
            if (at == null) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has no node '" + chain.get(i)
                        + "' to override");
            }
            Node n = graph.nodes().get(at);
            if (coveredBy.put(n.name(), o) != null) {
                throw new IllegalArgumentException("node '" + n.name() + "' is covered by two layer overrides");
            }
            if (i < chain.size() - 1) {
                internal.add(n.output());
            }
        }
        for (String v : internal) {
            boolean readOutside = graph.nodes().stream().anyMatch(n -> n.inputs().contains(v)
                    && !chain.contains(n.name()));
            boolean exposed = observed.contains(v) || graph.outputs().stream().anyMatch(x -> x.name().equals(v));
            if (readOutside || exposed || o.inputs().contains(v)) {
                throw new IllegalArgumentException("layer override of '" + chain.get(0) + "': intermediate value '"
                        + v + "' is read outside its chain");
            }
        }
        int runsAt = position.get(chain.get(chain.size() - 1));
        for (String in : o.inputs()) {
            if (!shapes.containsKey(in)) {
                throw new IllegalArgumentException("layer override of '" + chain.get(0) + "' reads unknown value '"
                        + in + "'");
            }
            int producedAt = graph.producer(in).map(p -> position.get(p.name())).orElse(-1);
            if (producedAt >= runsAt) {
                throw new IllegalArgumentException("layer override of '" + chain.get(0) + "' reads '" + in
                        + "', which is computed only after its chain");
            }
        }
    }
}
