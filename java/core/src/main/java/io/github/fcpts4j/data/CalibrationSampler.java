package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.SplittableRandom;

/**
 * Calibration batches for pruning (FCPTS.md section 6): the first
 * {@code samples} images of a set, visited in a fresh seeded shuffle every
 * pass (samples / batch batches a pass; a short last batch wraps around), with
 * the light augmentation of {@link Augment} (random 2-pixel shift and flip) on
 * single-channel images when asked. Same seed, same batches.
 */
public final class CalibrationSampler {
    private final LabeledImages data;
    private final int batch;
    private final int samples;
    private final int perPass;
    private final boolean augment;
    private final SplittableRandom rng;
    private final int[] order;
    private int step;

    public CalibrationSampler(LabeledImages data, int samples, int batch, long seed, boolean augment) {
        if (data.size() == 0) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the calibration set is empty");
        }
        this.data = data;
        this.batch = batch;
        this.samples = Math.min(samples, data.size());
        this.perPass = Math.max(1, this.samples / batch);
        this.augment = augment && data.channels() == 1;
        this.rng = new SplittableRandom(seed);
        this.order = new int[this.samples];
        for (int i = 0; i < this.samples; i++) {
            order[i] = i;
        }
    }

    /** Batches in one pass over the samples. */
    public int batchesPerPass() {
        return perPass;
    }

    /** Floats in one sample (channels x rows x cols, in the set's layout). */
    public int sampleSize() {
        return data.channels() * data.rows() * data.cols();
    }

    /** Shape of one batch: the batch size, then the set's sample shape (NCHW, or NHWC for channels-last sets). */
    public long[] batchShape() {
        long[] sample = data.sampleShape();
        return new long[] {batch, sample[0], sample[1], sample[2]};
    }

    /** Writes the next batch into {@code images} (batch x sample size floats). */
    public void next(float[] images) {
        int[] picked = advance();
        int pixels = sampleSize();
        for (int b = 0; b < batch; b++) {
            data.read(picked[b], images, b * pixels);
            if (augment) {
                Augment.cropAndFlip(images, b * pixels, data.rows(), data.cols(), 2, rng);
            }
        }
    }

    /** Whether batches are augmented (then only {@link #next} can produce them). */
    public boolean augments() {
        return augment;
    }

    /** Samples the calibration set holds ({@link #nextIndices} picks among 0 .. samples - 1). */
    public int samples() {
        return samples;
    }

    /** Writes calibration sample {@code index} (0 .. samples - 1) into {@code dst} from {@code offset}. */
    public void readSample(int index, float[] dst, int offset) {
        data.read(index, dst, offset);
    }

    /**
     * The sample indices of the next batch, the same sequence {@link #next} would read (for callers that keep
     * the calibration set on a device and gather batches there).
     *
     * @throws IllegalStateException when batches are augmented
     */
    public int[] nextIndices() {
        if (augment) {
            throw new IllegalStateException("augmented batches are made on the host: use next(float[])");
        }
        return advance();
    }

    private int[] advance() {
        if (step % perPass == 0) {
            Shuffle.inPlace(order, rng);
        }
        int start = (step % perPass) * batch;
        int[] picked = new int[batch];
        for (int b = 0; b < batch; b++) {
            picked[b] = order[(start + b) % samples];
        }
        step++;
        return picked;
    }
}
