package io.github.fcpts4j.models;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;

import java.util.List;

/**
 * The architectures fcpts4j trains for its shipped examples, sized for
 * 28 x 28 x 1 images (Fashion-MNIST) with 10 classes. The input is raw pixels
 * in [0, 1]; when {@code normalize} is set the graph begins with
 * (x - 0.2860) / 0.3530, the Fashion-MNIST training mean and deviation, so the
 * exported ONNX file needs no preprocessing beyond scaling bytes to [0, 1].
 */
public final class Architectures {
    /** Fashion-MNIST training-set pixel mean and standard deviation (pixels in [0, 1]). */
    public static final float MEAN = 0.2860f, STD = 0.3530f;

    private Architectures() {
    }

    /** Names accepted by {@link #build}. */
    public static List<String> names() {
        return List.of("resnet20", "mobilenetv2-small");
    }

    public static Graph build(String name, long seed) {
        return switch (name) {
            case "resnet20" -> resnet20(seed, NetBuilder.Init.TRAINING, OpType.RELU, true);
            case "mobilenetv2-small" -> mobilenetV2Small(seed, NetBuilder.Init.TRAINING, true);
            default -> throw new IllegalArgumentException("unknown architecture '" + name + "': expected one of "
                    + names());
        };
    }

    private static String stem(NetBuilder b, boolean normalize) {
        String x = b.input("image", 1, 28, 28);
        if (!normalize) {
            return x;
        }
        String centred = b.node(OpType.SUB, Attributes.empty(), x,
                b.constant("pixel_mean", NetBuilder.filled(new long[0], MEAN)));
        return b.node(OpType.DIV, Attributes.empty(), centred,
                b.constant("pixel_std", NetBuilder.filled(new long[0], STD)));
    }

    /**
     * CIFAR-style ResNet-20 for 28 x 28 x 1: a 3x3 stem of 16 channels, three
     * stages of three basic blocks (16, 32, 64 channels; stride 2 and a 1x1
     * projection at the start of stages 2 and 3), global average pooling and a
     * 10-way classifier. 0.27 M weights.
     */
    public static Graph resnet20(long seed, NetBuilder.Init init, OpType activation, boolean normalize) {
        NetBuilder b = new NetBuilder("resnet20", seed, init) {
            @Override
            public String relu(String x) {
                return node(activation, Attributes.empty(), x);
            }
        };
        String x = b.relu(b.batchNorm(b.conv(stem(b, normalize), 1, 16, 3, 1, 1, false), 16));
        long in = 16;
        for (long width : new long[] {16, 32, 64}) {
            for (int block = 0; block < 3; block++) {
                x = b.basicBlock(x, in, width, block == 0 && width != 16 ? 2 : 1);
                in = width;
            }
        }
        b.classifier(x, 64, 10);
        return b.build();
    }

    /**
     * A small MobileNetV2 for 28 x 28 x 1: 3x3 stem (16 channels), inverted
     * residual blocks (1x1 expand, 3x3 depthwise, 1x1 project, ReLU6, identity
     * shortcut where shapes allow) with (expansion, channels, repeats, stride)
     * = (1,16,1,1) (4,24,2,2) (4,32,2,2) (4,64,2,1), a 1x1 conv to 256, global
     * average pooling and a 10-way classifier.
     */
    public static Graph mobilenetV2Small(long seed, NetBuilder.Init init, boolean normalize) {
        NetBuilder b = new NetBuilder("mobilenetv2_small", seed, init);
        String x = b.relu6(b.batchNorm(b.conv(stem(b, normalize), 1, 16, 3, 1, 1, false), 16));
        long in = 16;
        long[][] settings = {{1, 16, 1, 1}, {4, 24, 2, 2}, {4, 32, 2, 2}, {4, 64, 2, 1}};
        for (long[] s : settings) {
            for (int r = 0; r < s[2]; r++) {
                x = b.invertedResidual(x, in, s[0], s[1], r == 0 ? s[3] : 1);
                in = s[1];
            }
        }
        x = b.relu6(b.batchNorm(b.conv(x, in, 256, 1, 1, 1, false), 256));
        b.classifier(x, 256, 10);
        return b.build();
    }
}
