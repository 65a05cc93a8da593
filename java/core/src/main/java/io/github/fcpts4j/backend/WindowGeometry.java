package io.github.fcpts4j.backend;

/**
 * Geometry of a 2-D convolution or pooling window on NCHW tensors, ONNX
 * conventions (dilation 1 = none; pads may be asymmetric). For pooling,
 * {@code outChannels == channels} and {@code groups} is ignored. The order of
 * {@link #toArray()} is the native layout of native/include/fcpts/ops_cpu.h.
 */
public record WindowGeometry(long batch, long channels, long height, long width, long outChannels, long outHeight,
                             long outWidth, long kernelHeight, long kernelWidth, long strideHeight, long strideWidth,
                             long dilationHeight, long dilationWidth, long padTop, long padLeft, long padBottom,
                             long padRight, long groups) {

    public long[] toArray() {
        return new long[] {batch, channels, height, width, outChannels, outHeight, outWidth, kernelHeight, kernelWidth,
            strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft, padBottom, padRight, groups};
    }
}
