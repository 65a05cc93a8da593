package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A labelled image set in the IDX format of MNIST and Fashion-MNIST (big-endian
 * header: magic 0x803 and count, rows, cols for images; magic 0x801 and count
 * for labels; then unsigned bytes), plain or gzipped. Pixels become floats in
 * [0, 1]; images are single-channel, row-major.
 */
public final class IdxDataset implements LabeledImages {
    /** Which pair of files to read from a folder. */
    public enum Split {
        TRAIN("train"), TEST("t10k"), CALIBRATION("calib");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    private final float[] pixels;
    private final int[] labels;
    private final int rows;
    private final int cols;

    private IdxDataset(float[] pixels, int[] labels, int rows, int cols) {
        this.pixels = pixels;
        this.labels = labels;
        this.rows = rows;
        this.cols = cols;
    }

    /** Reads {@code <prefix>-images-idx3-ubyte[.gz]} and {@code <prefix>-labels-idx1-ubyte[.gz]} from a folder. */
    public static IdxDataset load(Path dir, Split split) {
        Path images = find(dir, split.prefix + "-images-idx3-ubyte");
        Path labels = find(dir, split.prefix + "-labels-idx1-ubyte");
        return load(images, labels);
    }

    private static Path find(Path dir, String base) {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "IDX data folder " + dir + " has no " + base
                + "[.gz]");
    }

    public static IdxDataset load(Path imagesFile, Path labelsFile) {
        try {
            return read(open(imagesFile), imagesFile.toString(), open(labelsFile), labelsFile.toString());
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot read IDX data " + imagesFile + ": " + e, e);
        }
    }

    /** Reads a split shipped inside the fcpts4j jar (data spec {@code embedded:NAME}). */
    public static IdxDataset embedded(String name, Split split) {
        String base = "/io/github/fcpts4j/data/" + name + "/" + split.prefix;
        InputStream images = IdxDataset.class.getResourceAsStream(base + "-images-idx3-ubyte.gz");
        InputStream labels = IdxDataset.class.getResourceAsStream(base + "-labels-idx1-ubyte.gz");
        if (images == null || labels == null) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "no embedded data set '" + name + "' with a "
                    + split.name().toLowerCase(java.util.Locale.ROOT) + " split in this build");
        }
        try {
            return read(gzip(images), base + "-images", gzip(labels), base + "-labels");
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INTERNAL, "cannot read embedded data " + base + ": " + e, e);
        }
    }

    private static DataInputStream gzip(InputStream raw) throws IOException {
        return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
    }

    private static IdxDataset read(DataInputStream in, String imagesFile, DataInputStream lin, String labelsFile) {
        try (in; lin) {
            expectMagic(in, 0x803, imagesFile);
            int count = in.readInt(), rows = in.readInt(), cols = in.readInt();
            expectMagic(lin, 0x801, labelsFile);
            int labelCount = lin.readInt();
            if (count != labelCount || count < 0 || rows <= 0 || cols <= 0) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, imagesFile + " holds " + count + " images of "
                        + rows + "x" + cols + " but " + labelsFile + " holds " + labelCount + " labels");
            }
            long total = (long) count * rows * cols;
            if (total > Integer.MAX_VALUE - 8L) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, imagesFile + " claims " + count + " images of "
                        + rows + "x" + cols + ", more pixels than one array holds");
            }
            byte[] raw = new byte[(int) total];
            in.readFully(raw);
            float[] pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xff) / 255f;
            }
            byte[] rawLabels = new byte[count];
            lin.readFully(rawLabels);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = rawLabels[i] & 0xff;
            }
            return new IdxDataset(pixels, labels, rows, cols);
        } catch (EOFException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "IDX file " + imagesFile + " or " + labelsFile
                    + " is shorter than its header says (truncated?)", e);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot read IDX data " + imagesFile + ": " + e, e);
        }
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream raw = Files.newInputStream(p);
        return new DataInputStream(new java.io.BufferedInputStream(p.toString().endsWith(".gz")
                ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16));
    }

    private static void expectMagic(DataInputStream in, int magic, String file) throws IOException {
        int m = in.readInt();
        if (m != magic) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, file + " is not an IDX " + (magic == 0x803
                    ? "image" : "label") + " file (magic 0x" + Integer.toHexString(m) + ", expected 0x"
                    + Integer.toHexString(magic) + ")");
        }
    }

    /** The first {@code n} images and labels. */
    public IdxDataset head(int n) {
        int count = Math.min(n, size());
        return new IdxDataset(java.util.Arrays.copyOf(pixels, count * rows * cols), java.util.Arrays.copyOf(labels,
                count), rows, cols);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    public int read(int i, float[] dst, int offset) {
        copyImage(i, dst, offset);
        return labels[i];
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Copies image {@code i} (rows * cols floats in [0, 1]) into {@code dst} at {@code offset}. */
    public void copyImage(int i, float[] dst, int offset) {
        System.arraycopy(pixels, i * rows * cols, dst, offset, rows * cols);
    }
}
