/**
 * PNG charts of pruning results, in the module fcpts4j-cli (JFreeChart): per-layer allocations and optimization
 * curves. Public API: {@link io.github.fcpts4j.report.PruneCharts} (the charts of a
 * {@link io.github.fcpts4j.prune.PruneResult}); the chart classes it draws with are internal.
 */
package io.github.fcpts4j.report;
