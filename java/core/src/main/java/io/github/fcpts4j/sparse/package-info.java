/**
 * The sparse runtime: {@link io.github.fcpts4j.sparse.SparsePlan} runs a pruned model with each conv chain dense or
 * sparse by measured time (BatchNorm folded, CSR sparse and packed dense convs, fused epilogues). Public API:
 * {@code SparsePlan} (built from an ONNX file, with its {@code Options}) and
 * {@link io.github.fcpts4j.sparse.PlanChoices} (its decisions, saved and pinned); the layer classes are internal.
 */
package io.github.fcpts4j.sparse;
