package io.github.fcpts4j.ir;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.ops.OpDefinition;
import io.github.fcpts4j.ir.ops.Ops;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable computation graph: inputs, outputs, nodes in topological order
 * and constant initializers (weights). Construction checks the wiring: every
 * value has exactly one producer (a graph input, an initializer or a node),
 * every node input exists, every graph output is produced and there is no
 * cycle; each failure is an {@code INVALID_MODEL} error naming the node and the
 * value at fault. Changing a weight returns a new graph ({@link #withInitializer}).
 */
public final class Graph {
    private final String name;
    private final List<ValueInfo> inputs;
    private final List<ValueInfo> outputs;
    private final List<Node> nodes;
    private final Map<String, TensorData> initializers;

    public Graph(String name, List<ValueInfo> inputs, List<ValueInfo> outputs, List<Node> nodes,
                 Map<String, TensorData> initializers) {
        this.name = Objects.requireNonNull(name, "name");
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        this.nodes = List.copyOf(sorted(nodes));
    }

    private List<Node> sorted(List<Node> unsorted) {
        Map<String, String> producer = new HashMap<>();
        for (ValueInfo v : inputs) {
            define(producer, v.name(), "graph input");
        }
        for (String init : initializers.keySet()) {
            if (producer.containsKey(init)) {
                continue; // ONNX allows an initializer to give a graph input its default value
            }
            define(producer, init, "initializer");
        }
        Map<String, Node> byOutput = new HashMap<>();
        for (Node n : unsorted) {
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    define(producer, out, n.describe());
                    byOutput.put(out, n);
                }
            }
        }
        Map<Node, Integer> pending = new LinkedHashMap<>();
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : unsorted) {
            int count = 0;
            for (String in : n.inputs()) {
                if (in.isEmpty()) {
                    continue;
                }
                if (!producer.containsKey(in)) {
                    throw new FcptsException(ErrorCode.INVALID_MODEL, "graph '" + name + "': " + n.describe()
                            + " reads '" + in + "', which no graph input, initializer or node produces");
                }
                if (byOutput.containsKey(in)) {
                    count++;
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
            pending.put(n, count);
        }
        Deque<Node> ready = new ArrayDeque<>();
        pending.forEach((n, c) -> {
            if (c == 0) {
                ready.add(n);
            }
        });
        List<Node> order = new ArrayList<>(unsorted.size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            order.add(n);
            for (String out : n.outputs()) {
                for (Node c : consumers.getOrDefault(out, List.of())) {
                    if (pending.merge(c, -1, Integer::sum) == 0) {
                        ready.add(c);
                    }
                }
            }
        }
        if (order.size() != unsorted.size()) {
            List<String> stuck = unsorted.stream().filter(n -> !order.contains(n)).map(Node::describe).toList();
            throw new FcptsException(ErrorCode.INVALID_MODEL, "graph '" + name + "' has a cycle through " + stuck);
        }
        for (ValueInfo out : outputs) {
            if (!producer.containsKey(out.name())) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, "graph '" + name + "': output '" + out.name()
                        + "' is not produced by any node");
            }
        }
        return order;
    }

    private void define(Map<String, String> producer, String value, String by) {
        String previous = producer.putIfAbsent(value, by);
        if (previous != null) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, "graph '" + name + "': value '" + value
                    + "' is produced twice (by " + previous + " and by " + by + ")");
        }
    }

    public String name() {
        return name;
    }

    public List<ValueInfo> inputs() {
        return inputs;
    }

    public List<ValueInfo> outputs() {
        return outputs;
    }

    /** Nodes in a topological order (stable: the given order where it is valid). */
    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, TensorData> initializers() {
        return initializers;
    }

    public Optional<TensorData> initializer(String value) {
        return Optional.ofNullable(initializers.get(value));
    }

    /** The node producing {@code value}, if a node does. */
    public Optional<Node> producer(String value) {
        return nodes.stream().filter(n -> n.outputs().contains(value)).findFirst();
    }

    /** A copy of this graph in which initializer {@code value} holds {@code data} (same shape and type). */
    public Graph withInitializer(String value, TensorData data) {
        TensorData old = initializers.get(value);
        if (old == null) {
            throw new IllegalArgumentException("graph '" + name + "' has no initializer '" + value + "'");
        }
        if (old.type() != data.type() || !java.util.Arrays.equals(old.dims(), data.dims())) {
            throw new IllegalArgumentException("initializer '" + value + "' is " + old + ", replacement is " + data);
        }
        Map<String, TensorData> copy = new LinkedHashMap<>(initializers);
        copy.put(value, data);
        return new Graph(name, inputs, outputs, nodes, copy);
    }

    /**
     * The prunable layers: nodes whose op has a prunable weight input
     * ({@link OpDefinition#weightInput}: Conv, Gemm, MatMul) holding a float
     * initializer, in execution order.
     */
    public List<Node> prunableNodes() {
        return nodes.stream().filter(n -> {
            int w = Ops.of(n.op()).weightInput();
            return w >= 0 && initializers.containsKey(n.input(w)) && initializers.get(n.input(w)).isFloat();
        }).toList();
    }

    @Override
    public String toString() {
        return "Graph[" + name + ": " + nodes.size() + " nodes, " + initializers.size() + " initializers]";
    }
}
