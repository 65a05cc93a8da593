package io.github.fcpts4j.engine;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lifetime buffer planner: one tensor per node output (every output of a node with several). Without gradients, buffers are reused: a value's
 * buffer returns to a pool (keyed by element count) right after the last step that reads it, and a later
 * output of the same size takes it; a node never receives the buffer of one of its own inputs, and graph
 * outputs and observed values are never recycled. With gradients every activation is kept for the backward
 * pass. A node inside a layer override's chain (not its last) gets no buffer.
 */
final class BufferPlanner {
    private BufferPlanner() {
    }

    /**
     * Allocates the node outputs' buffers in {@code scope} and puts them into {@code values}.
     *
     * @return the activation tensors (a reused buffer appears once per value it holds)
     */
    static List<Tensor> plan(Graph graph, Map<String, long[]> shapes, Map<String, LayerOverride> coveredBy,
                             Set<String> observed, boolean gradients, Backend backend, TensorScope scope,
                             Map<String, Tensor> values) {
        List<Node> nodes = graph.nodes();
        int[] runsAt = LayerOverrideChecks.runsAt(graph, coveredBy);
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                lastUse.merge(in, runsAt[i], Math::max);
            }
        }
        graph.outputs().forEach(o -> lastUse.put(o.name(), Integer.MAX_VALUE));
        observed.forEach(v -> lastUse.put(v, Integer.MAX_VALUE));
        Set<String> activations = new HashSet<>();
        nodes.forEach(n -> activations.addAll(n.outputs()));
        Map<Integer, List<String>> readAt = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            readAt.computeIfAbsent(runsAt[i], k -> new ArrayList<>()).addAll(nodes.get(i).inputs());
        }
        List<Tensor> activationTensors = new ArrayList<>();
        Map<Long, ArrayDeque<Tensor>> pool = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            LayerOverride o = coveredBy.get(node.name());
            if (o != null && !LayerOverrideChecks.isLast(o, node)) {
                continue;  // computed inside its chain: no buffer
            }
            for (String output : node.outputs()) {
                long[] shape = output.isEmpty() ? null : shapes.get(output);
                if (shape == null) {
                    continue;  // an omitted optional output
                }
                ArrayDeque<Tensor> free = gradients ? null : pool.get(Tensor.elementCount(shape));
                Tensor out = free == null || free.isEmpty() ? scope.allocate(backend, shape) : free.pop();
                values.put(output, out);
                activationTensors.add(out);
            }
            if (gradients) {
                continue;
            }
            for (String in : new LinkedHashSet<>(readAt.getOrDefault(i, List.of()))) {
                if (activations.contains(in) && values.containsKey(in) && lastUse.getOrDefault(in, -1) == i) {
                    pool.computeIfAbsent(Tensor.elementCount(shapes.get(in)), k -> new ArrayDeque<>())
                            .push(values.get(in));
                }
            }
        }
        return activationTensors;
    }
}
