package io.github.fcpts4j.ir;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import io.github.fcpts4j.ir.ops.OpShapes;
import io.github.fcpts4j.ir.ops.Ops;
import io.github.fcpts4j.ir.ops.ShapeContext;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Concrete shapes of every value of a graph for given input shapes (batch
 * resolved), following the ONNX operator definitions (each op's rule is in its
 * {@link io.github.fcpts4j.ir.ops.OpDefinition}). An inconsistency (a
 * conv whose channels do not match its weight, shapes that do not broadcast,
 * a reshape that changes the element count, ...) is an {@code INVALID_MODEL}
 * error naming the node and both shapes.
 */
public final class ShapeInference {
    /** The most elements a value's shape may describe: products of its dims cannot overflow a long. */
    public static final long MAX_ELEMENTS = 1L << 62;

    private ShapeInference() {
    }

    /**
     * @param inputShapes concrete shape per graph input name (no -1 left)
     * @return shape of every graph input, initializer and node output
     */
    public static Map<String, long[]> infer(Graph graph, Map<String, long[]> inputShapes) {
        Map<String, long[]> shapes = new HashMap<>();
        for (ValueInfo in : graph.inputs()) {
            long[] given = inputShapes.get(in.name());
            if (given == null) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, "no shape given for graph input '" + in.name() + "'");
            }
            long[] declared = in.shape();
            if (declared.length != given.length) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, "input '" + in.name() + "' is declared "
                        + Arrays.toString(declared) + ", got " + Arrays.toString(given));
            }
            for (int i = 0; i < given.length; i++) {
                if (given[i] < 0 || (declared[i] >= 0 && declared[i] != given[i])) {
                    throw new FcptsException(ErrorCode.INVALID_MODEL, "input '" + in.name() + "' is declared "
                            + Arrays.toString(declared) + ", got " + Arrays.toString(given));
                }
            }
            shapes.put(in.name(), given.clone());
        }
        graph.initializers().forEach((name, data) -> shapes.putIfAbsent(name, data.dims()));
        for (Node node : graph.nodes()) {
            putOutputShapes(node, graph.initializers(), shapes);
        }
        return shapes;
    }

    /**
     * Records the shapes of one node's outputs (omitted optional outputs skipped) from the shapes of its
     * inputs ({@code shapes}) and the constant tensors it may read ({@code constants}: Reshape targets, Slice
     * bounds, Resize scales), by the rule of its op's definition. A required input that is missing (absent or
     * empty) or has no shape, and an output shape with a negative dimension or more elements than a long
     * counts (2^62), are {@code INVALID_MODEL} errors naming the node.
     */
    public static void putOutputShapes(Node n, Map<String, TensorData> constants, Map<String, long[]> shapes) {
        List<long[]> out = Ops.of(n.op()).outputShapes(n, new ShapeContext() {
            @Override
            public long[] shape(String value) {
                long[] s = shapes.get(value);
                if (s == null) {
                    throw OpShapes.bad(n, value.isEmpty() ? "a required input is missing (inputs " + n.inputs() + ")"
                            : "input '" + value + "' has no known shape");
                }
                return s;
            }

            @Override
            public TensorData constant(String value) {
                return constants.get(value);
            }
        });
        for (int i = 0; i < n.outputs().size(); i++) {
            String name = n.outputs().get(i);
            if (!name.isEmpty() && i < out.size() && out.get(i) != null) {
                requireCountable(n, name, out.get(i));
                shapes.put(name, out.get(i));
            }
        }
    }

    private static void requireCountable(Node n, String value, long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0 || (d > 0 && count > MAX_ELEMENTS / d)) {
                throw OpShapes.bad(n, "output '" + value + "' would have shape " + Arrays.toString(shape)
                        + (d < 0 ? " (a negative dimension)" : " (more than 2^62 elements)"));
            }
            count *= d;
        }
    }
}
