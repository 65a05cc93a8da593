package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.List;
import java.util.Map;

/**
 * Everything fcpts4j knows about one op or family of ops, in one place: the ops it defines, their output
 * shape (ONNX semantics), their forward and backward lowering onto a backend's kernels, and the traits the
 * pruner, the cost model and the sparse runtime ask for. {@link Ops} finds the definition of an
 * {@link OpType}; nothing else switches over op types.
 */
public interface OpDefinition {

    /** The op types this definition covers. */
    List<OpType> ops();

    /**
     * Shape of {@code n}'s output from the shapes of its inputs; an inconsistency is an
     * {@code INVALID_MODEL} error naming the node and the shapes.
     */
    long[] outputShape(Node n, ShapeContext in);

    /**
     * Shapes of all of {@code n}'s outputs, in order (an op with several outputs, such as Split, overrides
     * this; an omitted optional output may get null).
     */
    default List<long[]> outputShapes(Node n, ShapeContext in) {
        return List.of(outputShape(n, in));
    }

    /**
     * Plans {@code n} on a backend: returns its forward step and, when the executor has gradients,
     * registers its backward step with {@link Lowering#backward}. Plans and tensors it creates belong
     * to the lowering's executor.
     */
    Runnable lower(Node n, Lowering on);

    /** Input index of the weight FCPTS prunes (a float initializer there makes the node prunable), or -1. */
    default int weightInput() {
        return -1;
    }

    /**
     * Multiply-accumulates each weight does per sample, given the node's data input and output shapes
     * (batch 1): the positions it is applied at. Only for ops with a {@link #weightInput}.
     */
    default long macsPerWeight(long[] inputShape, long[] outputShape) {
        throw new UnsupportedOperationException("no prunable weight");
    }

    /** What {@code op} can become in a fused convolution epilogue (conv -> [residual add] -> [activation]). */
    default Epilogue epilogue(OpType op) {
        return Epilogue.NONE;
    }

    /** Inputs that are a normalization's learned per-channel scale and shift (BatchNorm's gamma, beta). */
    default List<Integer> affineInputs() {
        return List.of();
    }

    /** Inputs holding running statistics that a training-mode forward updates (BatchNorm's mean, variance). */
    default List<Integer> runningStatisticInputs() {
        return List.of();
    }

    /** Whether the op has no backward: an executor with gradients rejects it. */
    default boolean inferenceOnly() {
        return false;
    }

    /** The node as y = alpha x W(^T) + beta c reads it, for the sparse linear runtime; null if it is not one. */
    default LinearForm linearForm(Node n) {
        return null;
    }

    /** Whether input {@code i} is a shape (a Reshape target): folded constants there keep the batch dynamic. */
    default boolean shapeInput(int i) {
        return false;
    }

    /**
     * The node as the newest supported opset defines it, from one of {@code opset} (defaults that changed,
     * attributes that became inputs); constants it needs for that go into {@code newConstants}.
     */
    default Node fromOpset(Node n, int opset, Map<String, TensorData> newConstants) {
        return n;
    }
}
