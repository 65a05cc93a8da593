package io.github.fcpts4j.data;

/**
 * A random-access image set, images as float arrays ready for a model input
 * (whatever scaling or normalization the source defines), CHW unless
 * {@link #sampleShape()} says HWC. Labels are class indices, or -1 for sets
 * without labels ({@link #labelled()} false).
 */
public interface LabeledImages {

    int size();

    int channels();

    int rows();

    int cols();

    /** Writes image {@code i} (channels * rows * cols floats, in {@link #sampleShape()} order) at {@code offset}; returns its label. */
    int read(int i, float[] dst, int offset);

    /** One sample's shape: [channels, rows, cols] (default) or [rows, cols, channels] for channels-last sets. */
    default long[] sampleShape() {
        return new long[] {channels(), rows(), cols()};
    }

    /** Whether {@link #read} returns class labels (false: it returns -1). */
    default boolean labelled() {
        return true;
    }
}
