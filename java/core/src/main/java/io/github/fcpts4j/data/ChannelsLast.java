package io.github.fcpts4j.data;

/**
 * A channels-first image set seen channels-last: sample i is the set's [C, H, W] sample transposed to
 * [H, W, C] (x[h, w, c] = chw[c, h, w]; one channel needs no move, only the shape changes). Lets CHW sets
 * (IDX and embedded data, a caller's own samples) calibrate models that declare an NHWC input.
 * {@link #forInput} decides; the pruner calls it on every calibration set.
 */
public final class ChannelsLast implements LabeledImages {
    private final LabeledImages chw;

    private ChannelsLast(LabeledImages chw) {
        this.chw = chw;
    }

    /**
     * {@code data} as the model input of {@code declared} ([N, ...], -1 for symbolic dimensions) expects it:
     * a channels-last view when {@code data} is channels-first and the input is 4-D with its last three
     * dimensions matching [H, W, C] but not [C, H, W] (e.g. [N, 28, 28, 1] for 1 x 28 x 28 samples); the
     * set itself otherwise (already channels-last, a fitting or ambiguous input, or one that fits neither,
     * which the caller reports).
     */
    public static LabeledImages forInput(LabeledImages data, long[] declared) {
        int c = data.channels(), h = data.rows(), w = data.cols();
        long[] s = data.sampleShape();
        boolean channelsFirst = s[0] == c && s[1] == h && s[2] == w;
        if (declared.length != 4 || !channelsFirst || fits(declared, c, h, w) || !fits(declared, h, w, c)) {
            return data;
        }
        return new ChannelsLast(data);
    }

    private static boolean fits(long[] declared, long a, long b, long c) {
        return (declared[1] <= 0 || declared[1] == a) && (declared[2] <= 0 || declared[2] == b)
                && (declared[3] <= 0 || declared[3] == c);
    }

    @Override
    public int size() {
        return chw.size();
    }

    @Override
    public int channels() {
        return chw.channels();
    }

    @Override
    public int rows() {
        return chw.rows();
    }

    @Override
    public int cols() {
        return chw.cols();
    }

    @Override
    public long[] sampleShape() {
        return new long[] {rows(), cols(), channels()};
    }

    @Override
    public boolean labelled() {
        return chw.labelled();
    }

    @Override
    public int read(int i, float[] dst, int offset) {
        int c = channels();
        if (c == 1) {
            return chw.read(i, dst, offset);
        }
        int plane = rows() * cols();
        float[] planar = new float[c * plane];
        int label = chw.read(i, planar, 0);
        for (int p = 0; p < plane; p++) {
            for (int k = 0; k < c; k++) {
                dst[offset + p * c + k] = planar[k * plane + p];
            }
        }
        return label;
    }
}
