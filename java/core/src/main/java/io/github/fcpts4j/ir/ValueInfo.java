package io.github.fcpts4j.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named graph input or output: element type and shape, where -1 marks a
 * dimension not known until data arrives (the batch, usually).
 */
public record ValueInfo(String name, DataType type, long[] shape) {

    public ValueInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueInfo v && name.equals(v.name) && type == v.type && Arrays.equals(shape, v.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + ":" + type + Arrays.toString(shape);
    }
}
