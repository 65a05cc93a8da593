/** PNG charts of pruning results: per-layer allocations and optimization curves. */
package io.github.fcpts4j.report;
