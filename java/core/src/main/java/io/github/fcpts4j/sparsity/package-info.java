/**
 * Internal: the KDE-CDF bridge, per-layer allocations (uniform, global, ERK, LAMP) and the exact projection onto
 * a global budget. Not part of the public API.
 */
package io.github.fcpts4j.sparsity;
