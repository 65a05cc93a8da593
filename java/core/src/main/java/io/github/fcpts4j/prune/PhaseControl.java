package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.Masks;

/**
 * Which phase each step of an FCPTS run is in (FCPTS.md sections 6 to 8):
 * <ul>
 *   <li>thresholds and weights learned together, from step 0 up to {@code iterations - polishIterations};
 *   with per-layer sparsity bounds, at the start of every pass over the calibration set the bounds become
 *   bounds on each theta_l at the current weights;</li>
 *   <li>the polish, from then on: the thresholds are projected once onto the exact budget
 *   ({@link Allocations#project}) and the weights are reconstructed at that fixed mask;</li>
 *   <li>with a baseline's fixed mask, every step is at that mask (the thresholds never move).</li>
 * </ul>
 * The mask of a fixed phase goes to the backend once, as a 0/1 keep vector over the flat layout.
 * {@link FcptsLoop} calls {@link #beforeStep} at the start of each step.
 */
final class PhaseControl {
    private final FlatLayers flat;
    private final Budget budget;
    private final WeightStep weights;
    private final TensorScope scope;
    private final Backend backend;
    private final boolean baseline;
    private final int polishFrom;
    private final int boundsEvery;
    private final boolean bounded;
    private Masks frozen;
    private Tensor keep;

    /**
     * @param fixedMask  a baseline's mask, or null to learn the thresholds
     * @param boundsEvery steps between two refreshes of the threshold bounds (one pass)
     */
    PhaseControl(FlatLayers flat, Budget budget, WeightStep weights, TensorScope scope, Backend backend,
                 Masks fixedMask, ScheduleSettings schedule, int boundsEvery) {
        this.flat = flat;
        this.budget = budget;
        this.weights = weights;
        this.scope = scope;
        this.backend = backend;
        this.baseline = fixedMask != null;
        this.frozen = fixedMask;
        this.polishFrom = fixedMask != null ? 0 : schedule.iterations() - schedule.polishIterations();
        this.boundsEvery = boundsEvery;
        this.bounded = budget.minSparsity() != null;
    }

    /**
     * Before step {@code it}: freezes the projected mask when the polish begins, uploads the mask of a fixed
     * phase, and refreshes the threshold bounds (writing the clamped thresholds into {@code t}).
     */
    void beforeStep(int it, LogThresholds theta, float[] t) {
        if (frozen == null && it == polishFrom) {
            weights.readHost();
            frozen = Allocations.project(flat.trained(), theta.thresholds(), budget);
        }
        if (frozen != null && keep == null) {
            keep = scope.upload(backend, flat.keepMask(frozen), flat.total());
        }
        if (bounded && frozen == null && it % boundsEvery == 0) {
            weights.readHost();
            boundThresholds(theta, t);
        }
    }

    /** Whether this step runs at a fixed mask (the polish or a baseline's). */
    boolean fixed() {
        return frozen != null;
    }

    /** Whether this step is the polish of a learned mask (not a baseline's reconstruction). */
    boolean polishing() {
        return frozen != null && !baseline;
    }

    /** The fixed mask, or null while the thresholds are learned. */
    Masks frozen() {
        return frozen;
    }

    /** The fixed mask on the backend (1 kept, 0 pruned), or null while the thresholds are learned. */
    Tensor keep() {
        return keep;
    }

    /** The run's mask: the fixed one, or the exact projection of the final thresholds at the host weights. */
    Masks finalMasks(double[] thresholds) {
        return frozen != null ? frozen : Allocations.project(flat.trained(), thresholds, budget);
    }

    /** Per-layer sparsity bounds as threshold bounds at the current weights. */
    private void boundThresholds(LogThresholds theta, float[] t) {
        for (int l = 0; l < flat.layers(); l++) {
            float[] wl = flat.segment(l);
            theta.bound(l, Allocations.thresholdPruning(wl, budget.minPruned(l, wl.length)),
                    Allocations.thresholdPruning(wl, budget.maxPruned(l, wl.length)));
            t[l] = (float) theta.threshold(l);
        }
    }
}
