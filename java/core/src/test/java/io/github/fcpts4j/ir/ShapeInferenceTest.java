package io.github.fcpts4j.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.testing.TestNets;
import io.github.fcpts4j.testing.OrtRunner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapeInferenceTest {

    /** Every intermediate shape we infer equals the one ONNX Runtime produces. */
    @Test
    void everyValueMatchesOnnxRuntime(@TempDir Path dir) throws Exception {
        Graph g = TestNets.allOpsNet(11);
        long[] input = {2, 3, 17, 17};
        Map<String, long[]> shapes = ShapeInference.infer(g, Map.of("image", input));
        List<ValueInfo> outs = new ArrayList<>();
        for (Node n : g.nodes()) {
            long[] s = shapes.get(n.output()).clone();
            s[0] = -1;
            outs.add(new ValueInfo(n.output(), DataType.FLOAT, s));
        }
        Graph all = new Graph(g.name(), g.inputs(), outs, g.nodes(), g.initializers());
        Path file = dir.resolve("all.onnx");
        OnnxExporter.write(all, file);
        List<OrtRunner.Output> ort = OrtRunner.run(file, new float[2 * 3 * 17 * 17], input);
        assertEquals(outs.size(), ort.size());
        for (int i = 0; i < outs.size(); i++) {
            assertArrayEquals(ort.get(i).shape(), shapes.get(outs.get(i).name()), "shape of " + outs.get(i).name()
                    + " (" + all.nodes().get(i).describe() + ")");
        }
    }

    private static Node conv(Attributes a) {
        return new Node("c", OpType.CONV, List.of("x", "w"), List.of("y"), a);
    }

    private static long[] convShape(long[] x, long[] w, Attributes a) {
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, x)),
                List.of(new ValueInfo("y", DataType.FLOAT, new long[] {-1})), List.of(conv(a)),
                Map.of("w", TensorData.ofFloats(w, new float[(int) TensorData.size(w)])));
        return ShapeInference.infer(g, Map.of("x", x)).get("y");
    }

    @Test
    void convWindowArithmetic() {
        assertArrayEquals(new long[] {1, 8, 4, 3}, convShape(new long[] {1, 4, 8, 7}, new long[] {8, 4, 3, 3},
                Attributes.of("strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 0})));
        assertArrayEquals(new long[] {1, 8, 4, 4}, convShape(new long[] {1, 4, 7, 7}, new long[] {8, 4, 3, 3},
                Attributes.of("strides", new long[] {2, 2}, "auto_pad", "SAME_UPPER")));
        assertArrayEquals(new long[] {1, 8, 3, 3}, convShape(new long[] {1, 4, 7, 7}, new long[] {8, 2, 3, 3},
                Attributes.of("dilations", new long[] {2, 2}, "group", 2L)));
        assertArrayEquals(new long[] {1, 4, 5, 5}, convShape(new long[] {1, 4, 5, 5}, new long[] {4, 1, 3, 3},
                Attributes.of("group", 4L, "pads", new long[] {1, 1, 1, 1})));
    }

    @Test
    void channelMismatchNamesTheNodeAndShapes() {
        FcptsException e = assertThrows(FcptsException.class, () -> convShape(new long[] {1, 3, 8, 8},
                new long[] {8, 4, 3, 3}, Attributes.empty()));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("Conv 'c': input channels 3 do not match weight [8, 4, 3, 3] with group 1"),
                e.getMessage());
    }

    @Test
    void windowLargerThanInputIsAnError() {
        FcptsException e = assertThrows(FcptsException.class, () -> convShape(new long[] {1, 1, 2, 2},
                new long[] {1, 1, 5, 5}, Attributes.empty()));
        assertTrue(e.getMessage().contains("does not fit input size 2"), e.getMessage());
    }

    @Test
    void declaredInputShapeIsEnforced() {
        Graph g = TestNets.allOpsNet(1);
        FcptsException e = assertThrows(FcptsException.class,
                () -> ShapeInference.infer(g, Map.of("image", new long[] {1, 3, 16, 17})));
        assertTrue(e.getMessage().contains("input 'image' is declared [-1, 3, 17, 17], got [1, 3, 16, 17]"),
                e.getMessage());
    }

    @Test
    void cyclesAndDoubleProducersAreRejected() {
        Node a = new Node("a", OpType.RELU, List.of("v2"), List.of("v1"), Attributes.empty());
        Node b = new Node("b", OpType.RELU, List.of("v1"), List.of("v2"), Attributes.empty());
        List<ValueInfo> in = List.of(new ValueInfo("x", DataType.FLOAT, new long[] {1}));
        List<ValueInfo> out = List.of(new ValueInfo("v2", DataType.FLOAT, new long[] {1}));
        FcptsException cycle = assertThrows(FcptsException.class, () -> new Graph("g", in, out, List.of(a, b), Map.of()));
        assertTrue(cycle.getMessage().contains("cycle"), cycle.getMessage());
        Node c = new Node("c", OpType.RELU, List.of("x"), List.of("x"), Attributes.empty());
        FcptsException twice = assertThrows(FcptsException.class, () -> new Graph("g", in, in, List.of(c), Map.of()));
        assertTrue(twice.getMessage().contains("value 'x' is produced twice"), twice.getMessage());
    }
}
