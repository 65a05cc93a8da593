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

    OnnxMl.ModelProto source() {
        return source;
    }

    Map<String, String> constantNodeOfInitializer() {
        return constantNodeOfInitializer;
    }
}
