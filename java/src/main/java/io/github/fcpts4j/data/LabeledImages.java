package io.github.fcpts4j.data;

/**
 * A random-access labelled image set, images as float CHW arrays ready for a
 * model input (whatever scaling or normalization the source defines).
 */
public interface LabeledImages {

    int size();

    int channels();

    int rows();

    int cols();

    /** Writes image {@code i} (channels * rows * cols floats, CHW) into {@code dst} at {@code offset}; returns its label. */
    int read(int i, float[] dst, int offset);
}
