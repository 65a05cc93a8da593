package io.github.fcpts4j.ir;

import java.util.List;
import java.util.Objects;

/**
 * One operation of a graph. Inputs and outputs are value names; an empty
 * input name marks an omitted optional input (ONNX convention).
 */
public record Node(String name, OpType op, List<String> inputs, List<String> outputs, Attributes attributes) {

    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        Objects.requireNonNull(attributes, "attributes");
    }

    /** Input i, or "" when absent. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    public String output() {
        return outputs.get(0);
    }

    /** How error messages name this node: {@code Conv 'stage1.conv'}. */
    public String describe() {
        return op.onnxName() + " '" + name + "'";
    }
}
