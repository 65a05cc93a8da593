package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.ConvActivation;

/**
 * The part an op can play in a fused convolution epilogue {@code act(conv(x) + residual)}.
 *
 * @param residual   the op is an Add whose other operand can be the residual
 * @param activation the op is this epilogue activation (null if it is none)
 */
public record Epilogue(boolean residual, ConvActivation activation) {
    public static final Epilogue NONE = new Epilogue(false, null);
    public static final Epilogue RESIDUAL = new Epilogue(true, null);

    public static Epilogue activation(ConvActivation act) {
        return new Epilogue(false, act);
    }
}
