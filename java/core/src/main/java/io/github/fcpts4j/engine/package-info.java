/**
 * Internal: the forward / backward executor over the backend kernels, losses, optimizers and schedules. Not part
 * of the public API.
 */
package io.github.fcpts4j.engine;
