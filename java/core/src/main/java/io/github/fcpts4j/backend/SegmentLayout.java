package io.github.fcpts4j.backend;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the prunable weights of all layers lie back to back in one flat array:
 * layer {@code l} ("segment") occupies {@code [offset(l), offset(l + 1))}.
 * Immutable; names are unique and used in every error about a layer.
 */
public final class SegmentLayout {
    private final List<String> names;
    private final long[] offsets;

    private SegmentLayout(List<String> names, long[] offsets) {
        this.names = names;
        this.offsets = offsets;
    }

    /** A layout of layers {@code names[l]} holding {@code sizes[l] >= 0} weights each. */
    public static SegmentLayout of(List<String> names, long[] sizes) {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(sizes, "sizes");
        if (names.size() != sizes.length) {
            throw new IllegalArgumentException("segment layout: " + names.size() + " names but " + sizes.length
                    + " sizes");
        }
        Set<String> seen = new HashSet<>();
        long[] offsets = new long[sizes.length + 1];
        for (int l = 0; l < sizes.length; l++) {
            String name = Objects.requireNonNull(names.get(l), "name of segment " + l);
            if (!seen.add(name)) {
                throw new IllegalArgumentException("segment layout: layer name '" + name + "' appears twice");
            }
            if (sizes[l] < 0) {
                throw new IllegalArgumentException("segment layout: layer '" + name + "' has negative size "
                        + sizes[l]);
            }
            offsets[l + 1] = Math.addExact(offsets[l], sizes[l]);
        }
        return new SegmentLayout(List.copyOf(names), offsets);
    }

    /** Number of segments (layers). */
    public int count() {
        return names.size();
    }

    /** Total number of weights over all segments. */
    public long total() {
        return offsets[offsets.length - 1];
    }

    public String name(int segment) {
        return names.get(segment);
    }

    public List<String> names() {
        return names;
    }

    /** First element of {@code segment}; {@code offset(count())} equals {@link #total()}. */
    public long offset(int segment) {
        return offsets[segment];
    }

    /** Number of weights N_l of {@code segment}. */
    public long size(int segment) {
        return offsets[segment + 1] - offsets[segment];
    }

    /** The count() + 1 offsets, starting at 0. */
    public long[] offsets() {
        return offsets.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentLayout other && names.equals(other.names) && Arrays.equals(offsets, other.offsets);
    }

    @Override
    public int hashCode() {
        return 31 * names.hashCode() + Arrays.hashCode(offsets);
    }

    @Override
    public String toString() {
        return "SegmentLayout[" + count() + " segments, " + total() + " weights]";
    }
}
