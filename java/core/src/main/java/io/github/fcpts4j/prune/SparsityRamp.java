package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.KdeBridge;
import io.github.fcpts4j.sparsity.Masks;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.util.List;

/**
 * The optional gradual start of FCPTS ({@link ThresholdSettings#ramp}, Zhu and Gupta's cubic schedule): for
 * the first K = round(ramp x threshold steps) steps the target rises as
 * <pre>
 *   S*(k) = S* (1 - (1 - (k + 1) / K)^3)
 * </pre>
 * and the thresholds are not learned but set each step to the initialization's allocation (ERK by default) of
 * S*(k) at the current weights, while the weights train under that mask; from step K on the thresholds start
 * from the allocation at S* and learn as usual. {@link FcptsLoop} asks {@link #active} each step.
 */
final class SparsityRamp {
    private final double target;
    private final int steps;
    private final ThresholdSettings settings;

    /** @param learningSteps the steps that learn the thresholds (before the polish) */
    SparsityRamp(FcptsConfig c, int learningSteps) {
        this.target = c.target().sparsity();
        this.settings = c.thresholds();
        this.steps = (int) Math.round(settings.ramp() * learningSteps);
    }

    /** Whether the run ramps at all. */
    boolean ramps() {
        return steps > 0;
    }

    /** Whether step {@code step} is on the ramp. */
    boolean active(int step) {
        return step < steps;
    }

    /** The target of step {@code step}: on the cubic ramp while it lasts, S* after. */
    double targetAt(int step) {
        if (step >= steps) {
            return target;
        }
        double left = 1 - (step + 1) / (double) steps;
        return target * (1 - left * left * left);
    }

    /** {@code budget} with the target of step {@code step} (same costs and per-layer bounds). */
    Budget budgetAt(Budget budget, int step) {
        return budget.withSparsity(targetAt(step));
    }

    /**
     * The thresholds of step {@code step}: the initialization's allocation of its target at {@code weights},
     * each layer's threshold the magnitude at its pruned count.
     */
    double[] thresholdsAt(List<PrunableLayer> weights, Budget budget, int step) {
        Masks m = Allocations.baseline(settings.init(), weights, budgetAt(budget, step));
        double[] t = new double[weights.size()];
        for (int l = 0; l < t.length; l++) {
            t[l] = Allocations.thresholdPruning(weights.get(l).weights(), (int) m.prunedCount(l));
        }
        return t;
    }

    /** The smooth and the hard global sparsity of a step's sums, weighted by {@code share}. */
    static double[] sparsity(KdeSums sums, double[] share) {
        double smooth = 0, hard = 0;
        for (int l = 0; l < share.length; l++) {
            smooth += KdeBridge.smoothSparsity(sums, l) * share[l];
            hard += KdeBridge.hardSparsity(sums, l) * share[l];
        }
        return new double[] {smooth, hard};
    }
}
