package io.github.fcpts4j.engine;

import io.github.fcpts4j.backend.Tensor;

import java.util.List;

/**
 * Code that computes a chain of nodes in place of the engine's own kernels
 * (inference executors only; the sparse runtime's fused layers): it reads
 * {@link #inputs()} and writes the output of the last node of
 * {@link #nodes()}. The chain's other nodes are not run and their outputs get
 * no buffer, so each of them may be read only by nodes of the chain
 * and must be neither a graph output nor observed. Runs at the position of the
 * chain's last node, on the executor's own tensors (no host copies).
 */
public interface LayerOverride {
    /** The nodes computed, in graph order; the last one's output is written. */
    List<String> nodes();

    /** The values read, in the order {@link #forward} receives them. */
    List<String> inputs();

    void forward(Tensor[] inputs, Tensor output);
}
