package io.github.fcpts4j.onnx;

import ai.onnx.proto.OnnxMl;

import com.google.protobuf.ByteString;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.TensorData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversion between ONNX TensorProto / AttributeProto and the IR's
 * {@link TensorData} / {@link Attributes}. Reads every encoding ONNX allows for
 * the supported types (typed fields or little-endian raw_data); writes
 * raw_data. External data is rejected with the tensor named.
 */
final class OnnxTensors {
    private OnnxTensors() {
    }

    static TensorData read(OnnxMl.TensorProto t, String where) {
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": tensor '" + t.getName()
                    + "' stores its data in an external file; save the model with the weights inside");
        }
        boolean half = t.getDataType() == Float16.ONNX_TYPE;
        DataType type = half ? DataType.FLOAT : DataType.fromOnnx(t.getDataType());
        if (type == null) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": tensor '" + t.getName()
                    + "' has ONNX data type " + t.getDataType() + "; supported: float, float16, double, int32, int64, "
                    + "bool");
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int n;
        try {
            long count = 1;
            for (long d : dims) {
                if (d < 0) {
                    throw new ArithmeticException("negative dimension");
                }
                count = Math.multiplyExact(count, d);
            }
            n = Math.toIntExact(count);
        } catch (ArithmeticException e) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": tensor '" + t.getName() + "' has dimensions "
                    + java.util.Arrays.toString(dims) + " (negative or more than 2^31 elements)", e);
        }
        // the data present must match the shape before anything of the shape's size is allocated: a
        // header claiming 2^31 elements over a few bytes is refused here, not by an OutOfMemoryError
        int width = half ? 2 : type == DataType.FLOAT || type == DataType.INT32 ? 4 : type == DataType.BOOL ? 1 : 8;
        if (t.hasRawData()) {
            if (t.getRawData().size() != (long) n * width) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": tensor '" + t.getName() + "' of shape "
                        + java.util.Arrays.toString(dims) + " has " + t.getRawData().size() + " bytes of raw_data, "
                        + "its shape needs " + (long) n * width + " (" + n + " x " + width + ")");
            }
        } else {
            int have = half || type == DataType.INT32 || type == DataType.BOOL ? t.getInt32DataCount()
                    : type == DataType.FLOAT ? t.getFloatDataCount() : type == DataType.DOUBLE ? t.getDoubleDataCount()
                    : t.getInt64DataCount();
            if (have != n) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": tensor '" + t.getName() + "' has " + have
                        + " values, its shape " + java.util.Arrays.toString(dims) + " needs " + n);
            }
        }
        ByteBuffer raw = t.hasRawData() ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
        switch (type) {
            case FLOAT: {
                float[] v = new float[n];
                if (half) {
                    for (int i = 0; i < n; i++) {
                        v[i] = Float16.toFloat(raw != null ? raw.getShort(2 * i) & 0xffff : t.getInt32Data(i));
                    }
                } else if (raw != null) {
                    raw.asFloatBuffer().get(v);
                } else {
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getFloatData(i);
                    }
                }
                return TensorData.ofFloats(dims, v);
            }
            case DOUBLE: {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (raw != null ? raw.getDouble(8 * i) : t.getDoubleData(i));
                }
                return TensorData.ofFloats(dims, v);
            }
            default: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    if (raw != null) {
                        v[i] = width == 8 ? raw.getLong(8 * i) : width == 4 ? raw.getInt(4 * i) : raw.get(i);
                    } else {
                        v[i] = type == DataType.INT64 ? t.getInt64Data(i) : t.getInt32Data(i);
                    }
                }
                return TensorData.ofLongs(type, dims, v);
            }
        }
    }

    /** As {@link #write(String, TensorData)}, in fp16 when {@code onnxType} is FLOAT16 (an fp16 model's weight). */
    static OnnxMl.TensorProto write(String name, TensorData data, int onnxType) {
        if (onnxType != Float16.ONNX_TYPE || !data.isFloat()) {
            return write(name, data);
        }
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(Float16.ONNX_TYPE);
        for (long d : data.dims()) {
            b.addDims(d);
        }
        float[] f = data.floats();
        ByteBuffer buf = ByteBuffer.allocate(2 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : f) {
            buf.putShort(Float16.fromFloat(v));
        }
        buf.flip();
        return b.setRawData(ByteString.copyFrom(buf)).build();
    }

    /** The tensor as ONNX raw little-endian data (float tensors as FLOAT, integers in their own type). */
    static OnnxMl.TensorProto write(String name, TensorData data) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(data.type().onnxCode());
        for (long d : data.dims()) {
            b.addDims(d);
        }
        int n = (int) data.size();
        ByteBuffer buf;
        switch (data.type()) {
            case FLOAT, DOUBLE -> {
                buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(data.floats());
                b.setDataType(DataType.FLOAT.onnxCode());
            }
            case INT64 -> {
                buf = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                buf.asLongBuffer().put(data.longs());
            }
            case INT32 -> {
                buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (long v : data.longs()) {
                    buf.putInt((int) v);
                }
                buf.flip();
            }
            default -> {
                buf = ByteBuffer.allocate(n);
                for (long v : data.longs()) {
                    buf.put((byte) v);
                }
                buf.flip();
            }
        }
        return b.setRawData(ByteString.copyFrom(buf.array(), 0, buf.limit())).build();
    }

    static Attributes readAttributes(List<OnnxMl.AttributeProto> list, String where) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (OnnxMl.AttributeProto a : list) {
            Object value = switch (a.getType()) {
                case INT -> a.getI();
                case FLOAT -> a.getF();
                case INTS -> a.getIntsList().stream().mapToLong(Long::longValue).toArray();
                case FLOATS -> toFloatArray(a.getFloatsList());
                case STRING -> a.getS().toStringUtf8();
                case TENSOR -> read(a.getT(), where + " attribute '" + a.getName() + "'");
                default -> throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": attribute '" + a.getName()
                        + "' has type " + a.getType() + ", which fcpts4j does not read");
            };
            m.put(a.getName(), value);
        }
        return Attributes.fromMap(m, where);
    }

    static List<OnnxMl.AttributeProto> writeAttributes(Attributes attributes) {
        return attributes.names().stream().map(name -> {
            Object v = attributes.get(name);
            OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name);
            if (v instanceof Long l) {
                b.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(l);
            } else if (v instanceof Float f) {
                b.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(f);
            } else if (v instanceof long[] ints) {
                b.setType(OnnxMl.AttributeProto.AttributeType.INTS);
                for (long i : ints) {
                    b.addInts(i);
                }
            } else if (v instanceof float[] floats) {
                b.setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
                for (float f : floats) {
                    b.addFloats(f);
                }
            } else if (v instanceof String s) {
                b.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
            } else {
                b.setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(write("", (TensorData) v));
            }
            return b.build();
        }).toList();
    }

    private static float[] toFloatArray(List<Float> list) {
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
