package io.github.fcpts4j.prune;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.prune.FcptsConfig.CostBasis;
import io.github.fcpts4j.prune.FcptsConfig.LayerBound;

import java.util.List;

/**
 * The budget part of an {@link FcptsConfig}: the target S*, how sparsity is counted, and the bounds on each
 * layer's sparsity ({@link TargetBudget} turns it into the {@link io.github.fcpts4j.sparsity.Budget} of a
 * model's layers).
 *
 * @param sparsity         S*, fraction of prunable weights (or MACs) set to zero, or of the dense latency
 *                         removed, in [0, 1)
 * @param costBasis        count sparsity by parameters, by MACs (FCPTS.md section 3) or by measured latency
 * @param minLayerSparsity lower bound on every layer's sparsity, in [0, 1]
 * @param maxLayerSparsity upper bound on every layer's sparsity, in [0, 1]
 * @param layerBounds      per-layer bounds by glob, overriding the two above where they match
 * @param latencyBatch     the batch whose latency a latency target counts (>= 1; ignored for the other bases)
 */
public record TargetSettings(double sparsity, CostBasis costBasis, double minLayerSparsity, double maxLayerSparsity,
                             List<LayerBound> layerBounds, int latencyBatch) {
    /** The batch a latency target counts unless told otherwise: one request at a time. */
    public static final int DEFAULT_LATENCY_BATCH = 1;

    /** Settings whose latency target, if any, counts batch 1. */
    public TargetSettings(double sparsity, CostBasis costBasis, double minLayerSparsity, double maxLayerSparsity,
                          List<LayerBound> layerBounds) {
        this(sparsity, costBasis, minLayerSparsity, maxLayerSparsity, layerBounds, DEFAULT_LATENCY_BATCH);
    }

    public TargetSettings {
        if (latencyBatch < 1) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the latency batch must be at least 1, got "
                    + latencyBatch);
        }
        if (!(sparsity >= 0) || !(sparsity < 1)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "target sparsity must be in [0, 1), got " + sparsity);
        }
        if (!(minLayerSparsity >= 0 && minLayerSparsity <= maxLayerSparsity && maxLayerSparsity <= 1)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "layer sparsity bounds need 0 <= min <= max <= 1, got ["
                    + minLayerSparsity + ", " + maxLayerSparsity + "]");
        }
        FcptsException.requireNonNull(costBasis, "costBasis");
        layerBounds = List.copyOf(layerBounds);
    }

    /** Whether any layer has a bound narrower than [0, 1]. */
    public boolean bounded() {
        return minLayerSparsity > 0 || maxLayerSparsity < 1 || !layerBounds.isEmpty();
    }
}
