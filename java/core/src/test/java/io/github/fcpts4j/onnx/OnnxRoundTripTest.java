package io.github.fcpts4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.testing.TestNets;
import io.github.fcpts4j.testing.OrtRunner;
import io.github.fcpts4j.testing.TestData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export, import and re-export against ONNX Runtime (through DJL) as the independent judge. */
class OnnxRoundTripTest {


    @Test
    void exportedGraphRunsInOnnxRuntimeWithTheInferredShape(@TempDir Path dir) throws Exception {
        Graph graph = TestNets.allOpsNet(1);
        Path file = dir.resolve("all_ops.onnx");
        OnnxExporter.write(graph, file);
        long[] inputShape = {2, 3, 17, 17};
        List<OrtRunner.Output> out = OrtRunner.run(file, TestData.uniform(2 * 3 * 17 * 17, 2), inputShape);
        Map<String, long[]> shapes = ShapeInference.infer(graph, Map.of("image", inputShape));
        assertArrayEquals(shapes.get(graph.outputs().get(0).name()), out.get(0).shape());
        float sum = 0;
        for (float v : out.get(0).values()) {
            sum += v;
        }
        assertEquals(2, sum, 1e-4, "softmax over the last axis: each of the 2 rows sums to 1");
    }

    @Test
    void importGivesBackTheGraphThatWasExported(@TempDir Path dir) {
        Graph graph = TestNets.allOpsNet(3);
        Path file = dir.resolve("m.onnx");
        OnnxExporter.write(graph, file);
        OnnxModel model = OnnxImporter.read(file);
        assertEquals(OnnxExporter.OPSET, model.opset());
        assertEquals(graph.nodes(), model.graph().nodes());
        assertEquals(graph.initializers(), model.graph().initializers());
        assertEquals(graph.inputs(), model.graph().inputs());
        assertEquals(graph.outputs(), model.graph().outputs());
    }

    @Test
    void unmodifiedImportExportIsBitIdenticalInOnnxRuntime(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.onnx"), second = dir.resolve("second.onnx");
        OnnxExporter.write(TestNets.allOpsNet(5), first);
        byte[] before = Files.readAllBytes(first);
        OnnxExporter.write(OnnxImporter.read(first), second);
        assertArrayEquals(before, Files.readAllBytes(first), "the input file is never modified");
        float[] x = TestData.uniform(3 * 17 * 17, 6);
        float[] a = OrtRunner.run(first, x, 1, 3, 17, 17).get(0).values();
        float[] b = OrtRunner.run(second, x, 1, 3, 17, 17).get(0).values();
        assertArrayEquals(a, b, 0.0f, "same model, same runtime: bit-identical outputs");
    }

    @Test
    void changedWeightsAreWrittenBackAndEverythingElseIsKept(@TempDir Path dir) throws Exception {
        Path original = dir.resolve("original.onnx"), pruned = dir.resolve("pruned.onnx");
        OnnxExporter.write(TestNets.allOpsNet(7), original);
        OnnxModel model = OnnxImporter.read(original);
        Node conv = model.graph().prunableNodes().get(0);
        TensorData weight = model.graph().initializer(conv.input(1)).orElseThrow();
        float[] zeroed = weight.floats();
        for (int i = 0; i < zeroed.length; i += 2) {
            zeroed[i] = 0f;
        }
        OnnxExporter.write(model.withGraph(model.graph().withInitializer(conv.input(1),
                TensorData.ofFloats(weight.dims(), zeroed))), pruned);
        OnnxModel back = OnnxImporter.read(pruned);
        assertArrayEquals(zeroed, back.graph().initializer(conv.input(1)).orElseThrow().floats(), 0f);
        assertEquals(model.graph().nodes(), back.graph().nodes());
        assertEquals(model.source().getProducerName(), back.source().getProducerName());
        float[] x = TestData.uniform(3 * 17 * 17, 8);
        assertFalse(java.util.Arrays.equals(OrtRunner.run(original, x, 1, 3, 17, 17).get(0).values(),
                OrtRunner.run(pruned, x, 1, 3, 17, 17).get(0).values()), "zeroed weights change the output");
        assertNotEquals(Files.size(original), 0L);
        assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
    }
}
