package io.github.fcpts4j.onnx;

import ai.onnx.proto.OnnxMl;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;

import java.nio.file.Path;
import java.util.Map;

/**
 * Writes ONNX files, always atomically (a temporary file in the target folder,
 * then a rename): a failed export leaves no partial file and an existing target
 * untouched.
 * <ul>
 *   <li>{@link #write(OnnxModel, Path)}: a model that came from a file. The
 *   original protobuf is written back with only the changed weights replaced
 *   (initializers, or the value of the Constant node they came from), so every
 *   field the importer did not touch is preserved.</li>
 *   <li>{@link #writeCompact}: the same with pruned weights as ONNX sparse initializers.</li>
 *   <li>{@link #write(Graph, Path)}: a graph built in Java, as a fresh model
 *   (IR version 8, opset {@value #OPSET}).</li>
 * </ul>
 */
public final class OnnxExporter {
    /** Opset of graphs written from scratch: every IR op is valid there in the form the IR holds it. */
    public static final int OPSET = 17;

    private OnnxExporter() {
    }

    public static void write(OnnxModel model, Path target) {
        writeAtomically(updated(model), target);
    }

    /**
     * As {@link #write(OnnxModel, Path)}, and every prunable weight (of a Conv / Gemm / MatMul) that is smaller
     * in COO form (more than 2/3 zeros) moves to {@code sparse_initializer}; ONNX Runtime
     * densifies them at load, so outputs are identical. Returns the names moved.
     */
    public static java.util.List<String> writeCompact(OnnxModel model, Path target) {
        OnnxMl.ModelProto.Builder builder = updated(model).toBuilder();
        OnnxMl.GraphProto.Builder g = builder.getGraphBuilder();
        java.util.Set<String> weights = new java.util.HashSet<>();
        model.graph().prunableNodes().forEach(n -> weights.add(n.input(1)));
        java.util.List<String> moved = new java.util.ArrayList<>();
        for (int i = g.getInitializerCount() - 1; i >= 0; i--) {
            String name = g.getInitializer(i).getName();
            TensorData data = model.graph().initializers().get(name);
            if (weights.contains(name) && data != null && SparseInitializers.smallerWhenSparse(data)) {
                g.removeInitializer(i);
                g.addSparseInitializer(SparseInitializers.write(name, data));
                moved.add(0, name);
            }
        }
        writeAtomically(builder.build(), target);
        return moved;
    }

    private static OnnxMl.ModelProto updated(OnnxModel model) {
        OnnxMl.ModelProto source = model.source();
        OnnxMl.ModelProto.Builder builder = source.toBuilder();
        OnnxMl.GraphProto.Builder g = builder.getGraphBuilder();
        Map<String, TensorData> now = model.graph().initializers();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            String name = g.getInitializer(i).getName();
            TensorData data = now.get(name);
            if (data != null && !data.equals(OnnxTensors.read(g.getInitializer(i), "export"))) {
                g.setInitializer(i, OnnxTensors.write(name, data, g.getInitializer(i).getDataType()));
            }
        }
        for (var entry : model.constantNodeOfInitializer().entrySet()) {
            TensorData data = now.get(entry.getKey());
            for (int i = 0; i < g.getNodeCount(); i++) {
                OnnxMl.NodeProto n = g.getNode(i);
                if (n.getOpType().equals("Constant") && n.getOutput(0).equals(entry.getKey()) && data != null) {
                    int type = n.getAttributeList().stream().filter(a -> a.getName().equals("value"))
                            .map(a -> a.getT().getDataType()).findFirst().orElse(DataType.FLOAT.onnxCode());
                    OnnxMl.NodeProto.Builder nb = n.toBuilder().clearAttribute();
                    nb.addAttribute(OnnxMl.AttributeProto.newBuilder().setName("value")
                            .setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                            .setT(OnnxTensors.write(entry.getKey(), data, type)));
                    g.setNode(i, nb);
                }
            }
        }
        for (int i = 0; i < g.getSparseInitializerCount(); i++) {
            String name = g.getSparseInitializer(i).getValues().getName();
            TensorData data = now.get(name);
            if (data != null && !data.equals(SparseInitializers.read(g.getSparseInitializer(i), "export"))) {
                g.setSparseInitializer(i, SparseInitializers.write(name, data));
            }
        }
        return builder.build();
    }

    public static void write(Graph graph, Path target) {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(graph.name());
        for (ValueInfo v : graph.inputs()) {
            g.addInput(valueInfo(v));
        }
        for (ValueInfo v : graph.outputs()) {
            g.addOutput(valueInfo(v));
        }
        graph.initializers().forEach((name, data) -> g.addInitializer(OnnxTensors.write(name, data)));
        for (Node n : graph.nodes()) {
            g.addNode(OnnxMl.NodeProto.newBuilder().setName(n.name()).setOpType(n.op().onnxName())
                    .addAllInput(n.inputs()).addAllOutput(n.outputs())
                    .addAllAttribute(OnnxTensors.writeAttributes(n.attributes())));
        }
        OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("fcpts4j")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g).build();
        writeAtomically(model, target);
    }

    private static OnnxMl.ValueInfoProto valueInfo(ValueInfo v) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : v.shape()) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(v.name()).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(v.type().onnxCode()).setShape(shape)))
                .build();
    }

    private static void writeAtomically(OnnxMl.ModelProto model, Path target) {
        AtomicFiles.write(target, model::writeTo);
    }
}
