/**
 * fcpts4j: post-training sparsity for CNNs from Java. The one exception type
 * ({@link io.github.fcpts4j.FcptsException}) with its stable {@link io.github.fcpts4j.ErrorCode}, and atomic
 * file output. Public API.
 *
 * <p>Entry points: {@link io.github.fcpts4j.prune.Pruner} (prune a model),
 * {@link io.github.fcpts4j.sparse.SparsePlan} (run a pruned model on the sparse runtime); in the module
 * fcpts4j-eval, {@code io.github.fcpts4j.eval.OrtEvaluator} scores a model with ONNX Runtime.
 */
package io.github.fcpts4j;
