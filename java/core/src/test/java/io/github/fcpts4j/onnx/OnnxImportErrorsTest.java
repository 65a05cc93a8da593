package io.github.fcpts4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;

import com.google.protobuf.ByteString;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.testing.TestNets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one clear, typed error naming the culprit; the input file is never modified. */
class OnnxImportErrorsTest {

    private static OnnxMl.NodeProto node(String name, String op, String domain, String[] in, String... out) {
        return OnnxMl.NodeProto.newBuilder().setName(name).setOpType(op).setDomain(domain)
                .addAllInput(Arrays.asList(in)).addAllOutput(Arrays.asList(out)).build();
    }

    private static OnnxMl.ValueInfoProto floatValue(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    private static OnnxMl.ModelProto model(int opset, OnnxMl.NodeProto... nodes) {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("g")
                .addInput(floatValue("x", 1, 4)).addOutput(floatValue("y", 1, 4));
        for (OnnxMl.NodeProto n : nodes) {
            g.addNode(n);
        }
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g)
                .build();
    }

    private static Path save(Path dir, OnnxMl.ModelProto m) throws Exception {
        Path f = dir.resolve("m.onnx");
        Files.write(f, m.toByteArray());
        return f;
    }

    @Test
    void everyUnsupportedNodeIsListedInOneError(@TempDir Path dir) throws Exception {
        Path f = save(dir, model(13, node("rnn", "LSTM", "", new String[] {"x"}, "h"),
                node("grid", "GridSample", "", new String[] {"h"}, "r"),
                node("custom", "FancyOp", "com.example", new String[] {"r"}, "y")));
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(f));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        assertTrue(e.getMessage().contains("3 unsupported node(s): 'rnn' (LSTM, opset 13), 'grid' (GridSample, opset 13), "
                + "'custom' (com.example:FancyOp, opset 13)"), e.getMessage());
        assertTrue(e.getMessage().contains("Supported: " + String.join(", ", OpType.onnxNames())), e.getMessage());
    }

    @Test
    void aQuantizedModelGetsOneErrorSayingSo(@TempDir Path dir) throws Exception {
        Path f = save(dir, model(13, node("dq", "DequantizeLinear", "", new String[] {"x"}, "h"),
                node("conv", "QLinearConv", "", new String[] {"h"}, "y")));
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(f));
        assertEquals(ErrorCode.UNSUPPORTED_MODEL, e.code());
        assertTrue(e.getMessage().contains("is a quantized model (it has DequantizeLinear, QLinearConv)"),
                e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void truncatedFileIsInvalidAndLeftUntouched(@TempDir Path dir) throws Exception {
        Path full = dir.resolve("full.onnx");
        OnnxExporter.write(TestNets.allOpsNet(1), full);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        byte[] before = Files.readAllBytes(cut);
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(cut));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(cut));
    }

    @Test
    void textFileIsNotAModel(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("notes.onnx");
        Files.writeString(f, "this is not a model\n");
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(f));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
    }

    @Test
    void missingFileNamesThePath(@TempDir Path dir) {
        Path f = dir.resolve("absent.onnx");
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(f));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("absent.onnx does not exist"), e.getMessage());
    }

    @Test
    void danglingEdgeNamesTheNodeAndTheValue(@TempDir Path dir) throws Exception {
        Path f = save(dir, model(13, node("act", "Relu", "", new String[] {"nowhere"}, "y")));
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(f));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("Relu 'act' reads 'nowhere'"), e.getMessage());
    }

    @Test
    void opsetsOutsideNineToTwentyOneAreRejected(@TempDir Path dir) throws Exception {
        for (int opset : new int[] {8, 22}) {
            Path f = save(dir, model(opset, node("act", "Relu", "", new String[] {"x"}, "y")));
            FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(f));
            assertTrue(e.getMessage().contains("opset " + opset + " is outside the supported range 9 to 21"),
                    e.getMessage());
        }
    }

    @Test
    void constantIdentityAndDropoutAreResolved(@TempDir Path dir) throws Exception {
        OnnxMl.TensorProto two = OnnxMl.TensorProto.newBuilder().setDataType(1).addDims(4)
                .setRawData(ByteString.copyFrom(new byte[] {0, 0, 0, 64, 0, 0, 0, 64, 0, 0, 0, 64, 0, 0, 0, 64}))
                .build();
        OnnxMl.NodeProto constant = OnnxMl.NodeProto.newBuilder().setName("c").setOpType("Constant").addOutput("two")
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("value")
                        .setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(two)).build();
        Path f = save(dir, model(13, constant, node("id", "Identity", "", new String[] {"x"}, "x2"),
                node("mul", "Mul", "", new String[] {"x2", "two"}, "m"),
                node("drop", "Dropout", "", new String[] {"m"}, "y")));
        OnnxModel m = OnnxImporter.read(f);
        assertEquals(1, m.graph().nodes().size());
        assertEquals(java.util.List.of("x", "two"), m.graph().nodes().get(0).inputs());
        assertEquals("y", m.graph().nodes().get(0).output(), "the graph output keeps its name");
        assertArrayEquals(new float[] {2, 2, 2, 2}, m.graph().initializer("two").orElseThrow().floats(), 0f);
    }

    /** Errors the fuzzer (OnnxImporterFuzzTest) found as NullPointer, ClassCast or IndexOutOfBounds exceptions. */
    @Test
    void malformedNodesNameTheNodeAndWhatWasExpected(@TempDir Path dir) throws Exception {
        OnnxMl.NodeProto transpose = node("t", "Transpose", "", new String[] {"x"}, "y").toBuilder()
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("perm")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1)).build();
        Path f = save(dir, model(13, transpose));
        FcptsException type = assertThrows(FcptsException.class, () -> OnnxImporter.read(f));
        assertEquals(ErrorCode.INVALID_MODEL, type.code());
        assertTrue(type.getMessage().contains(f + ": node 't' (Transpose): attribute 'perm' is INT, expected INTS"),
                type.getMessage());

        Path g = save(dir, model(13, node("add", "Add", "", new String[] {"x"}, "y")));
        FcptsException missing = assertThrows(FcptsException.class, () -> OnnxImporter.read(g));
        assertEquals(ErrorCode.INVALID_MODEL, missing.code());
        assertTrue(missing.getMessage().contains("Add 'add': a required input is missing (inputs [x])"),
                missing.getMessage());

        OnnxMl.TensorProto lying = OnnxMl.TensorProto.newBuilder().setName("w").setDataType(1).addDims(1L << 28)
                .addDims(4).setRawData(ByteString.copyFrom(new byte[16])).build();
        OnnxMl.ModelProto withWeight = model(13, node("mul", "Mul", "", new String[] {"x", "w"}, "y"));
        Path h = save(dir, withWeight.toBuilder().setGraph(withWeight.getGraph().toBuilder().addInitializer(lying))
                .build());
        FcptsException size = assertThrows(FcptsException.class, () -> OnnxImporter.read(h));
        assertEquals(ErrorCode.INVALID_MODEL, size.code());
        assertTrue(size.getMessage().contains("tensor 'w' of shape [268435456, 4] has 16 bytes of raw_data, its "
                + "shape needs 4294967296 (1073741824 x 4)"), size.getMessage());
    }
}
