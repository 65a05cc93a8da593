package io.github.fcpts4j.engine;

import static io.github.fcpts4j.testing.NonFinite.weights;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.engine.RealModelOpsTest.Case;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.NonFinite;
import io.github.fcpts4j.testing.OrtRunner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Non-finite values go through every op as they go through ONNX Runtime (issue 18 item 2): one node per
 * graph, an input uniform in [-1, 1) with NaN, +Inf and -Inf at a few scattered positions, and our output
 * has NaN exactly where ONNX Runtime's has NaN, the same infinities where it has infinities, and finite
 * values within 1e-4 + 1e-4 |ref| (as RealModelOpsTest) elsewhere. A kernel that turns NaN into 0
 * ({@code x > 0 ? x : 0}, {@code fmaxf(x, 0)}, a max that skips NaN) fails at the NaN's position; one that
 * skips a zero weight's 0 * Inf = NaN fails where ONNX Runtime's dense sum is NaN.
 *
 * <p>Where ONNX Runtime is surprising: Erf(NaN) is +-1 there (MLAS clamps |x| first); we match it (fcpts/ops.def).
 * MaxPool and ReduceMax are order-dependent there (MLAS's vector max pool restarts at a NaN: NaN only when it is
 * the window's last tap, else the max of the taps after it, even -FLT_MAX; ReduceMax keeps a NaN in some layouts
 * only in a row's first position, in others not at all), so there is nothing consistent to match: we propagate
 * NaN as IEEE max does. For those two ops the reference is ONNX Runtime's output with NaN wherever the window
 * or row holds a NaN (found by running the op in ONNX Runtime on the 0 / 1 indicator of the NaNs), and ONNX
 * Runtime's own NaNs must lie inside that set.
 */
class NonFiniteOpsTest extends CpuTest {

    private static Case of(String name, OpType op, Attributes a, long[] input, TensorData... constants) {
        return new Case(name, op, a, input, Arrays.asList(constants), 1, false);
    }

    private static TensorData floats(float... v) {
        return TensorData.ofFloats(new long[] {v.length}, v);
    }

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        long[] img = {2, 3, 6, 7};
        c.add(of("relu", OpType.RELU, Attributes.empty(), img));
        c.add(of("clip", OpType.CLIP, Attributes.empty(), img, floats(-0.5f), floats(0.5f)));
        c.add(of("clip relu6", OpType.CLIP, Attributes.empty(), img, floats(0f), floats(6f)));
        c.add(of("leaky relu", OpType.LEAKY_RELU, Attributes.of("alpha", 0.1f), img));
        c.add(of("sigmoid", OpType.SIGMOID, Attributes.empty(), img));
        c.add(of("hard sigmoid", OpType.HARD_SIGMOID, Attributes.of("alpha", 0.2f, "beta", 0.5f), img));
        c.add(of("hard swish", OpType.HARD_SWISH, Attributes.empty(), img));
        c.add(of("tanh", OpType.TANH, Attributes.empty(), img));
        c.add(of("exp", OpType.EXP, Attributes.empty(), img));
        c.add(of("erf", OpType.ERF, Attributes.empty(), img));
        c.add(of("sqrt", OpType.SQRT, Attributes.empty(), img));
        c.add(of("pow 2", OpType.POW, Attributes.empty(), img, floats(2f)));
        c.add(of("add", OpType.ADD, Attributes.empty(), img, floats(0.25f)));
        c.add(of("mul", OpType.MUL, Attributes.empty(), img, floats(0f)));
        c.add(of("div", OpType.DIV, Attributes.empty(), img, floats(2f)));
        c.add(of("max pool", OpType.MAX_POOL, Attributes.of("kernel_shape", new long[] {3, 3}, "strides",
                new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}), img));
        c.add(of("max pool 2x2", OpType.MAX_POOL, Attributes.of("kernel_shape", new long[] {2, 2}, "strides",
                new long[] {1, 1}), img));
        c.add(of("average pool", OpType.AVERAGE_POOL, Attributes.of("kernel_shape", new long[] {3, 3}, "pads",
                new long[] {1, 1, 1, 1}), img));
        c.add(of("average pool include pad", OpType.AVERAGE_POOL, Attributes.of("kernel_shape", new long[] {2, 2},
                "strides", new long[] {2, 2}, "count_include_pad", 1L), img));
        c.add(of("global average pool", OpType.GLOBAL_AVERAGE_POOL, Attributes.empty(), img));
        c.add(of("reduce max", OpType.REDUCE_MAX, Attributes.of("axes", new long[] {3}), img));
        c.add(of("reduce max channels", OpType.REDUCE_MAX, Attributes.of("axes", new long[] {1}), img));
        c.add(of("reduce mean", OpType.REDUCE_MEAN, Attributes.of("axes", new long[] {2, 3}), img));
        c.add(of("reduce sum", OpType.REDUCE_SUM, Attributes.empty(), img, TensorData.int64Vector(1)));
        c.add(of("softmax last", OpType.SOFTMAX, Attributes.of("axis", -1L), img));
        c.add(of("softmax channels", OpType.SOFTMAX, Attributes.of("axis", 1L), img));
        c.add(of("batch norm", OpType.BATCH_NORMALIZATION, Attributes.of("epsilon", 1e-5f), img,
                floats(1.5f, -0.5f, 0f), floats(0.1f, 0.2f, -0.3f), floats(0.05f, -0.1f, 0f), floats(1f, 0.5f, 2f)));
        c.add(of("conv", OpType.CONV, Attributes.of("pads", new long[] {1, 1, 1, 1}), img, weights(3, 4, 4, 3, 3, 3),
                floats(0.1f, -0.2f, 0f, 0.3f)));
        c.add(of("conv strided 1x1", OpType.CONV, Attributes.of("strides", new long[] {2, 2}), img,
                weights(4, 3, 5, 3, 1, 1)));
        c.add(of("conv depthwise", OpType.CONV, Attributes.of("group", 3L, "pads", new long[] {1, 1, 1, 1}), img,
                weights(5, 5, 3, 1, 3, 3)));
        c.add(of("conv transpose", OpType.CONV_TRANSPOSE, Attributes.of("strides", new long[] {2, 2}), img,
                weights(6, 4, 3, 2, 3, 3)));
        c.add(of("gemm", OpType.GEMM, Attributes.of("transB", 1L), new long[] {3, 10}, weights(7, 3, 6, 10),
                weights(8, 0, 6)));
        c.add(of("matmul", OpType.MATMUL, Attributes.empty(), new long[] {2, 3, 10}, weights(9, 4, 10, 5)));
        c.add(of("layer norm", OpType.LAYER_NORMALIZATION, Attributes.of("epsilon", 1e-5f), new long[] {4, 3, 10},
                weights(10, 0, 10), weights(11, 0, 10)));
        c.add(of("resize linear", OpType.RESIZE, Attributes.of("mode", "linear"), img, null, floats(1, 1, 2, 1.5f)));
        c.add(of("resize nearest", OpType.RESIZE, Attributes.of("mode", "nearest"), img, null, floats(1, 1, 2, 2)));
        c.add(of("pad reflect", OpType.PAD, Attributes.of("mode", "reflect"), img,
                TensorData.int64Vector(0, 0, 1, 2, 0, 0, 2, 1)));
        c.add(of("transpose", OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 2, 3, 1}), img));
        return c.stream().map(Arguments::of);
    }

    /** 1 where x is NaN, 0 elsewhere. */
    static float[] nanIndicator(float[] x) {
        float[] m = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            m[i] = Float.isNaN(x[i]) ? 1f : 0f;
        }
        return m;
    }

    /**
     * ONNX Runtime's max-op output {@code ref} with NaN where {@code holdsNaN} (the op applied to the NaN
     * indicator) is 1; its own NaNs must be among those.
     */
    static float[] withIeeeMaxNaNs(String what, float[] ref, float[] holdsNaN) {
        float[] out = ref.clone();
        for (int i = 0; i < ref.length; i++) {
            int at = i;
            assertTrue(!Float.isNaN(ref[i]) || holdsNaN[i] == 1f, () -> what + ": ONNX Runtime has NaN at [" + at
                    + "] from a window without NaN");
            if (holdsNaN[i] == 1f) {
                out[i] = Float.NaN;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nonFiniteInputsPropagateAsInOnnxRuntime(Case k, @TempDir Path dir) throws Exception {
        Graph g = RealModelOpsTest.graph(k);
        Path file = dir.resolve("op.onnx");
        OnnxExporter.write(g, file);
        float[] x = NonFinite.input(k.input(), 81);
        float[] ref = OrtRunner.run(file, x, k.input()).get(0).values();
        if (k.op() == OpType.MAX_POOL || k.op() == OpType.REDUCE_MAX) {
            ref = withIeeeMaxNaNs(k.name(), ref, OrtRunner.run(file, nanIndicator(x), k.input()).get(0).values());
        }
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("x", k.input()))) {
            NonFinite.assertSameNonFinite(k.name(), ref, e.run(Map.of("x", x)).get(g.outputs().get(0).name()));
        }
    }
}
