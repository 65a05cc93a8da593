/**
 * Internal: the cuda backend (our CUDA kernels, cuDNN, cuBLAS and cuSPARSE through the org.bytedeco presets,
 * loaded only where the NVIDIA driver answers). Not part of the public API.
 */
package io.github.fcpts4j.backend.cuda;
