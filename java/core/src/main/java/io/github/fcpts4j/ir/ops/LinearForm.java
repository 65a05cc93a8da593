package io.github.fcpts4j.ir.ops;

/**
 * A node read as {@code y = alpha x W + beta c} (W = B, or B^T when {@code transB}), with x the node's
 * input 0, B its input 1 and c its optional bias input.
 *
 * @param bias input index of c, or -1 when the op has none
 */
public record LinearForm(boolean transA, boolean transB, float alpha, float beta, int bias) {
}
