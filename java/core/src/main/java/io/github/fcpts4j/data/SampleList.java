package io.github.fcpts4j.data;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * A caller's own calibration samples as {@link LabeledImages}: float CHW
 * arrays of one shape, already preprocessed the way the model expects.
 * Labels are not needed for pruning and read as -1. The samples are copied.
 */
public final class SampleList implements LabeledImages {
    private final List<float[]> samples;
    private final int channels;
    private final int rows;
    private final int cols;

    private SampleList(List<float[]> samples, int channels, int rows, int cols) {
        this.samples = samples;
        this.channels = channels;
        this.rows = rows;
        this.cols = cols;
    }

    /**
     * Drains {@code samples}; each must hold channels x rows x cols floats, all finite.
     *
     * @throws io.github.fcpts4j.FcptsException INVALID_ARGUMENT naming the first sample of the wrong size or with a
     *                                          non-finite value
     */
    public static SampleList of(Iterable<float[]> samples, int channels, int rows, int cols) {
        if (channels < 1 || rows < 1 || cols < 1) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                    "sample shape must be positive, got " + channels + "x" + rows + "x"
                    + cols);
        }
        int size = channels * rows * cols, index = 0;
        List<float[]> copy = new ArrayList<>();
        for (float[] s : samples) {
            if (s == null || s.length != size) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                        "calibration sample " + index + " has " + (s == null ? "no"
                        : s.length) + " floats, expected " + size + " (" + channels + "x" + rows + "x" + cols + ")");
            }
            for (int i = 0; i < size; i++) {
                if (!Float.isFinite(s[i])) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT,
                            "calibration sample " + index + " has a non-finite value "
                            + s[i] + " at " + i);
                }
            }
            copy.add(s.clone());
            index++;
        }
        if (copy.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "no calibration samples given");
        }
        return new SampleList(List.copyOf(copy), channels, rows, cols);
    }

    @Override
    public int size() {
        return samples.size();
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public boolean labelled() {
        return false;
    }

    @Override
    public int read(int i, float[] dst, int offset) {
        System.arraycopy(samples.get(i), 0, dst, offset, samples.get(i).length);
        return -1;
    }
}
