package io.github.fcpts4j.backend;

/**
 * The activation of a fused convolution epilogue, applied after bias and
 * residual (native enum fcpts_activation in native/include/fcpts/ops_cpu.h;
 * the order of the constants is the native value).
 */
public enum ConvActivation {
    /** v */
    NONE,
    /** max(v, 0) */
    RELU,
    /** min(max(v, lo), hi) */
    CLIP
}
