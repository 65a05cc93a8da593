package io.github.fcpts4j.onnx;

import ai.onnx.proto.OnnxMl;

import io.github.fcpts4j.ir.Graph;

import java.util.Map;
import java.util.Objects;

/**
 * A model read from an ONNX file: the IR graph plus what the exporter needs to
 * write it back with everything the importer did not touch preserved (the
 * original protobuf, and which IR initializers came from Constant nodes).
 */
public final class OnnxModel {
    private final Graph graph;
    private final int opset;
    private final OnnxMl.ModelProto source;
    private final Map<String, String> constantNodeOfInitializer;

    OnnxModel(Graph graph, int opset, OnnxMl.ModelProto source, Map<String, String> constantNodeOfInitializer) {
        this.graph = Objects.requireNonNull(graph);
        this.opset = opset;
        this.source = source;
        this.constantNodeOfInitializer = Map.copyOf(constantNodeOfInitializer);
    }

    public Graph graph() {
        return graph;
    }

    /** The default-domain opset the file declares. */
    public int opset() {
        return opset;
    }

    /** The same model with another graph (for example pruned weights), keeping the ONNX source for export. */
    public OnnxModel withGraph(Graph newGraph) {
        return new OnnxModel(newGraph, opset, source, constantNodeOfInitializer);
    }

    /**
     * Whether the file stores weights (initializers or Constants) in fp16: fcpts4j computes them in fp32 and
     * writes changed ones back in fp16, which reports say.
     */
    public boolean float16Weights() {
        if (source == null) {
            return false;
        }
        OnnxMl.GraphProto g = source.getGraph();
        return g.getInitializerList().stream().anyMatch(t -> t.getDataType() == Float16.ONNX_TYPE)
                || g.getNodeList().stream().filter(n -> n.getOpType().equals("Constant"))
                .flatMap(n -> n.getAttributeList().stream())
                .anyMatch(a -> a.hasT() && a.getT().getDataType() == Float16.ONNX_TYPE);
    }

    OnnxMl.ModelProto source() {
        return source;
    }

    Map<String, String> constantNodeOfInitializer() {
        return constantNodeOfInitializer;
    }
}
