package io.github.fcpts4j.ir;

import java.util.Arrays;
import java.util.List;

/**
 * The operators of the fcpts4j IR, named as in ONNX. Identity and Dropout
 * (inference) disappear at import, Constant becomes an initializer, and
 * shape-computation subgraphs are folded into constants, so none of those
 * reach the IR. {@link #prunable()} marks the layers whose weight (input 1)
 * FCPTS may prune.
 */
public enum OpType {
    CONV("Conv", true),
    BATCH_NORMALIZATION("BatchNormalization", false),
    RELU("Relu", false),
    CLIP("Clip", false),
    LEAKY_RELU("LeakyRelu", false),
    SIGMOID("Sigmoid", false),
    HARD_SIGMOID("HardSigmoid", false),
    HARD_SWISH("HardSwish", false),
    ADD("Add", false),
    SUB("Sub", false),
    MUL("Mul", false),
    DIV("Div", false),
    MAX_POOL("MaxPool", false),
    AVERAGE_POOL("AveragePool", false),
    GLOBAL_AVERAGE_POOL("GlobalAveragePool", false),
    FLATTEN("Flatten", false),
    RESHAPE("Reshape", false),
    TRANSPOSE("Transpose", false),
    CONCAT("Concat", false),
    GEMM("Gemm", true),
    MATMUL("MatMul", true),
    SOFTMAX("Softmax", false);

    private final String onnxName;
    private final boolean prunable;

    OpType(String onnxName, boolean prunable) {
        this.onnxName = onnxName;
        this.prunable = prunable;
    }

    public String onnxName() {
        return onnxName;
    }

    /** Whether input 1 of this op is a weight FCPTS prunes (Conv, Gemm, MatMul with a constant operand). */
    public boolean prunable() {
        return prunable;
    }

    /** The op for an ONNX op type in the default domain, or null when unsupported. */
    public static OpType fromOnnx(String name) {
        for (OpType op : values()) {
            if (op.onnxName.equals(name)) {
                return op;
            }
        }
        return null;
    }

    /** ONNX names of all supported ops, for error messages. */
    public static List<String> onnxNames() {
        return Arrays.stream(values()).map(OpType::onnxName).toList();
    }
}
