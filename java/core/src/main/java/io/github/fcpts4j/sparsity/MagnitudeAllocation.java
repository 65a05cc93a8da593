package io.github.fcpts4j.sparsity;

/**
 * The four magnitude allocations of FCPTS.md section 8, each computed by {@link Allocations#baseline}:
 * the baselines a pruner can run instead of FCPTS, and the allocations FCPTS can start its thresholds at.
 * This is the one list of them; the pruner's methods and the threshold initialization refer to it.
 */
public enum MagnitudeAllocation {
    /** every layer at S* by magnitude */
    UNIFORM,
    /** one magnitude threshold over all layers */
    GLOBAL,
    /** Erdos-Renyi-Kernel layer densities, magnitude within layers (RigL) */
    ERK,
    /** layer-adaptive magnitude scores (Lee et al. 2021) */
    LAMP
}
