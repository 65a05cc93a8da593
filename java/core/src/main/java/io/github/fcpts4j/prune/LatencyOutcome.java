package io.github.fcpts4j.prune;

import io.github.fcpts4j.sparse.LatencyCheck;
import io.github.fcpts4j.sparse.LatencyTables;

/**
 * What a latency-constrained run reports: where its latency table came from and the pruned model's
 * predicted and measured latency.
 */
public record LatencyOutcome(LatencyTables.Obtained table, LatencyCheck check) {
}
