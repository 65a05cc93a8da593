package io.github.fcpts4j.bench;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

import java.util.Arrays;

/**
 * torchvision's MobileNetV2 (width 1.0) written with DJL blocks, for the libtorch peer of {@link LibtorchBench},
 * the same network as {@code ImageNetArchitectures.mobilenetV2}: 3x3/2 stem of 32, seventeen inverted residuals
 * (1x1 expansion, 3x3 depthwise, 1x1 projection, each with BatchNorm, ReLU6 after the first two; a residual add
 * where stride 1 keeps the width), 1x1 conv to 1280, global average pool, 1000-way linear. Bias-free convs.
 */
final class DjlMobileNetV2 {
    private DjlMobileNetV2() {
    }

    private static Block conv(int filters, int kernel, int stride, int groups) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(filters)
                .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2))
                .optGroups(groups).optBias(false).build();
    }

    private static SequentialBlock convBn(SequentialBlock s, int filters, int kernel, int stride, int groups,
                                          boolean relu6) {
        s.add(conv(filters, kernel, stride, groups)).add(BatchNorm.builder().build());
        return relu6 ? s.add(Activation.relu6Block()) : s;
    }

    private static Block invertedResidual(int in, int expansion, int out, int stride) {
        int hidden = in * expansion;
        SequentialBlock h = new SequentialBlock();
        if (expansion != 1) {
            convBn(h, hidden, 1, 1, 1, true);
        }
        convBn(h, hidden, 3, stride, hidden, true);
        convBn(h, out, 1, 1, 1, false);
        if (stride != 1 || in != out) {
            return h;
        }
        return new ParallelBlock(list -> new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                Arrays.asList(h, Blocks.identityBlock()));
    }

    static Block build() {
        SequentialBlock net = convBn(new SequentialBlock(), 32, 3, 2, 1, true);
        int in = 32;
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};
        for (int[] s : settings) {
            for (int r = 0; r < s[2]; r++) {
                net.add(invertedResidual(in, s[0], s[1], r == 0 ? s[3] : 1));
                in = s[1];
            }
        }
        convBn(net, 1280, 1, 1, 1, true);
        return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(1000).build());
    }
}
