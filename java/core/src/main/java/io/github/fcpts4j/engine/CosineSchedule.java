package io.github.fcpts4j.engine;

/**
 * Learning rate with linear warm-up then cosine decay to zero (FCPTS.md
 * section 6), for step t of {@code totalSteps}:
 * <pre>
 *   t &lt;  warmup:  base (t + 1) / warmup
 *   t >= warmup:  base (1 + cos(pi (t - warmup) / (total - warmup))) / 2
 * </pre>
 */
public record CosineSchedule(float base, long warmupSteps, long totalSteps) {

    public CosineSchedule {
        if (!(base >= 0) || warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("cosine schedule needs base >= 0 and 0 <= warmup (" + warmupSteps
                    + ") < total (" + totalSteps + ")");
        }
    }

    public float at(long step) {
        if (step < warmupSteps) {
            return base * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return (float) (base * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
