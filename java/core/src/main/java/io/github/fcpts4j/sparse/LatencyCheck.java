package io.github.fcpts4j.sparse;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.ir.Graph;

import java.util.Map;

/**
 * A pruned model's latency as its {@link LatencyTable} predicts it and as the sparse runtime measures it: the
 * model planned as a user would plan it ({@link SparsePlan.Policy#FASTEST}) and the same model all dense, run
 * in alternating rounds on the table's probe input, medians of each. A shared machine's speed drifts between the
 * table's measurement and this one, so the prediction is compared at today's speed: the table's predicted share
 * of the dense time applied to the dense time measured now ({@link #predictedNowMs}).
 *
 * @param denseMs        the table's dense time (what the target is a share of)
 * @param predictedMs    dense - sum_l v_l(s_l) at the pruned model's sparsities
 * @param measuredMs     the planned model's median run
 * @param measuredDenseMs the all-dense plan's median run in the same rounds
 * @param sparseLayers   the layers the plan runs sparse
 */
public record LatencyCheck(double denseMs, double predictedMs, double measuredMs, double measuredDenseMs,
                           int sparseLayers) {
    /** Rounds timed by default. */
    public static final int DEFAULT_RUNS = 30;

    /** The prediction at the speed of this measurement: predictedMs x measuredDenseMs / denseMs. */
    public double predictedNowMs() {
        return predictedMs * measuredDenseMs / denseMs;
    }

    /** (predicted now - measured) / measured. */
    public double predictionError() {
        return (predictedNowMs() - measuredMs) / measuredMs;
    }

    /** Share of the dense latency the prediction removes. */
    public double predictedSaving() {
        return 1 - predictedMs / denseMs;
    }

    /** Share of the all-dense plan's measured latency the planned model removes. */
    public double measuredSaving() {
        return 1 - measuredMs / measuredDenseMs;
    }

    /**
     * @param sparsityByNode the pruned model's sparsity of every prunable layer, by node
     */
    public static LatencyCheck measure(Graph pruned, Backend backend, Map<String, long[]> inputShapes,
                                       LatencyTable table, Map<String, Double> sparsityByNode, int runs) {
        Map<String, float[]> probe = SparsePlan.probeInputs(pruned, inputShapes);
        try (SparsePlan plan = SparsePlan.build(pruned, backend, inputShapes, SparsePlan.Options.defaults());
             SparsePlan dense = SparsePlan.build(pruned, backend, inputShapes,
                     new SparsePlan.Options(1, SparsePlan.Policy.DENSE, null))) {
            double[] ms = SparsePlan.alternate(runs, () -> dense.run(probe), () -> plan.run(probe));
            int sparse = (int) plan.choices().stream().filter(SparsePlan.LayerChoice::sparse).count();
            return new LatencyCheck(table.denseMs(), table.predictedMs(sparsityByNode), ms[1], ms[0], sparse);
        }
    }
}
