/**
 * The sparse runtime: {@link io.github.fcpts4j.sparse.SparsePlan} runs a pruned model with each conv chain dense or
 * sparse by measured time (BatchNorm folded, CSR sparse and packed dense convs, fused epilogues). Public API:
 * {@code SparsePlan}; the layer classes are internal.
 */
package io.github.fcpts4j.sparse;
