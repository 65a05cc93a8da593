package io.github.fcpts4j.backend;

/**
 * The activation of a fused convolution epilogue, applied after bias and
 * residual. The ordinal is the native value: the constants must match the list
 * FCPTS_ACTIVATIONS of native/include/fcpts/ops.def, name for name and in order
 * (checked by NativeEnumAgreementTest).
 */
public enum ConvActivation {
    /** v */
    NONE,
    /** max(v, 0) */
    RELU,
    /** min(max(v, lo), hi) */
    CLIP
}
