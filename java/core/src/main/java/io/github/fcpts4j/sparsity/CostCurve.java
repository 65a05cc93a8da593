package io.github.fcpts4j.sparsity;

import java.util.Arrays;

/**
 * What pruning one layer saves, as a function of its sparsity: piecewise linear through the knots
 * (s_0 = 0, v_0 = 0), ..., (s_k, v_k) with s strictly increasing in [0, 1] and v non-decreasing, and constant
 * v_k beyond s_k. A latency budget ({@link Budget#curves}) gives each layer the milliseconds it saves
 * at each measured sparsity.
 */
public record CostCurve(double[] sparsity, double[] saving) {

    public CostCurve {
        sparsity = sparsity.clone();
        saving = saving.clone();
        if (sparsity.length == 0 || sparsity.length != saving.length) {
            throw new IllegalArgumentException("a cost curve needs as many savings as sparsities, at least one: got "
                    + sparsity.length + " and " + saving.length);
        }
        if (sparsity[0] != 0 || saving[0] != 0) {
            throw new IllegalArgumentException("a cost curve starts at (0, 0), got (" + sparsity[0] + ", "
                    + saving[0] + ")");
        }
        for (int i = 1; i < sparsity.length; i++) {
            if (!(sparsity[i] > sparsity[i - 1]) || sparsity[i] > 1 || !(saving[i] >= saving[i - 1])
                    || !Double.isFinite(saving[i])) {
                throw new IllegalArgumentException("cost curve knot " + i + " (" + sparsity[i] + ", " + saving[i]
                        + ") does not follow (" + sparsity[i - 1] + ", " + saving[i - 1]
                        + "): sparsities rise in [0, 1], savings never fall");
            }
        }
    }

    /** The saving at sparsity {@code s} in [0, 1]. */
    public double at(double s) {
        int k = sparsity.length - 1;
        if (s >= sparsity[k]) {
            return saving[k];
        }
        int i = Arrays.binarySearch(sparsity, s);
        if (i >= 0) {
            return saving[i];
        }
        int hi = -i - 1;
        int lo = hi - 1;
        double f = (s - sparsity[lo]) / (sparsity[hi] - sparsity[lo]);
        return saving[lo] + f * (saving[hi] - saving[lo]);
    }

    /** The largest saving (at the last knot and beyond). */
    public double max() {
        return saving[saving.length - 1];
    }

    /** The mean saving per unit of sparsity up to the last knot (the chord's slope; 0 for a flat curve). */
    public double chordSlope() {
        double top = sparsity[sparsity.length - 1];
        return top == 0 ? 0 : max() / top;
    }

    @Override
    public double[] sparsity() {
        return sparsity.clone();
    }

    @Override
    public double[] saving() {
        return saving.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CostCurve c && Arrays.equals(c.sparsity, sparsity) && Arrays.equals(c.saving, saving);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sparsity) * 31 + Arrays.hashCode(saving);
    }

    @Override
    public String toString() {
        return "CostCurve[sparsity=" + Arrays.toString(sparsity) + ", saving=" + Arrays.toString(saving) + "]";
    }
}
