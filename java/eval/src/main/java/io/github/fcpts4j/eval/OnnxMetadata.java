package io.github.fcpts4j.eval;

import ai.onnx.proto.OnnxMl;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code metadata_props} of an ONNX file (ModelProto field 14), read with protobuf straight from the file:
 * the other top-level fields (the graph and its weights) are skipped, not parsed. ONNX Runtime's Java API
 * ({@code OnnxModelMetadata.getCustomMetadata}, 1.21) hands these strings over through JNI's modified UTF-8,
 * which mangles every character outside the Basic Multilingual Plane (a 4-byte UTF-8 sequence) and loses the
 * entries after it; PP-OCR's dictionary holds such characters, so it is read here instead.
 */
final class OnnxMetadata {
    private static final int METADATA_PROPS = 14;

    private OnnxMetadata() {
    }

    /** Key to value, in file order (a repeated key keeps its last value). */
    static Map<String, String> read(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream stream = Files.newInputStream(file)) {
            CodedInputStream in = CodedInputStream.newInstance(stream);
            in.setSizeLimit(Integer.MAX_VALUE);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == METADATA_PROPS
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    OnnxMl.StringStringEntryProto e = OnnxMl.StringStringEntryProto.parseFrom(in.readBytes());
                    out.put(e.getKey(), e.getValue());
                } else if (!in.skipField(tag)) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, "cannot read the metadata of " + file + ": " + e, e);
        }
        return out;
    }
}
