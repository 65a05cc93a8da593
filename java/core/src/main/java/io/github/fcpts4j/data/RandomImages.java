package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded random images for a model input, with no labels: image i is uniform in [low, high), drawn from
 * {@code SplittableRandom(seed * 1000003 + i)} (the same image whatever else is read), in the sample shape
 * the model takes ([C, H, W] or, channels last, [H, W, C]). For smoke runs, timing and tests of models
 * without a data set at hand; it calibrates nothing a real data set would.
 */
public final class RandomImages implements LabeledImages {
    private final long[] sample;
    private final boolean channelsLast;
    private final int count;
    private final long seed;
    private final double low;
    private final double high;

    /**
     * @param sampleShape  one sample's shape, [C, H, W] or [H, W, C]
     * @param channelsLast whether {@code sampleShape} is [H, W, C]
     */
    public RandomImages(long[] sampleShape, boolean channelsLast, int count, long seed, double low, double high) {
        if (sampleShape.length != 3 || Arrays.stream(sampleShape).anyMatch(d -> d < 1) || count < 1
                || !(low < high)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "random images need a 3-D sample shape, a count > 0 "
                    + "and low < high, got "
                    + Arrays.toString(sampleShape) + ", " + count + ", [" + low + ", " + high + ")");
        }
        this.sample = sampleShape.clone();
        this.channelsLast = channelsLast;
        this.count = count;
        this.seed = seed;
        this.low = low;
        this.high = high;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return (int) (channelsLast ? sample[2] : sample[0]);
    }

    @Override
    public int rows() {
        return (int) (channelsLast ? sample[0] : sample[1]);
    }

    @Override
    public int cols() {
        return (int) (channelsLast ? sample[1] : sample[2]);
    }

    @Override
    public long[] sampleShape() {
        return sample.clone();
    }

    @Override
    public boolean labelled() {
        return false;
    }

    @Override
    public int read(int i, float[] dst, int offset) {
        SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + i);
        int n = channels() * rows() * cols();
        for (int k = 0; k < n; k++) {
            dst[offset + k] = (float) (rng.nextDouble() * (high - low) + low);
        }
        return -1;
    }
}
