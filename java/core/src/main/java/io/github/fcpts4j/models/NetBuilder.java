package io.github.fcpts4j.models;

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
 * Builds IR graphs layer by layer with seeded weights; each method returns the
 * name of the value it produced. Two initializations: {@link Init#TRAINING}
 * (He-normal convolutions, BatchNorm gamma 1 / beta 0 with mean 0 / variance 1,
 * zero biases, classifier normal with std 1/sqrt(fan-in)) for training from
 * scratch, and {@link Init#RANDOM_STATISTICS} (random BatchNorm affine and
 * statistics, small random biases) for tests that must exercise every term.
 */
public class NetBuilder {

    /** How weights and BatchNorm parameters start. */
    public enum Init { TRAINING, RANDOM_STATISTICS }

    private final Init init;
    private final String name;
    private final SplittableRandom rng;
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, TensorData> initializers = new LinkedHashMap<>();
    private int counter;

    public NetBuilder(String name, long seed, Init init) {
        this.name = name;
        this.rng = new SplittableRandom(seed);
        this.init = init;
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
        return bias ? node(OpType.CONV, a, x, w, biasTensor(cout)) : node(OpType.CONV, a, x, w);
    }

    private String biasTensor(long n) {
        return init == Init.TRAINING ? constant("bias", TensorData.ofFloats(new long[] {n}, new float[(int) n]))
                : randomTensor("bias", 0.05, n);
    }

    public String batchNorm(String x, long c) {
        return batchNorm(x, c, 1f);
    }

    /** BatchNorm whose gamma is multiplied by {@code gammaScale} (a small scale tames deep residual stacks). */
    public String batchNorm(String x, long c, float gammaScale) {
        float[] scale = new float[(int) c], shift = new float[(int) c], mean = new float[(int) c], var = new float[(int) c];
        for (int i = 0; i < c && init == Init.TRAINING; i++) {
            scale[i] = 1f;
            var[i] = 1f;
        }
        for (int i = 0; i < c && init == Init.RANDOM_STATISTICS; i++) {
            scale[i] = (float) (0.8 + 0.4 * rng.nextDouble());
            shift[i] = (float) (0.1 * gaussian());
            mean[i] = (float) (0.1 * gaussian());
            var[i] = (float) (0.5 + rng.nextDouble());
        }
        for (int i = 0; i < c; i++) {
            scale[i] *= gammaScale;
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
                biasTensor(out));
    }

    /** ReLU(BN(conv(x))): the conv-BN-ReLU unit of every CNN here. */
    public String convBnRelu(String x, long cin, long cout, long k, long stride, long group) {
        return relu(batchNorm(conv(x, cin, cout, k, stride, group, false), cout));
    }

    /**
     * ResNet basic block: two 3x3 conv-BN (ReLU between), plus x, or a 1x1
     * conv-BN projection of x when the stride or the width changes; then ReLU.
     */
    public String basicBlock(String x, long in, long width, long stride) {
        String h = convBnRelu(x, in, width, 3, stride, 1);
        h = batchNorm(conv(h, width, width, 3, 1, 1, false), width);
        String shortcut = stride == 1 && in == width ? x : batchNorm(conv(x, in, width, 1, stride, 1, false), width);
        return relu(add(h, shortcut));
    }

    /**
     * MobileNetV2 inverted residual: 1x1 expand (unless expansion is 1), 3x3
     * depthwise, 1x1 linear projection, ReLU6 activations, identity shortcut
     * when the shape is unchanged.
     */
    public String invertedResidual(String x, long in, long expansion, long out, long stride) {
        long hidden = in * expansion;
        String h = x;
        if (expansion != 1) {
            h = relu6(batchNorm(conv(h, in, hidden, 1, 1, 1, false), hidden));
        }
        h = relu6(batchNorm(conv(h, hidden, hidden, 3, stride, hidden, false), hidden));
        h = batchNorm(conv(h, hidden, out, 1, 1, 1, false), out);
        return stride == 1 && in == out ? add(x, h) : h;
    }

    /** Global average pooling, flatten and a fully connected classifier, marked as the graph output. */
    public String classifier(String x, long channels, long classes) {
        String flat = node(OpType.FLATTEN, Attributes.of("axis", 1L),
                node(OpType.GLOBAL_AVERAGE_POOL, Attributes.empty(), x));
        String logits = gemm(flat, channels, classes);
        output(logits, -1, classes);
        return logits;
    }

    public Graph build() {
        return new Graph(name, inputs, outputs, nodes, initializers);
    }

    /** A float tensor of shape dims filled with v. */
    public static TensorData filled(long[] dims, float v) {
        float[] a = new float[Math.toIntExact(io.github.fcpts4j.backend.Tensor.elementCount(dims))];
        java.util.Arrays.fill(a, v);
        return TensorData.ofFloats(dims, a);
    }
}
