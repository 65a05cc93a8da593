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
 * torchvision's ResNet-18 written with DJL blocks, for the libtorch peer of
 * {@link LibtorchBench}: 7x7/2 stem, 3x3/2 max pool, four stages of two basic
 * blocks (64, 128, 256, 512 channels; 1x1/2 projections), global average pool,
 * 1000-way linear. Bias-free convolutions: 11.69 M parameters, like ours.
 */
final class DjlResNet18 {
    private DjlResNet18() {
    }

    private static Block conv(int filters, int kernel, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(filters)
                .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2)).optBias(false)
                .build();
    }

    private static Block basicBlock(int width, int stride, boolean project) {
        SequentialBlock branch = new SequentialBlock()
                .add(conv(width, 3, stride)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(conv(width, 3, 1)).add(BatchNorm.builder().build());
        Block shortcut = project
                ? new SequentialBlock().add(conv(width, 1, stride)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ParallelBlock(list -> new NDList(list.get(0).singletonOrThrow()
                        .add(list.get(1).singletonOrThrow())), Arrays.asList(branch, shortcut)))
                .add(Activation.reluBlock());
    }

    static Block build() {
        SequentialBlock net = new SequentialBlock()
                .add(conv(64, 7, 2)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int in = 64;
        for (int width : new int[] {64, 128, 256, 512}) {
            for (int b = 0; b < 2; b++) {
                int stride = b == 0 && width != 64 ? 2 : 1;
                net.add(basicBlock(width, stride, stride != 1 || in != width));
                in = width;
            }
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(1000).build());
    }
}
