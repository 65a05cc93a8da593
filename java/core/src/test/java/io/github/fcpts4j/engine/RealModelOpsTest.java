package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.OrtRunner;
import io.github.fcpts4j.testing.TestData;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ops real third-party CNNs need (Resize in every nearest / linear and coordinate mode, ConvTranspose,
 * Pad in each mode, Split, Slice, Squeeze / Unsqueeze, Gather, Cast, the reductions, LayerNormalization,
 * Pow, batched MatMul), one node per graph on odd shapes, against ONNX Runtime (opset 17 export), and
 * their backward against central finite differences of our forward.
 *
 * <p>Forward tolerance 1e-4 + 1e-4 |ref|, as for every op (NetworkExecutorTest). Gradients: the probe loss
 * L = sum r_i y_i, d L / d x entries and every float-constant input's entries checked against
 * (L(x + e) - L(x - e)) / 2e with e = 1e-3 in float: |fd - analytic| <= 2e-3 + 3e-2 |analytic| (float
 * rounding of L over 2e is ~1e-4; a transposed or misrouted map is off by O(1)). Inputs are uniform in
 * [-1, 1) (Pow and Sqrt-like cases shift them positive), so ReduceMax ties and Resize's nearest rounding
 * boundaries are crossed with negligible probability.
 */
class RealModelOpsTest extends CpuTest {
    private static final float EPS = 1e-3f;

    /** One case: an op with attributes, its data input shape and its constant inputs (null = omitted). */
    record Case(String name, OpType op, Attributes attributes, long[] input, List<TensorData> constants,
                int outputs, boolean positive) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case of(String name, OpType op, Attributes a, long[] input, TensorData... constants) {
        return new Case(name, op, a, input, Arrays.asList(constants), 1, false);
    }

    private static TensorData ints(long... v) {
        return TensorData.int64Vector(v);
    }

    private static TensorData floats(float... v) {
        return TensorData.ofFloats(new long[] {v.length}, v);
    }

    private static TensorData random(long seed, long... dims) {
        return TensorData.ofFloats(dims, TestData.uniform((int) TensorData.size(dims), seed, 0.5));
    }

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        long[] img = {2, 3, 5, 7};
        for (String ct : List.of("half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners",
                "tf_half_pixel_for_nn")) {
            for (String nm : List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")) {
                c.add(of("resize nearest " + ct + " " + nm, OpType.RESIZE, Attributes.of("mode", "nearest",
                        "coordinate_transformation_mode", ct, "nearest_mode", nm), img, null,
                        floats(1, 1, 2.5f, 1.5f)));
            }
            if (!ct.equals("tf_half_pixel_for_nn")) {
                c.add(of("resize linear " + ct + " up", OpType.RESIZE, Attributes.of("mode", "linear",
                        "coordinate_transformation_mode", ct), img, null, floats(1, 1, 2, 3)));
                c.add(of("resize linear " + ct + " down", OpType.RESIZE, Attributes.of("mode", "linear",
                        "coordinate_transformation_mode", ct), new long[] {1, 2, 9, 8}, null, floats(1, 1, 0.5f, 0.6f)));
            }
        }
        c.add(of("resize nearest by sizes", OpType.RESIZE, Attributes.of("mode", "nearest"), img, null, null,
                ints(2, 3, 11, 4)));
        c.add(of("resize linear by sizes", OpType.RESIZE, Attributes.of("mode", "linear"), img, null, null,
                ints(2, 3, 4, 13)));
        c.add(of("resize nhwc nearest", OpType.RESIZE, Attributes.of("mode", "nearest",
                "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor"), new long[] {1, 5, 6, 3},
                null, floats(1, 2, 2, 1)));
        for (String mode : List.of("constant", "reflect", "edge")) {
            c.add(of("pad " + mode, OpType.PAD, Attributes.of("mode", mode), img, ints(0, 0, 1, 2, 0, 1, 2, 1),
                    floats(0.25f)));
            c.add(of("pad " + mode + " nhwc with a crop", OpType.PAD, Attributes.of("mode", mode),
                    new long[] {1, 6, 5, 3}, ints(0, 2, -1, 0, 0, 1, 2, 0)));
        }
        c.add(of("slice steps", OpType.SLICE, Attributes.empty(), img, ints(0, 1, 6), ints(2, -1, 0), ints(1, 2, 3),
                ints(1, 1, -2)));
        c.add(of("slice one axis", OpType.SLICE, Attributes.empty(), new long[] {3, 2, 4, 5}, ints(1), ints(2),
                ints(0)));
        c.add(new Case("split uneven", OpType.SPLIT, Attributes.of("axis", 2L), img, List.of(ints(1, 3, 1)), 3, false));
        c.add(new Case("split equal", OpType.SPLIT, Attributes.of("axis", -1L), new long[] {2, 3, 4, 6}, List.of(), 3,
                false));
        c.add(of("squeeze", OpType.SQUEEZE, Attributes.empty(), new long[] {2, 1, 5, 1}, ints(1, 3)));
        c.add(of("unsqueeze", OpType.UNSQUEEZE, Attributes.empty(), new long[] {2, 5}, ints(0, -1)));
        c.add(of("cast to float", OpType.CAST, Attributes.of("to", 1L), img));
        c.add(of("gather rows", OpType.GATHER, Attributes.of("axis", 1L), img, ints(2, 0, 2, -1)));
        c.add(of("gather 2-d indices", OpType.GATHER, Attributes.of("axis", 3L), img,
                TensorData.ofLongs(DataType.INT64, new long[] {2, 2}, new long[] {6, 0, 3, 3})));
        c.add(of("reduce mean last", OpType.REDUCE_MEAN, Attributes.of("axes", new long[] {-1}), img));
        c.add(of("reduce mean spatial no keepdims", OpType.REDUCE_MEAN, Attributes.of("axes", new long[] {2, 3},
                "keepdims", 0L), img));
        c.add(of("reduce sum channels", OpType.REDUCE_SUM, Attributes.empty(), img, ints(1)));
        c.add(of("reduce max middle", OpType.REDUCE_MAX, Attributes.of("axes", new long[] {1, 2}), img));
        c.add(of("reduce max all", OpType.REDUCE_MAX, Attributes.of("keepdims", 0L), new long[] {3, 7}));
        c.add(of("layer norm last", OpType.LAYER_NORMALIZATION, Attributes.of("epsilon", 1e-5f), new long[] {2, 7, 9},
                random(3, 9), random(4, 9)));
        c.add(of("layer norm two axes", OpType.LAYER_NORMALIZATION, Attributes.of("axis", -2L), new long[] {3, 5, 4},
                random(5, 5, 4), random(6, 5, 4)));
        c.add(new Case("pow 2", OpType.POW, Attributes.empty(), img, List.of(floats(2f)), 1, false));
        c.add(new Case("pow 0.5", OpType.POW, Attributes.empty(), img, List.of(floats(0.5f)), 1, true));
        c.add(of("conv transpose stride 2", OpType.CONV_TRANSPOSE, Attributes.of("strides", new long[] {2, 2},
                "pads", new long[] {1, 0, 0, 1}, "output_padding", new long[] {1, 0}), img, random(7, 3, 4, 3, 3),
                random(8, 4)));
        c.add(of("conv transpose grouped dilated", OpType.CONV_TRANSPOSE, Attributes.of("group", 3L,
                "dilations", new long[] {2, 1}, "strides", new long[] {1, 3}), new long[] {1, 6, 4, 5},
                random(9, 6, 2, 2, 3)));
        c.add(of("conv transpose output_shape", OpType.CONV_TRANSPOSE, Attributes.of("strides", new long[] {2, 2},
                "output_shape", new long[] {10, 15}, "auto_pad", "SAME_UPPER"), img, random(10, 3, 2, 3, 3)));
        return c.stream().map(Arguments::of);
    }

    /** The one-node graph of a case: data input "x", constants "c1".."ck" (in input order), outputs "y0".. */
    static Graph graph(Case k) {
        Map<String, TensorData> init = new LinkedHashMap<>();
        List<String> ins = new ArrayList<>(List.of("x"));
        for (int i = 0; i < k.constants().size(); i++) {
            TensorData t = k.constants().get(i);
            if (t == null) {
                ins.add("");
            } else {
                init.put("c" + (i + 1), t);
                ins.add("c" + (i + 1));
            }
        }
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < k.outputs(); i++) {
            outs.add("y" + i);
        }
        Node node = new Node("op", k.op(), ins, outs, k.attributes());
        List<ValueInfo> inputs = List.of(new ValueInfo("x", DataType.FLOAT, k.input()));
        Graph probe = new Graph("probe", inputs, List.of(), List.of(node), init);
        Map<String, long[]> shapes = ShapeInference.infer(probe, Map.of("x", k.input()));
        List<ValueInfo> outputs = outs.stream().map(o -> new ValueInfo(o, DataType.FLOAT, shapes.get(o))).toList();
        return new Graph(k.name().replace(' ', '_'), inputs, outputs, List.of(node), init);
    }

    static float[] input(Case k) {
        float[] x = TestData.uniform((int) TensorData.size(k.input()), 71, 1.0);
        if (k.positive()) {
            for (int i = 0; i < x.length; i++) {
                x[i] = 0.2f + Math.abs(x[i]);
            }
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesOnnxRuntime(Case k, @TempDir Path dir) throws Exception {
        Graph g = graph(k);
        Path file = dir.resolve("op.onnx");
        OnnxExporter.write(g, file);
        float[] x = input(k);
        List<OrtRunner.Output> ort = OrtRunner.run(file, x, k.input());
        assertEquals(g.outputs().size(), ort.size());
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("x", k.input()))) {
            Map<String, float[]> ours = e.run(Map.of("x", x));
            for (int o = 0; o < ort.size(); o++) {
                String name = g.outputs().get(o).name();
                long[] ref = ort.get(o).shape(), got = e.shape(name);
                assertTrue(Arrays.equals(ref, got), () -> k + ": output " + name + " is " + Arrays.toString(got)
                        + ", ONNX Runtime " + Arrays.toString(ref));
                assertClose(k + " " + name, ort.get(o).values(), ours.get(name));
            }
        }
    }

    /** Equal gives ONNX's bool: compared through the Cast to float that models put after it (M-LSD does). */
    @org.junit.jupiter.api.Test
    void equalThenCastMatchesOnnxRuntimeAndHasNoGradient(@TempDir Path dir) throws Exception {
        long[] shape = {2, 3, 4};
        float[] x = {0f, 1f, -1f, 0.5f, 0f, 2f, -1f, 0.5f, 3f, 1f, -1f, 0f, 0f, 1f, 9f, 0.5f, 0f, -0f, -1f, 0.25f,
            7f, 1f, -1f, 0.5f};
        Map<String, TensorData> init = new LinkedHashMap<>();
        init.put("c", TensorData.ofFloats(new long[] {4}, new float[] {0f, 1f, -1f, 0.5f}));
        List<Node> nodes = List.of(new Node("eq", OpType.EQUAL, List.of("x", "c"), List.of("b"), Attributes.empty()),
                new Node("cast", OpType.CAST, List.of("b"), List.of("y"), Attributes.of("to", 1L)));
        Graph g = new Graph("equal", List.of(new ValueInfo("x", DataType.FLOAT, shape)),
                List.of(new ValueInfo("y", DataType.FLOAT, shape)), nodes, init);
        Path file = dir.resolve("equal.onnx");
        OnnxExporter.write(g, file);
        float[] expected = OrtRunner.run(file, x, shape).get(0).values();
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("x", shape), true)) {
            float[] y = e.run(Map.of("x", x)).get("y");
            assertTrue(Arrays.equals(expected, y), () -> "Equal: ours " + Arrays.toString(y) + " vs ONNX Runtime "
                    + Arrays.toString(expected));
            float[] ones = new float[y.length];
            Arrays.fill(ones, 1f);
            e.backward(Map.of("y", ones));
            for (float d : e.gradient("x")) {
                assertEquals(0f, d, "Equal has no gradient");
            }
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        int bad = 0, worst = 0;
        double worstRatio = -1;
        for (int i = 0; i < expected.length; i++) {
            double ratio = Math.abs(actual[i] - expected[i]) / (1e-4 + 1e-4 * Math.abs(expected[i]));
            if (!(ratio <= 1)) {
                bad++;
            }
            if (!(ratio <= worstRatio)) {
                worstRatio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
                worst = i;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " differ from ONNX Runtime; worst [" + worst + "] ours "
                    + actual[worst] + " vs " + expected[worst]);
        }
    }

    private double loss(Graph g, Case k, float[] x, float[] r) {
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("x", k.input()))) {
            Map<String, float[]> y = e.run(Map.of("x", x));
            double l = 0;
            int at = 0;
            for (ValueInfo o : g.outputs()) {
                for (float v : y.get(o.name())) {
                    l += (double) r[at++] * v;
                }
            }
            return l;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(Case k) {
        Graph g = graph(k);
        float[] x = input(k);
        Map<String, float[]> seeds = new LinkedHashMap<>();
        float[] r;
        Map<String, float[]> analytic = new LinkedHashMap<>();
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("x", k.input()), true)) {
            Map<String, float[]> y = e.run(Map.of("x", x));
            int total = y.values().stream().mapToInt(v -> v.length).sum();
            r = TestData.uniform(total, 72, 1.0);
            int at = 0;
            for (ValueInfo o : g.outputs()) {
                int len = y.get(o.name()).length;
                seeds.put(o.name(), Arrays.copyOfRange(r, at, at + len));
                at += len;
            }
            e.backward(seeds);
            analytic.put("x", e.gradient("x"));
            for (String c : g.initializers().keySet()) {
                if (g.initializer(c).orElseThrow().isFloat() && k.op() != OpType.PAD && k.op() != OpType.RESIZE
                        && k.op() != OpType.POW) {
                    analytic.put(c, e.gradient(c));
                }
            }
        }
        SplittableRandom pick = new SplittableRandom(73);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (var entry : analytic.entrySet()) {
            float[] grad = entry.getValue();
            for (int t = 0; t < Math.min(12, grad.length); t++) {
                int i = pick.nextInt(grad.length);
                double fd;
                if (entry.getKey().equals("x")) {
                    float[] plus = x.clone(), minus = x.clone();
                    plus[i] += EPS;
                    minus[i] -= EPS;
                    fd = (loss(g, k, plus, r) - loss(g, k, minus, r)) / (plus[i] - minus[i]);
                } else {
                    TensorData w = g.initializer(entry.getKey()).orElseThrow();
                    float[] plus = w.floats(), minus = w.floats();
                    plus[i] += EPS;
                    minus[i] -= EPS;
                    fd = (loss(g.withInitializer(entry.getKey(), TensorData.ofFloats(w.dims(), plus)), k, x, r)
                            - loss(g.withInitializer(entry.getKey(), TensorData.ofFloats(w.dims(), minus)), k, x, r))
                            / (plus[i] - minus[i]);
                }
                checked++;
                if (!(Math.abs(fd - grad[i]) <= 2e-3 + 3e-2 * Math.abs(grad[i]))) {
                    failures.add(entry.getKey() + "[" + i + "]: backward " + grad[i] + ", finite difference " + fd);
                }
            }
        }
        int total = checked;
        assertTrue(failures.isEmpty(), () -> k + ": " + failures.size() + " of " + total + " gradient entries off: "
                + failures);
    }
}
