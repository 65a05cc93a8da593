/**
 * Internal: the cpu backend (OpenMP and oneDNN kernels of libfcpts_cpu through JavaCPP). Not part of the public API.
 */
package io.github.fcpts4j.backend.cpu;
