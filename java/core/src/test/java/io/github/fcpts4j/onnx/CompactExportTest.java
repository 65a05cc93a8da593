package io.github.fcpts4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.OrtRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compact export: pruned weights as ONNX sparse initializers. ONNX Runtime
 * gives bit-identical outputs for the dense and the compact file, the file
 * shrinks with sparsity, our importer reads it back to the same weights, a
 * changed weight is written back into the sparse initializer, and malformed
 * indices are a named INVALID_MODEL error.
 */
class CompactExportTest {
    private static final Path RESNET20 = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");

    @TempDir
    Path dir;

    private static OnnxModel pruned(double sparsity) {
        OnnxModel m = OnnxImporter.read(RESNET20);
        return m.withGraph(GlobalPruning.prune(m.graph(), sparsity));
    }

    @Test
    void compactFileGivesIdenticalOutputsAndShrinks() throws Exception {
        OnnxModel m = pruned(0.9);
        Path dense = dir.resolve("dense.onnx"), compact = dir.resolve("compact.onnx");
        OnnxExporter.write(m, dense);
        List<String> moved = OnnxExporter.writeCompact(m, compact);
        for (Node n : m.graph().prunableNodes()) {
            float[] w = m.graph().initializer(n.input(1)).orElseThrow().floats();
            long nonZero = 0;
            for (float v : w) {
                nonZero += v != 0f ? 1 : 0;
            }
            assertEquals(12 * nonZero < 4L * w.length, moved.contains(n.input(1)),
                    n.input(1) + ": stored sparse exactly when 12 bytes per non-zero beat 4 per weight");
        }
        assertTrue(Files.size(compact) < 0.5 * Files.size(dense), Files.size(compact) + " vs " + Files.size(dense));

        float[] x = new float[4 * 28 * 28];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        float[] a = OrtRunner.run(dense, x, 4, 1, 28, 28).get(0).values();
        float[] b = OrtRunner.run(compact, x, 4, 1, 28, 28).get(0).values();
        assertArrayEquals(a, b, 0f, "ONNX Runtime densifies the same tensors");

        Graph back = OnnxImporter.read(compact).graph();
        for (Node n : m.graph().prunableNodes()) {
            assertArrayEquals(m.graph().initializer(n.input(1)).orElseThrow().floats(),
                    back.initializer(n.input(1)).orElseThrow().floats(), 0f, n.input(1));
        }
    }

    @Test
    void halfSparseLayersStayDense() {
        List<String> moved = OnnxExporter.writeCompact(pruned(0.5), dir.resolve("half.onnx"));
        assertTrue(moved.size() < pruned(0.5).graph().prunableNodes().size() / 2,
                "at 50 % COO (12 bytes per non-zero) is larger for most layers: " + moved);
    }

    @Test
    void aChangedWeightIsWrittenBackIntoItsSparseInitializer() {
        Path compact = dir.resolve("compact.onnx"), again = dir.resolve("again.onnx");
        OnnxExporter.writeCompact(pruned(0.9), compact);
        OnnxModel m = OnnxImporter.read(compact);
        String weight = m.graph().prunableNodes().get(3).input(1);
        TensorData w = m.graph().initializer(weight).orElseThrow();
        float[] changed = w.floats();
        changed[0] = 0.125f;
        OnnxExporter.write(m.withGraph(m.graph().withInitializer(weight, TensorData.ofFloats(w.dims(), changed))),
                again);
        assertEquals(0.125f, OnnxImporter.read(again).graph().initializer(weight).orElseThrow().floats()[0]);
    }

    @Test
    void indicesOutsideTheTensorAreNamed() throws Exception {
        Path compact = dir.resolve("compact.onnx"), broken = dir.resolve("broken.onnx");
        OnnxExporter.writeCompact(pruned(0.9), compact);
        OnnxMl.ModelProto.Builder b = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(compact)).toBuilder();
        OnnxMl.SparseTensorProto.Builder s = b.getGraphBuilder().getSparseInitializerBuilder(0);
        String name = s.getValues().getName();
        s.setIndices(s.getIndices().toBuilder().clearRawData().clearInt64Data().addAllInt64Data(
                java.util.Collections.nCopies((int) s.getValues().getDims(0), 1L << 40)));
        Files.write(broken, b.build().toByteArray());
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxImporter.read(broken));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }
}
