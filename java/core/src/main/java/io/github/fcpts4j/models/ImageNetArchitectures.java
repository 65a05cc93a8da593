package io.github.fcpts4j.models;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;

/**
 * The torchvision ImageNet architectures (3 x 224 x 224 inputs, 1000 classes)
 * built as IR graphs with seeded weights: for the engine's equivalence tests
 * and the benchmarks (no pretrained weights ship with fcpts4j).
 */
public final class ImageNetArchitectures {
    private ImageNetArchitectures() {
    }

    private static NetBuilder builder(String name, long seed, NetBuilder.Init init) {
        return new NetBuilder(name, seed, init);
    }

    private static String maxPool(NetBuilder b, String x, long k, long stride, long pad) {
        return b.node(OpType.MAX_POOL, Attributes.of("kernel_shape", new long[] {k, k}, "strides",
                new long[] {stride, stride}, "pads", new long[] {pad, pad, pad, pad}), x);
    }

    /** torchvision ResNet-18 (ImageNet shapes: 3 x 224 x 224, 1000 classes), seeded weights. */
    public static Graph resnet18(long seed, NetBuilder.Init init) {
        NetBuilder b = builder("resnet18", seed, init);
        String x = maxPool(b, b.convBnRelu(b.input("image", 3, 224, 224), 3, 64, 7, 2, 1), 3, 2, 1);
        long in = 64;
        for (long width : new long[] {64, 128, 256, 512}) {
            for (int block = 0; block < 2; block++) {
                x = b.basicBlock(x, in, width, block == 0 && width != 64 ? 2 : 1);
                in = width;
            }
        }
        b.classifier(x, 512, 1000);
        return b.build();
    }

    /**
     * torchvision ResNet-50 (bottleneck blocks 3-4-6-3, 3 x 224 x 224, 1000 classes), seeded weights. The
     * last BatchNorm of each residual branch starts at a third of the usual gamma (the idea of torchvision's
     * zero_init_residual): with full-size random branches, 16 stacked blocks grow the activations well past
     * those of a trained network, and float32 rounding alone then exceeds the 1e-4 comparison tolerance.
     */
    public static Graph resnet50(long seed, NetBuilder.Init init) {
        NetBuilder b = builder("resnet50", seed, init);
        String x = maxPool(b, b.convBnRelu(b.input("image", 3, 224, 224), 3, 64, 7, 2, 1), 3, 2, 1);
        long in = 64;
        long[] widths = {64, 128, 256, 512};
        int[] blocks = {3, 4, 6, 3};
        for (int stage = 0; stage < 4; stage++) {
            long w = widths[stage], out = 4 * w;
            for (int block = 0; block < blocks[stage]; block++) {
                long stride = block == 0 && stage > 0 ? 2 : 1;
                String h = b.convBnRelu(x, in, w, 1, 1, 1);
                h = b.convBnRelu(h, w, w, 3, stride, 1);
                h = b.batchNorm(b.conv(h, w, out, 1, 1, 1, false), out, 0.33f);
                String shortcut = block == 0 ? b.batchNorm(b.conv(x, in, out, 1, stride, 1, false), out) : x;
                x = b.relu(b.add(h, shortcut));
                in = out;
            }
        }
        b.classifier(x, 2048, 1000);
        return b.build();
    }

    /** torchvision MobileNetV2 (width 1.0, 3 x 224 x 224, 1000 classes), seeded weights. */
    public static Graph mobilenetV2(long seed, NetBuilder.Init init) {
        NetBuilder b = builder("mobilenetv2", seed, init);
        String x = b.relu6(b.batchNorm(b.conv(b.input("image", 3, 224, 224), 3, 32, 3, 2, 1, false), 32));
        long in = 32;
        long[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};
        for (long[] s : settings) {
            for (int r = 0; r < s[2]; r++) {
                x = b.invertedResidual(x, in, s[0], s[1], r == 0 ? s[3] : 1);
                in = s[1];
            }
        }
        x = b.relu6(b.batchNorm(b.conv(x, in, 1280, 1, 1, 1, false), 1280));
        b.classifier(x, 1280, 1000);
        return b.build();
    }
}
