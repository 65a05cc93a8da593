package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.TensorData;

/** What a shape rule may read: the shapes of values, and the constant ones' contents (Reshape targets). */
public interface ShapeContext {

    /** Concrete shape of {@code value}. */
    long[] shape(String value);

    /** Contents of {@code value} if it is a constant, else null. */
    TensorData constant(String value);
}
