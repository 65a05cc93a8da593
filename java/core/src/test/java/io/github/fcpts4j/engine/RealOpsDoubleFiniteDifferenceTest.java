package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.testing.ReferenceInterpreter;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.TestNets;
import io.github.fcpts4j.testing.CpuTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * {@link DoubleFiniteDifferenceTest} for the ops added for third-party models
 * ({@link TestNets#realModelOpsNet}): ConvTranspose (strided with output_padding;
 * grouped, dilated, asymmetric pads), Resize (nearest, linear half_pixel, linear
 * align_corners), Pad (reflect, constant), Split + Concat, Slice (step 2),
 * Squeeze / Unsqueeze, Gather, Cast, ReduceMean / Max / Sum, LayerNormalization,
 * Pow 2, and batched MatMul of two activations with Softmax. A forward-only
 * check of single-op graphs covers the remaining modes (every Resize coordinate
 * and nearest mode, every Pad mode, Equal, Cast, reductions over all axes,
 * negative Slice steps, ConvTranspose with auto_pad).
 *
 * <p>Our float forward and backward against a double-precision reference
 * interpreter written from the ONNX definitions ({@link ReferenceInterpreter}):
 * forward outputs agree, and every checked gradient entry agrees with central
 * finite differences computed in double (step 1e-5: truncation ~1e-10, rounding
 * ~1e-11, and a kink of ReLU / max-pool / clip is crossed with negligible
 * probability, so real ReLU networks can be checked).
 *
 * <p>Tolerance on gradients |ours - fd| <= 1e-4 + 2e-3 |fd|: our backward runs
 * in float with sums of up to a few thousand terms per entry (relative error
 * ~1e-5 typical, 1e-4 in the worst cancellations); a wrong backward is off by
 * O(1). Forward: 1e-4 + 1e-4 |ref|, as against ONNX Runtime.
 */
class RealOpsDoubleFiniteDifferenceTest extends CpuTest {
    @Test
    void realModelOpsAgainstTheDoubleReference() {
        // every weight tensor (convolutions, ConvTranspose, LayerNorm, projections, Gemm), 4 entries each, and 4
        // input entries
        DoubleReferenceCheck.check(cpu, TestNets.realModelOpsNet(71), new long[] {2, 3, 5, 7}, 1000, 4, 81);
    }

    @Test
    void realModelOpsAnotherSeed() {
        DoubleReferenceCheck.check(cpu, TestNets.realModelOpsNet(72), new long[] {2, 3, 5, 7}, 1000, 4, 82);
    }

    /** One op on a [2, 3, 5, 7] input, our forward against the reference's (the modes the net above leaves out). */
    private void forward(String what, java.util.function.Function<NetBuilder, String> op, List<String> failures) {
        NetBuilder b = new NetBuilder("one_op", 5, NetBuilder.Init.RANDOM_STATISTICS);
        b.input("image", 3, 5, 7);
        String out = op.apply(b);
        b.output(out);
        Graph g = b.build();
        long[] shape = {2, 3, 5, 7};
        float[] x = TestData.uniform(210, 91);
        double[] expected = new ReferenceInterpreter(g, Map.of("image", shape)).run(Map.of("image", DoubleReferenceCheck.toDouble(x)), Map.of());
        try (NetworkExecutor e = NetworkExecutor.compile(g, cpu, Map.of("image", shape), false)) {
            float[] y = e.run(Map.of("image", x)).get(out);
            if (y.length != expected.length) {
                failures.add(what + ": " + y.length + " values, reference " + expected.length);
                return;
            }
            for (int i = 0; i < y.length; i++) {
                if (Math.abs(y[i] - expected[i]) > 1e-4 + 1e-4 * Math.abs(expected[i])) {
                    failures.add(what + "[" + i + "]: ours " + y[i] + ", reference " + expected[i]);
                    return;
                }
            }
        }
    }

    @Test
    void everyResizePadReduceModeAgainstTheDoubleReference() {
        List<String> failures = new ArrayList<>();
        List<String> coordinates = List.of("half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners",
                "tf_half_pixel_for_nn");
        for (String ct : coordinates) {
            for (String nearest : List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")) {
                // scales 1.3 x 1.35 and 0.7 x 0.65 of 5 x 7: no coordinate comes within 1e-3 of a rounding tie,
                // where float (ours, as ONNX Runtime) and double could round apart; with sizes the scale
                // out / in puts some coordinate on a tie for every size, so sizes only where it is exact
                for (float[] sc : new float[][] {{1, 1, 1.3f, 1.35f}, {1, 1, 0.7f, 0.65f}}) {
                    forward("nearest " + ct + " " + nearest + " scales " + Arrays.toString(sc), b -> b.node(
                            OpType.RESIZE, Attributes.of("mode", "nearest", "coordinate_transformation_mode", ct,
                            "nearest_mode", nearest), "image", "", b.constant("scales", TensorData.ofFloats(
                            new long[] {4}, sc))), failures);
                }
                if (ct.equals("align_corners")) {
                    forward("nearest " + ct + " " + nearest + " sizes", b -> b.node(OpType.RESIZE, Attributes.of(
                            "mode", "nearest", "coordinate_transformation_mode", ct, "nearest_mode", nearest), "image",
                            "", "", b.constant("sizes", TensorData.int64Vector(2, 3, 8, 9))), failures);
                }
            }
            forward("linear " + ct + " sizes", b -> b.node(OpType.RESIZE, Attributes.of("mode", "linear",
                    "coordinate_transformation_mode", ct), "image", "", "",
                    b.constant("sizes", TensorData.int64Vector(2, 3, 8, 4))), failures);
            forward("linear " + ct, b -> b.node(OpType.RESIZE, Attributes.of("mode", "linear",
                    "coordinate_transformation_mode", ct), "image", "",
                    b.constant("scales", TensorData.ofFloats(new long[] {4}, new float[] {1, 1, 1.7f, 0.6f}))), failures);
        }
        for (String mode : List.of("constant", "reflect", "edge", "wrap")) {
            forward("pad " + mode, b -> b.node(OpType.PAD, Attributes.of("mode", mode), "image",
                    b.constant("pads", TensorData.int64Vector(0, 1, 2, 3, 1, 0, 4, 6))), failures);
            forward("pad " + mode + " axes", b -> b.node(OpType.PAD, Attributes.of("mode", mode), "image",
                    b.constant("pads", TensorData.int64Vector(3, 1, 2, 2)), "",
                    b.constant("axes", TensorData.int64Vector(-1, 2))), failures);
        }
        forward("equal", b -> b.node(OpType.EQUAL, Attributes.empty(), "image", b.relu("image")), failures);
        forward("cast to float16", b -> b.node(OpType.CAST, Attributes.of("to", 10L), "image"), failures);
        forward("reduce max over all", b -> b.node(OpType.REDUCE_MAX, Attributes.of("keepdims", 0L), "image"), failures);
        forward("reduce mean keepdims", b -> b.node(OpType.REDUCE_MEAN, Attributes.of("axes", new long[] {1, -1}),
                "image"), failures);
        forward("reduce sum", b -> b.node(OpType.REDUCE_SUM, Attributes.empty(), "image",
                b.constant("axes", TensorData.int64Vector(0, 2))), failures);
        forward("slice negative step", b -> b.node(OpType.SLICE, Attributes.empty(), "image",
                b.constant("starts", TensorData.int64Vector(-1, 4)), b.constant("ends", TensorData.int64Vector(-100, 0)),
                b.constant("axes", TensorData.int64Vector(3, 2)), b.constant("steps", TensorData.int64Vector(-2, -3))),
                failures);
        forward("split equal parts", b -> b.node(OpType.SPLIT, Attributes.of("axis", -1L, "num_outputs", 1L), "image"),
                failures);
        forward("layer norm over 3 axes", b -> b.node(OpType.LAYER_NORMALIZATION, Attributes.of("axis", 1L), "image",
                b.randomTensor("scale", 1, 3, 5, 7), b.randomTensor("bias", 1, 3, 5, 7)), failures);
        forward("pow 3", b -> b.node(OpType.POW, Attributes.empty(), "image",
                b.constant("exponent", TensorData.ofFloats(new long[] {1}, new float[] {3f}))), failures);
        forward("conv transpose same_upper", b -> b.node(OpType.CONV_TRANSPOSE, Attributes.of("strides",
                new long[] {2, 3}, "auto_pad", "SAME_UPPER", "group", 3L), "image", b.randomTensor("w", 1, 3, 2, 3, 4),
                b.randomTensor("b", 1, 6)), failures);
        forward("matmul of two activations", b -> b.node(OpType.MATMUL, Attributes.empty(), "image",
                b.node(OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 1, 3, 2}), "image")), failures);
        assertTrue(failures.isEmpty(), () -> failures.size() + " mismatches: " + failures);
    }
}
