package io.github.fcpts4j.testing;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.Architectures;
import io.github.fcpts4j.models.ImageNetArchitectures;
import io.github.fcpts4j.models.NetBuilder;

import java.util.ArrayList;
import java.util.List;

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

    /**
     * The ops added for third-party models, in one graph with convolutions upstream and weights downstream
     * of each: Conv; ConvTranspose (stride 2 with output_padding) and a grouped, dilated one with
     * asymmetric pads; Resize nearest (tf_half_pixel_for_nn, round_prefer_ceil, from scales), linear
     * half_pixel (scales) and linear align_corners (sizes); Pad reflect and constant; Slice with step 2;
     * Conv; Split (two outputs, of sizes 3 and 5) into Pow 2 and Tanh, Concat back in swapped order;
     * Reshape, Transpose, Gather (a repeat and a negative index), Cast, LayerNormalization, attention
     * (three MatMul projections, a batched MatMul of two activations, Softmax, a second batched MatMul),
     * Unsqueeze, ReduceMean, ReduceMax, ReduceSum, Squeeze, Gemm. Input [N, 3, 5, 7] (N = 2: the Resize
     * sizes fix it), output [N, 4].
     */
    public static Graph realModelOpsNet(long seed) {
        NetBuilder b = builder("real_model_ops", seed);
        String x = b.input("image", 3, 5, 7);
        String c1 = b.conv(x, 3, 6, 3, 1, 1, true);                                                  // 6 x 5 x 7
        String t1 = b.node(OpType.CONV_TRANSPOSE, Attributes.of("kernel_shape", new long[] {3, 3},
                "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}, "output_padding", new long[] {1, 0}),
                c1, b.randomTensor("ct_weight", 0.3, 6, 4, 3, 3), b.randomTensor("ct_bias", 0.05, 4)); // 4 x 10 x 13
        String t2 = b.node(OpType.CONV_TRANSPOSE, Attributes.of("kernel_shape", new long[] {3, 3}, "group", 2L,
                "dilations", new long[] {2, 2}, "pads", new long[] {2, 1, 2, 3}),
                t1, b.randomTensor("ct_grouped", 0.4, 4, 3, 3, 3));                                 // 6 x 10 x 13
        String none = "";
        String rA = b.node(OpType.RESIZE, Attributes.of("mode", "nearest", "coordinate_transformation_mode",
                "tf_half_pixel_for_nn", "nearest_mode", "round_prefer_ceil"), t2, none,
                b.constant("scales", TensorData.ofFloats(new long[] {4}, new float[] {1, 1, 0.5f, 0.5f}))); // 6 x 5 x 6
        String rB = b.node(OpType.RESIZE, Attributes.of("mode", "linear", "coordinate_transformation_mode",
                "half_pixel"), c1, none,
                b.constant("scales", TensorData.ofFloats(new long[] {4}, new float[] {1, 1, 1.6f, 1.5f}))); // 6 x 8 x 10
        String pB = b.node(OpType.PAD, Attributes.of("mode", "reflect"), rB,
                b.constant("pads", TensorData.int64Vector(0, 0, 1, 2, 0, 0, 2, 1)));                 // 6 x 11 x 13
        String pT = b.node(OpType.PAD, Attributes.of("mode", "constant"), t2,
                b.constant("pads", TensorData.int64Vector(0, 0, 1, 0, 0, 0, 0, 0)),
                b.constant("value", TensorData.ofFloats(new long[0], new float[] {0.3f})));          // 6 x 11 x 13
        String rC = b.node(OpType.RESIZE, Attributes.of("mode", "linear", "coordinate_transformation_mode",
                "align_corners"), rA, none, none, b.constant("sizes", TensorData.int64Vector(2, 6, 11, 13)));
        String sum = b.add(b.add(pB, pT), rC);                                                      // 6 x 11 x 13
        String sliced = b.node(OpType.SLICE, Attributes.empty(), sum, b.constant("starts", TensorData.int64Vector(0, 1)),
                b.constant("ends", TensorData.int64Vector(11, 13)), b.constant("axes", TensorData.int64Vector(2, -1)),
                b.constant("steps", TensorData.int64Vector(2, 2)));                                  // 6 x 6 x 6
        String c2 = b.conv(sliced, 6, 8, 3, 1, 1, true);                                             // 8 x 6 x 6
        String split = b.node(OpType.SPLIT, Attributes.of("axis", 1L), c2, b.constant("split",
                TensorData.int64Vector(3, 5)));
        String first = split, second = split + "_1";                                                 // 3, 5 channels
        String pow = b.node(OpType.POW, Attributes.empty(), first,
                b.constant("exponent", TensorData.ofFloats(new long[0], new float[] {2f})));
        String tanh = b.node(OpType.TANH, Attributes.empty(), first);  // reads second: rewired below
        String cat = b.node(OpType.CONCAT, Attributes.of("axis", 1L), tanh, pow);                    // 8 x 6 x 6
        String tokens = b.node(OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 2, 1}), b.node(OpType.RESHAPE,
                Attributes.empty(), cat, b.constant("shape", TensorData.int64Vector(0, 8, 36))));  // 36 x 8
        String picked = b.node(OpType.GATHER, Attributes.of("axis", 1L), tokens,
                b.constant("indices", TensorData.ofLongs(io.github.fcpts4j.ir.DataType.INT64, new long[] {3, 4},
                        new long[] {0, 5, 7, 35, 12, 5, -1, 20, 30, 2, 9, 17})));                   // 3 x 4 x 8
        String flat = b.node(OpType.CAST, Attributes.of("to", 1L), b.node(OpType.RESHAPE, Attributes.empty(), picked,
                b.constant("shape", TensorData.int64Vector(0, 12, 8))));                            // 12 x 8
        String ln = b.node(OpType.LAYER_NORMALIZATION, Attributes.of("axis", -1L, "epsilon", 1e-5f), flat,
                b.randomTensor("ln_scale", 0.5, 8), b.randomTensor("ln_bias", 0.1, 8));
        String q = b.node(OpType.MATMUL, Attributes.empty(), ln, b.randomTensor("wq", 0.5, 8, 6));
        String k = b.node(OpType.MATMUL, Attributes.empty(), ln, b.randomTensor("wk", 0.5, 8, 6));
        String val = b.node(OpType.MATMUL, Attributes.empty(), ln, b.randomTensor("wv", 0.5, 8, 5));
        String scores = b.node(OpType.MATMUL, Attributes.empty(), q,
                b.node(OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 2, 1}), k));          // 12 x 12
        String att = b.node(OpType.SOFTMAX, Attributes.of("axis", -1L), scores);
        String ctx = b.node(OpType.MATMUL, Attributes.empty(), att, val);                            // 12 x 5
        String un = b.node(OpType.UNSQUEEZE, Attributes.empty(), ctx, b.constant("axes", TensorData.int64Vector(1)));
        String mean = b.node(OpType.REDUCE_MEAN, Attributes.of("axes", new long[] {2}, "keepdims", 0L), un); // 1 x 5
        String max = b.node(OpType.REDUCE_MAX, Attributes.of("axes", new long[] {1, 2}, "keepdims", 1L), un); // 1 x 1 x 5
        String total = b.node(OpType.REDUCE_SUM, Attributes.of("keepdims", 0L), ctx,
                b.constant("axes", TensorData.int64Vector(-2)));                                     // 5
        String pooled = b.add(b.add(b.node(OpType.SQUEEZE, Attributes.empty(), mean,
                b.constant("axes", TensorData.int64Vector(1))), b.node(OpType.SQUEEZE, Attributes.empty(), max,
                b.constant("axes", TensorData.int64Vector(1, 2)))), b.node(OpType.MUL, Attributes.empty(), total,
                b.constant("tenth", TensorData.ofFloats(new long[0], new float[] {0.1f}))));
        String out = b.gemm(pooled, 5, 4);
        b.output(out, -1, 4);
        Graph g = b.build();
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {  // NetBuilder makes one output per node: give Split its second
            if (n.output().equals(split)) {
                n = new Node(n.name(), n.op(), n.inputs(), List.of(first, second), n.attributes());
            } else if (n.output().equals(tanh)) {
                n = new Node(n.name(), n.op(), List.of(second), n.outputs(), n.attributes());
            }
            nodes.add(n);
        }
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes, g.initializers());
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
