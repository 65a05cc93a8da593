package io.github.fcpts4j.testing;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test fixture: builds IR graphs layer by layer with seeded random weights
 * (He-scaled convs, BatchNorm statistics that keep activations in range).
 * Each method returns the name of the value it produced.
 */
public class GraphBuilder {
    private final String name;
    private final SplittableRandom rng;
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, TensorData> initializers = new LinkedHashMap<>();
    private int counter;

    public GraphBuilder(String name, long seed) {
        this.name = name;
        this.rng = new SplittableRandom(seed);
    }

    /** A float input with a dynamic batch: shape [-1, dims...]. */
    public String input(String value, long... dims) {
        long[] shape = new long[dims.length + 1];
        shape[0] = -1;
        System.arraycopy(dims, 0, shape, 1, dims.length);
        inputs.add(new ValueInfo(value, DataType.FLOAT, shape));
        return value;
    }

    public void output(String value, long... shapeWithBatch) {
        outputs.add(new ValueInfo(value, DataType.FLOAT, shapeWithBatch));
    }

    public String node(OpType op, Attributes attributes, String... inputNames) {
        String id = op.onnxName().toLowerCase() + "_" + counter++;
        nodes.add(new Node(id, op, List.of(inputNames), List.of(id + "_out"), attributes));
        return id + "_out";
    }

    public String constant(String suffix, TensorData data) {
        String id = "w" + counter++ + "_" + suffix;
        initializers.put(id, data);
        return id;
    }

    public String randomTensor(String suffix, double std, long... dims) {
        int n = Math.toIntExact(io.github.fcpts4j.backend.Tensor.elementCount(dims));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (gaussian() * std);
        }
        return constant(suffix, TensorData.ofFloats(dims, v));
    }

    private double gaussian() {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    public String conv(String x, long cin, long cout, long k, long stride, long group, boolean bias) {
        String w = randomTensor("weight", Math.sqrt(2.0 / (cin / group * k * k)), cout, cin / group, k, k);
        Attributes a = Attributes.of("kernel_shape", new long[] {k, k}, "strides", new long[] {stride, stride},
                "pads", new long[] {k / 2, k / 2, k / 2, k / 2}, "group", group, "dilations", new long[] {1, 1});
        return bias ? node(OpType.CONV, a, x, w, randomTensor("bias", 0.05, cout)) : node(OpType.CONV, a, x, w);
    }

    public String batchNorm(String x, long c) {
        float[] scale = new float[(int) c], shift = new float[(int) c], mean = new float[(int) c], var = new float[(int) c];
        for (int i = 0; i < c; i++) {
            scale[i] = (float) (0.8 + 0.4 * rng.nextDouble());
            shift[i] = (float) (0.1 * gaussian());
            mean[i] = (float) (0.1 * gaussian());
            var[i] = (float) (0.5 + rng.nextDouble());
        }
        return node(OpType.BATCH_NORMALIZATION, Attributes.of("epsilon", 1e-5f), x,
                constant("gamma", TensorData.ofFloats(new long[] {c}, scale)),
                constant("beta", TensorData.ofFloats(new long[] {c}, shift)),
                constant("mean", TensorData.ofFloats(new long[] {c}, mean)),
                constant("var", TensorData.ofFloats(new long[] {c}, var)));
    }

    public String relu(String x) {
        return node(OpType.RELU, Attributes.empty(), x);
    }

    public String relu6(String x) {
        return node(OpType.CLIP, Attributes.empty(), x, constant("min", TensorData.ofFloats(new long[0], new float[] {0})),
                constant("max", TensorData.ofFloats(new long[0], new float[] {6})));
    }

    public String add(String a, String b) {
        return node(OpType.ADD, Attributes.empty(), a, b);
    }

    public String gemm(String x, long in, long out) {
        return node(OpType.GEMM, Attributes.of("transB", 1L), x, randomTensor("fc_weight", Math.sqrt(1.0 / in), out, in),
                randomTensor("fc_bias", 0.01, out));
    }

    public Graph build() {
        return new Graph(name, inputs, outputs, nodes, initializers);
    }

    /**
     * A small network touching every IR op: conv/BN/ReLU residual block, a
     * depthwise ReLU6 block with squeeze-excite (HardSigmoid, Mul) and HardSwish,
     * LeakyRelu, Sigmoid, Sub, Div, MaxPool, AveragePool (ceil mode), Concat,
     * Transpose and Reshape on the side, GlobalAveragePool, Flatten, Gemm,
     * MatMul, Softmax. Input [N, 3, 17, 17] (odd on purpose), output [N, 15].
     */
    public static Graph allOpsNet(long seed) {
        GraphBuilder b = new GraphBuilder("all_ops", seed);
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
                b.constant("offset", TensorData.ofFloats(new long[] {24, 1, 1}, filled(24, 0.05f)))),
                b.constant("scale", TensorData.ofFloats(new long[0], new float[] {1.5f})));
        String maxPool = b.node(OpType.MAX_POOL, Attributes.of("kernel_shape", new long[] {3, 3},
                "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}), scaled);              // 24 x 5 x 5
        String avgPool = b.node(OpType.AVERAGE_POOL, Attributes.of("kernel_shape", new long[] {2, 2},
                "strides", new long[] {2, 2}, "ceil_mode", 1L), scaled);                            // 24 x 5 x 5
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
     * CIFAR-style ResNet-20 adapted to 28 x 28 x 1 inputs (Fashion-MNIST): a 3x3
     * stem of 16 channels, three stages of three basic blocks (16, 32, 64
     * channels; stride 2 and a 1x1 projection at the start of stages 2 and 3),
     * global average pooling and a 10-way classifier.
     */
    public static Graph resnet20(long seed) {
        return resnet20(seed, OpType.RELU);
    }

    /** ResNet-20 with another activation (Sigmoid gives a smooth network for finite-difference checks). */
    public static Graph resnet20(long seed, OpType activation) {
        GraphBuilder b = new GraphBuilder("resnet20", seed) {
            @Override
            public String relu(String x) {
                return node(activation, Attributes.empty(), x);
            }
        };
        String x = b.relu(b.batchNorm(b.conv(b.input("image", 1, 28, 28), 1, 16, 3, 1, 1, false), 16));
        long in = 16;
        for (long width : new long[] {16, 32, 64}) {
            for (int block = 0; block < 3; block++) {
                long stride = block == 0 && width != 16 ? 2 : 1;
                String h = b.relu(b.batchNorm(b.conv(x, in, width, 3, stride, 1, false), width));
                h = b.batchNorm(b.conv(h, width, width, 3, 1, 1, false), width);
                String shortcut = stride == 1 ? x : b.batchNorm(b.conv(x, in, width, 1, stride, 1, false), width);
                x = b.relu(b.add(h, shortcut));
                in = width;
            }
        }
        String pooled = b.node(OpType.FLATTEN, Attributes.of("axis", 1L),
                b.node(OpType.GLOBAL_AVERAGE_POOL, Attributes.empty(), x));
        b.output(b.gemm(pooled, 64, 10), -1, 10);
        return b.build();
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
