package io.github.fcpts4j.prune;

/**
 * One optimization step of a pruning run.
 *
 * @param iteration          1-based step
 * @param iterations         steps in the run
 * @param reconstructionLoss the reconstruction loss of this step's batch (KL or MSE, plus feature terms)
 * @param constraintLoss     lambda (S - S*)^2 (or lambda |S - S*|); 0 while polishing at a fixed mask
 * @param smoothSparsity     global sparsity from the KDE CDF (FCPTS.md section 3)
 * @param hardSparsity       global sparsity of the mask this step's student used
 * @param polishing          whether the step ran at the fixed, exactly projected mask
 * @param elapsedSeconds     wall time since the run started
 */
public record IterationStats(int iteration, int iterations, double reconstructionLoss, double constraintLoss,
                             double smoothSparsity, double hardSparsity, boolean polishing, double elapsedSeconds) {

    /** Remaining time estimated from the average step so far. */
    public double etaSeconds() {
        return iteration == 0 ? Double.NaN : elapsedSeconds / iteration * (iterations - iteration);
    }
}
