package io.github.fcpts4j.testing;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.Architectures;
import io.github.fcpts4j.models.ImageNetArchitectures;
import io.github.fcpts4j.models.NetBuilder;

/** Test networks: every IR op in one graph, and ResNet-20 with random BatchNorm statistics. */
public final class TestNets {
    private TestNets() {
    }

    /**
     * A small network touching every IR op: conv/BN/ReLU residual block, a
     * depthwise ReLU6 block with squeeze-excite (HardSigmoid, Mul) and HardSwish,
     * LeakyRelu, Sigmoid, Sub, Div, a gate through Erf, Tanh, Exp and Sqrt,
     * MaxPool, AveragePool (ceil mode), Concat,
     * Transpose and Reshape on the side, GlobalAveragePool, Flatten, Gemm,
     * MatMul, Softmax. Input [N, 3, 17, 17] (odd on purpose), output [N, 15].
     */
    public static Graph allOpsNet(long seed) {
        NetBuilder b = new NetBuilder("all_ops", seed, NetBuilder.Init.RANDOM_STATISTICS);
        String x = b.input("image", 3, 17, 17);
        String stem = b.relu(b.batchNorm(b.conv(x, 3, 16, 3, 2, 1, false), 16));              // 16 x 9 x 9
        String res = b.relu(b.batchNorm(b.conv(stem, 16, 16, 3, 1, 1, true), 16));
        String block = b.add(stem, b.batchNorm(b.conv(res, 16, 16, 3, 1, 1, false), 16));
        String dw = b.relu6(b.conv(b.relu(block), 16, 16, 3, 1, 16, true));                  // depthwise
        String se = b.node(OpType.GLOBAL_AVERAGE_POOL, Attributes.empty(), dw);
        se = b.node(OpType.HARD_SIGMOID, Attributes.of("alpha", 1f / 6, "beta", 0.5f), b.relu(b.conv(se, 16, 4, 1, 1, 1,
                true)));
        se = b.conv(se, 4, 16, 1, 1, 1, true);
        String gated = b.node(OpType.MUL, Attributes.empty(), dw, b.node(OpType.SIGMOID, Attributes.empty(), se));
        String hs = b.node(OpType.HARD_SWISH, Attributes.empty(), gated);
        String leaky = b.node(OpType.LEAKY_RELU, Attributes.of("alpha", 0.1f), b.conv(hs, 16, 24, 1, 1, 1, false));
        String scaled = b.node(OpType.DIV, Attributes.empty(), b.node(OpType.SUB, Attributes.empty(), leaky,
                b.constant("offset", NetBuilder.filled(new long[] {24, 1, 1}, 0.05f))),
                b.constant("scale", TensorData.ofFloats(new long[0], new float[] {1.5f})));
        // a smooth gate through the transcendental ops: sqrt(exp(tanh(erf(v)))) lies in (0.6, 1.7), so Sqrt
        // sees only positive inputs and Exp cannot overflow
        String smooth = b.node(OpType.SQRT, Attributes.empty(), b.node(OpType.EXP, Attributes.empty(),
                b.node(OpType.TANH, Attributes.empty(), b.node(OpType.ERF, Attributes.empty(), scaled))));
        String gatedScaled = b.node(OpType.MUL, Attributes.empty(), scaled, smooth);
        String maxPool = b.node(OpType.MAX_POOL, Attributes.of("kernel_shape", new long[] {3, 3},
                "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}), gatedScaled);         // 24 x 5 x 5
        String avgPool = b.node(OpType.AVERAGE_POOL, Attributes.of("kernel_shape", new long[] {2, 2},
                "strides", new long[] {2, 2}, "ceil_mode", 1L), gatedScaled);                       // 24 x 5 x 5
        String cat = b.node(OpType.CONCAT, Attributes.of("axis", 1L), maxPool, avgPool);             // 48 x 5 x 5
        String swapped = b.node(OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 1, 3, 2}), cat);
        String pooled = b.node(OpType.GLOBAL_AVERAGE_POOL, Attributes.empty(), swapped);
        String flat = b.node(OpType.FLATTEN, Attributes.of("axis", 1L), pooled);                    // 48
        String logits = b.gemm(flat, 48, 12);
        String reshaped = b.node(OpType.RESHAPE, Attributes.empty(), logits,
                b.constant("shape", TensorData.int64Vector(0, 3, 4)));                              // N x 3 x 4
        String mm = b.node(OpType.MATMUL, Attributes.empty(), reshaped, b.randomTensor("proj", 0.5, 4, 5));
        String out = b.node(OpType.SOFTMAX, Attributes.of("axis", -1L), b.node(OpType.RESHAPE, Attributes.empty(), mm,
                b.constant("shape2", TensorData.int64Vector(0, -1))));                            // N x 15
        b.output(out, -1, 15);
        return b.build();
    }

    /** ResNet-20 (28 x 28 x 1, no input normalization) with random BatchNorm statistics and biases. */
    public static Graph resnet20(long seed) {
        return resnet20(seed, OpType.RELU);
    }

    public static Graph resnet20(long seed, OpType activation) {
        return Architectures.resnet20(seed, NetBuilder.Init.RANDOM_STATISTICS, activation, false);
    }

    private static NetBuilder builder(String name, long seed) {
        return new NetBuilder(name, seed, NetBuilder.Init.RANDOM_STATISTICS);
    }

    public static Graph resnet18(long seed) {
        return ImageNetArchitectures.resnet18(seed, NetBuilder.Init.RANDOM_STATISTICS);
    }

    public static Graph resnet50(long seed) {
        return ImageNetArchitectures.resnet50(seed, NetBuilder.Init.RANDOM_STATISTICS);
    }

    public static Graph mobilenetV2(long seed) {
        return ImageNetArchitectures.mobilenetV2(seed, NetBuilder.Init.RANDOM_STATISTICS);
    }

    /**
     * MobileNetV3-style blocks on 3 x 56 x 56: 1x1 expand, 3x3 depthwise,
     * squeeze-excite (GlobalAveragePool, 1x1 reduce, ReLU, 1x1 expand,
     * HardSigmoid, Mul) and HardSwish activations, with a residual block.
     */
    public static Graph mobilenetV3Block(long seed) {
        NetBuilder b = builder("mobilenetv3_block", seed);
        String x = b.batchNorm(b.conv(b.input("image", 3, 56, 56), 3, 16, 3, 2, 1, false), 16);
        x = b.node(OpType.HARD_SWISH, Attributes.empty(), x);
        long in = 16;
        for (long[] s : new long[][] {{4, 24, 2}, {3, 24, 1}}) {
            long hidden = in * s[0], out = s[1], stride = s[2];
            String h = b.node(OpType.HARD_SWISH, Attributes.empty(),
                    b.batchNorm(b.conv(x, in, hidden, 1, 1, 1, false), hidden));
            h = b.node(OpType.HARD_SWISH, Attributes.empty(),
                    b.batchNorm(b.conv(h, hidden, hidden, 3, stride, hidden, false), hidden));
            String se = b.node(OpType.GLOBAL_AVERAGE_POOL, Attributes.empty(), h);
            se = b.relu(b.conv(se, hidden, hidden / 4, 1, 1, 1, true));
            se = b.node(OpType.HARD_SIGMOID, Attributes.of("alpha", 1f / 6, "beta", 0.5f),
                    b.conv(se, hidden / 4, hidden, 1, 1, 1, true));
            h = b.node(OpType.MUL, Attributes.empty(), h, se);
            h = b.batchNorm(b.conv(h, hidden, out, 1, 1, 1, false), out);
            x = stride == 1 && in == out ? b.add(x, h) : h;
            in = out;
        }
        b.classifier(b.node(OpType.HARD_SWISH, Attributes.empty(), x), 24, 10);
        return b.build();
    }
}
