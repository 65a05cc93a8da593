/**
 * Pruning: the {@link io.github.fcpts4j.prune.Pruner} builder (FCPTS and the magnitude baselines, with or without
 * net-wise reconstruction), its configuration ({@link io.github.fcpts4j.prune.FcptsConfig} and its setting groups),
 * progress ({@link io.github.fcpts4j.prune.ProgressListener}) and results
 * ({@link io.github.fcpts4j.prune.PruneResult}).
 * Public API; the loop's internals (FcptsLoop, ThresholdStep, WeightStep, PhaseControl, ...) are package-private
 * or documented as internal.
 */
package io.github.fcpts4j.prune;
