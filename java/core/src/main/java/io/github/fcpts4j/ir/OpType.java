package io.github.fcpts4j.ir;

import java.util.Arrays;
import java.util.List;

/**
 * The operators of the fcpts4j IR, named as in ONNX. Identity and Dropout
 * (inference) disappear at import, Constant becomes an initializer, and
 * shape-computation subgraphs are folded into constants, so none of those
 * reach the IR. What each op means (shapes, kernels, traits such as a
 * prunable weight) is its definition in the op registry,
 * {@link io.github.fcpts4j.ir.ops.Ops}.
 */
public enum OpType {
    CONV("Conv"),
    CONV_TRANSPOSE("ConvTranspose"),
    BATCH_NORMALIZATION("BatchNormalization"),
    RELU("Relu"),
    CLIP("Clip"),
    LEAKY_RELU("LeakyRelu"),
    SIGMOID("Sigmoid"),
    HARD_SIGMOID("HardSigmoid"),
    HARD_SWISH("HardSwish"),
    TANH("Tanh"),
    EXP("Exp"),
    SQRT("Sqrt"),
    ERF("Erf"),
    POW("Pow"),
    ADD("Add"),
    SUB("Sub"),
    MUL("Mul"),
    DIV("Div"),
    EQUAL("Equal"),
    MAX_POOL("MaxPool"),
    AVERAGE_POOL("AveragePool"),
    GLOBAL_AVERAGE_POOL("GlobalAveragePool"),
    FLATTEN("Flatten"),
    RESHAPE("Reshape"),
    TRANSPOSE("Transpose"),
    CONCAT("Concat"),
    SPLIT("Split"),
    SLICE("Slice"),
    SQUEEZE("Squeeze"),
    UNSQUEEZE("Unsqueeze"),
    GATHER("Gather"),
    CAST("Cast"),
    PAD("Pad"),
    RESIZE("Resize"),
    REDUCE_MEAN("ReduceMean"),
    REDUCE_SUM("ReduceSum"),
    REDUCE_MAX("ReduceMax"),
    LAYER_NORMALIZATION("LayerNormalization"),
    GEMM("Gemm"),
    MATMUL("MatMul"),
    SOFTMAX("Softmax");

    private final String onnxName;

    OpType(String onnxName) {
        this.onnxName = onnxName;
    }

    public String onnxName() {
        return onnxName;
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
