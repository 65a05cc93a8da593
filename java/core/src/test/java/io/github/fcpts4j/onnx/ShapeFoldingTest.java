package io.github.fcpts4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.testing.OrtRunner;
import io.github.fcpts4j.testing.TestData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shape subgraph PyTorch emits for {@code x.view(x.size(0), -1)} (Shape,
 * Gather, Unsqueeze, Concat feeding Reshape) folds into a constant target that
 * keeps the batch dynamic; the imported graph matches ONNX Runtime on the
 * original file for two batch sizes.
 */
class ShapeFoldingTest {

    private static OnnxMl.NodeProto node(String name, String op, List<String> in, List<String> out,
                                         OnnxMl.AttributeProto... attrs) {
        return OnnxMl.NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out)
                .addAllAttribute(Arrays.asList(attrs)).build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto integer(String name, long v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(v).build();
    }

    private static OnnxMl.ValueInfoProto value(String name, Object... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof String s ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(s)
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue((Integer) d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }


    /** conv -> relu -> view(size(0), -1) -> gemm, as torch.onnx exports it at opset 13. */
    private static OnnxMl.ModelProto torchStyleFlatten() {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("torch_flatten")
                .addInput(value("x", "batch", 3, 6, 6)).addOutput(value("y", "batch", 5))
                .addInitializer(OnnxTensors.write("w", TensorData.ofFloats(new long[] {4, 3, 3, 3}, TestData.uniform(108, 1))))
                .addInitializer(OnnxTensors.write("fc_w", TensorData.ofFloats(new long[] {5, 64}, TestData.uniform(320, 2))))
                .addInitializer(OnnxTensors.write("fc_b", TensorData.ofFloats(new long[] {5}, TestData.uniform(5, 3))))
                .addInitializer(OnnxTensors.write("zero", TensorData.ofLongs(io.github.fcpts4j.ir.DataType.INT64,
                        new long[0], new long[] {0})))
                .addInitializer(OnnxTensors.write("axes0", TensorData.int64Vector(0)))
                .addInitializer(OnnxTensors.write("minus1", TensorData.int64Vector(-1)))
                .addNode(node("conv", "Conv", List.of("x", "w"), List.of("c"), ints("kernel_shape", 3, 3),
                        ints("pads", 0, 0, 0, 0)))
                .addNode(node("relu", "Relu", List.of("c"), List.of("r")))
                .addNode(node("shape", "Shape", List.of("r"), List.of("s")))
                .addNode(node("gather", "Gather", List.of("s", "zero"), List.of("n"), integer("axis", 0)))
                .addNode(node("unsq", "Unsqueeze", List.of("n", "axes0"), List.of("n1")))
                .addNode(node("cat", "Concat", List.of("n1", "minus1"), List.of("target"), integer("axis", 0)))
                .addNode(node("view", "Reshape", List.of("r", "target"), List.of("flat")))
                .addNode(node("fc", "Gemm", List.of("flat", "fc_w", "fc_b"), List.of("y"), integer("transB", 1)));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
    }

    @Test
    void torchFlattenFoldsAndKeepsTheBatchDynamic(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("torch.onnx");
        Files.write(file, torchStyleFlatten().toByteArray());
        OnnxModel model = OnnxImporter.read(file);
        Graph g = model.graph();
        assertEquals(List.of(OpType.CONV, OpType.RELU, OpType.RESHAPE, OpType.GEMM),
                g.nodes().stream().map(Node::op).toList());
        Node reshape = g.nodes().get(2);
        assertArrayEquals(new long[] {0, -1}, g.initializer(reshape.input(1)).orElseThrow().longs());
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            for (int batch : new int[] {2, 3}) {
                float[] x = TestData.uniform(batch * 108, 10 + batch);
                float[] ort = OrtRunner.run(file, x, batch, 3, 6, 6).get(0).values();
                try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("x", new long[] {batch, 3, 6, 6}))) {
                    float[] ours = e.run(Map.of("x", x)).get("y");
                    for (int i = 0; i < ours.length; i++) {
                        assertEquals(ort[i], ours[i], 1e-4 + 1e-4 * Math.abs(ort[i]), "batch " + batch + " [" + i + "]");
                    }
                }
            }
        }
    }

    private static TensorData scalar(float v) {
        return TensorData.ofFloats(new long[0], new float[] {v});
    }

    /** Both exporter spellings of HardSwish become one HardSwish node and still match ONNX Runtime. */
    @Test
    void hardSwishPatternsAreFused(@TempDir Path dir) throws Exception {
        OnnxMl.AttributeProto alpha = OnnxMl.AttributeProto.newBuilder().setName("alpha")
                .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(1f / 6).build();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("hswish")
                .addInput(value("x", "batch", 8)).addOutput(value("y", "batch", 8))
                .addInitializer(OnnxTensors.write("three", scalar(3)))
                .addInitializer(OnnxTensors.write("zero", scalar(0)))
                .addInitializer(OnnxTensors.write("six", scalar(6)))
                .addNode(node("add", "Add", List.of("x", "three"), List.of("a")))
                .addNode(node("clip", "Clip", List.of("a", "zero", "six"), List.of("c")))
                .addNode(node("mul", "Mul", List.of("x", "c"), List.of("m")))
                .addNode(node("div", "Div", List.of("m", "six"), List.of("h1")))
                .addNode(node("hsig", "HardSigmoid", List.of("h1"), List.of("s"), alpha))
                .addNode(node("gate", "Mul", List.of("s", "h1"), List.of("y")));
        Path file = dir.resolve("hswish.onnx");
        Files.write(file, OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(14)).setGraph(g)
                .build().toByteArray());
        Graph graph = OnnxImporter.read(file).graph();
        assertEquals(List.of(OpType.HARD_SWISH, OpType.HARD_SWISH), graph.nodes().stream().map(Node::op).toList());
        float[] x = new float[16];
        for (int i = 0; i < x.length; i++) {
            x[i] = -4.5f + 0.6f * i;
        }
        float[] ort = OrtRunner.run(file, x, 2, 8).get(0).values();
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults());
             NetworkExecutor e = NetworkExecutor.compile(graph, cpu, Map.of("x", new long[] {2, 8}))) {
            float[] ours = e.run(Map.of("x", x)).get("y");
            for (int i = 0; i < x.length; i++) {
                assertEquals(ort[i], ours[i], 1e-5 + 1e-5 * Math.abs(ort[i]), "x = " + x[i]);
            }
        }
    }

    @Test
    void symbolicSpatialDimensionsNeedAnInputShape(@TempDir Path dir) throws Exception {
        OnnxMl.ModelProto m = torchStyleFlatten();
        OnnxMl.ModelProto.Builder b = m.toBuilder();
        b.getGraphBuilder().setInput(0, value("x", "batch", 3, "height", "width"));
        Path file = dir.resolve("dynamic.onnx");
        Files.write(file, b.build().toByteArray());
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(file));
        assertTrue(e.getMessage().contains("give them with --input-shape"), e.getMessage());
        Graph g = OnnxImporter.read(file, Map.of("x", new long[] {1, 3, 6, 6})).graph();
        assertEquals(4, g.nodes().size());
        assertArrayEquals(new long[] {-1, 3, 6, 6}, g.inputs().get(0).shape());
    }
}
