package io.github.fcpts4j.ir;

/** Element types the IR carries, with their ONNX TensorProto.DataType codes. */
public enum DataType {
    FLOAT(1), INT32(6), INT64(7), BOOL(9), DOUBLE(11);

    private final int onnxCode;

    DataType(int onnxCode) {
        this.onnxCode = onnxCode;
    }

    public int onnxCode() {
        return onnxCode;
    }

    /** The type for an ONNX code, or null when the IR does not support it. */
    public static DataType fromOnnx(int code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        return null;
    }
}
