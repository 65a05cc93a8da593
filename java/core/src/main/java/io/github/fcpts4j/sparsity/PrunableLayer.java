package io.github.fcpts4j.sparsity;

import java.util.Arrays;
import java.util.Objects;

/**
 * The weights of one prunable layer on the host, with the weight tensor's
 * dimensions ([c_out, c_in / groups, k_h, k_w] for a conv, [out, in] for a
 * fully connected layer), which ERK needs.
 */
public record PrunableLayer(String name, long[] dims, float[] weights) {

    public PrunableLayer {
        Objects.requireNonNull(name, "name");
        dims = dims.clone();
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != weights.length) {
            throw new IllegalArgumentException("layer '" + name + "': dims " + Arrays.toString(dims) + " hold " + n
                    + " weights, got " + weights.length);
        }
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int size() {
        return weights.length;
    }
}
