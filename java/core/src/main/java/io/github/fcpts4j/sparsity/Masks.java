package io.github.fcpts4j.sparsity;

import java.util.BitSet;
import java.util.List;

/**
 * Which weights are pruned, per layer (a set bit = pruned = zero). Produced by
 * {@link Allocations}; immutable from the outside.
 */
public final class Masks {
    private final List<String> names;
    private final BitSet[] pruned;
    private final int[] sizes;

    Masks(List<String> names, BitSet[] pruned, int[] sizes) {
        this.names = List.copyOf(names);
        this.pruned = pruned;
        this.sizes = sizes.clone();
    }

    public int layers() {
        return sizes.length;
    }

    public String name(int layer) {
        return names.get(layer);
    }

    public boolean isPruned(int layer, int index) {
        return pruned[layer].get(index);
    }

    public long prunedCount(int layer) {
        return pruned[layer].cardinality();
    }

    public long prunedCount() {
        long n = 0;
        for (BitSet b : pruned) {
            n += b.cardinality();
        }
        return n;
    }

    public long totalCount() {
        long n = 0;
        for (int s : sizes) {
            n += s;
        }
        return n;
    }

    /** Pruned fraction of layer {@code layer}. */
    public double sparsity(int layer) {
        return sizes[layer] == 0 ? 0.0 : (double) prunedCount(layer) / sizes[layer];
    }

    /** Pruned fraction over all layers (counted by weights). */
    public double sparsity() {
        long total = totalCount();
        return total == 0 ? 0.0 : (double) prunedCount() / total;
    }

    /**
     * {@code graph} with the weights of {@code nodes} (the layers these masks were
     * made for, in the same order) taken from {@code weights} and masked.
     */
    public io.github.fcpts4j.ir.Graph applyTo(io.github.fcpts4j.ir.Graph graph, List<io.github.fcpts4j.ir.Node> nodes,
                                              List<PrunableLayer> weights) {
        io.github.fcpts4j.ir.Graph out = graph;
        for (int l = 0; l < nodes.size(); l++) {
            out = out.withInitializer(nodes.get(l).input(1),
                    io.github.fcpts4j.ir.TensorData.ofFloats(weights.get(l).dims(), apply(l, weights.get(l).weights())));
        }
        return out;
    }

    /** A copy of {@code weights} of layer {@code layer} with its pruned entries set to zero. */
    public float[] apply(int layer, float[] weights) {
        float[] out = weights.clone();
        for (int i = pruned[layer].nextSetBit(0); i >= 0; i = pruned[layer].nextSetBit(i + 1)) {
            out[i] = 0f;
        }
        return out;
    }
}
