/**
 * The backend SPI: {@link io.github.fcpts4j.backend.Backends} discovers the {@code cpu} and {@code cuda} backends
 * (cuda only where a driver and device answer); tensors, scopes and the kernels the engine lowers onto. Users pick a
 * backend by name; the kernel interfaces are internal.
 */
package io.github.fcpts4j.backend;
