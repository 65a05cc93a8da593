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
 * for labels; then unsigned bytes), plain or gzipped (by the {@code .gz} name).
 * Pixels become floats in [0, 1]; images are single-channel, row-major. A file
 * that is missing, malformed (wrong magic, sizes that are zero or past 2^31,
 * counts that disagree, fewer bytes than its header says, broken gzip) is an
 * {@code INVALID_ARGUMENT} error naming it (a data file is the caller's
 * argument; INVALID_MODEL is for models); nothing the size of a header's claim
 * is allocated before the bytes are there.
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
        DataInputStream images = open(imagesFile);
        DataInputStream labels;
        try {
            labels = open(labelsFile);
        } catch (FcptsException e) {
            closeQuietly(images);
            throw e;
        }
        return read(images, imagesFile.toString(), labels, labelsFile.toString());
    }

    /**
     * Reads a split of an example set shipped in the {@code io.github.fcpts4j:fcpts4j-examples} jar (data spec
     * {@code embedded:NAME}), found through the class loader so that it is read from that jar's module too.
     */
    public static IdxDataset embedded(String name, Split split) {
        String base = "io/github/fcpts4j/examples/" + name + "/" + split.prefix;
        ClassLoader loader = IdxDataset.class.getClassLoader();
        InputStream images = loader.getResourceAsStream(base + "-images-idx3-ubyte.gz");
        InputStream labels = loader.getResourceAsStream(base + "-labels-idx1-ubyte.gz");
        if (images == null || labels == null) {
            closeQuietly(images);
            closeQuietly(labels);
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "no embedded data set '" + name + "' with a "
                    + split.name().toLowerCase(java.util.Locale.ROOT) + " split on the classpath: the shipped sets "
                    + "(fashion-mnist) come with io.github.fcpts4j:fcpts4j-examples");
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
            int[] header = header(in, 0x803, 3, imagesFile);
            int count = header[0], rows = header[1], cols = header[2];
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, imagesFile + " claims "
                        + Integer.toUnsignedString(count) + " images of " + Integer.toUnsignedString(rows) + "x"
                        + Integer.toUnsignedString(cols) + "; expected fewer than 2^31 images of at least 1x1 pixels");
            }
            int labelCount = header(lin, 0x801, 1, labelsFile)[0];
            if (count != labelCount) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, imagesFile + " holds " + count + " images of "
                        + rows + "x" + cols + " but " + labelsFile + " holds " + Integer.toUnsignedString(labelCount)
                        + " labels");
            }
            long total = (long) count * rows * cols;
            if (total > Integer.MAX_VALUE - 8L) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, imagesFile + " claims " + count + " images of "
                        + rows + "x" + cols + ", more pixels than one array holds");
            }
            byte[] raw = payload(in, (int) total, imagesFile);
            byte[] rawLabels = payload(lin, count, labelsFile);
            float[] pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xff) / 255f;
            }
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = rawLabels[i] & 0xff;
            }
            return new IdxDataset(pixels, labels, rows, cols);
        } catch (IOException e) {
            // only closing gets here: reads name their file themselves
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot close IDX data " + imagesFile + " or "
                    + labelsFile + ": " + e, e);
        }
    }

    private static DataInputStream open(Path p) {
        InputStream raw;
        try {
            raw = Files.newInputStream(p);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot read IDX file " + p + ": " + e, e);
        }
        try {
            return new DataInputStream(new java.io.BufferedInputStream(p.toString().endsWith(".gz")
                    ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16));
        } catch (IOException e) {
            closeQuietly(raw);
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "IDX file " + p + " is named .gz but is not gzip "
                    + "data: " + e, e);
        }
    }

    /** The magic number, then {@code dims} big-endian sizes; a wrong magic or a short file names the file. */
    private static int[] header(DataInputStream in, int magic, int dims, String file) {
        try {
            int m = in.readInt();
            if (m != magic) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, file + " is not an IDX " + (magic == 0x803
                        ? "image" : "label") + " file (magic 0x" + Integer.toHexString(m) + ", expected 0x"
                        + Integer.toHexString(magic) + ": unsigned bytes, " + dims + " dimension(s))");
            }
            int[] sizes = new int[dims];
            for (int i = 0; i < dims; i++) {
                sizes[i] = in.readInt();
            }
            return sizes;
        } catch (EOFException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "IDX file " + file + " ends inside its header "
                    + "(empty or truncated?)", e);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot read IDX file " + file + ": " + e, e);
        }
    }

    /**
     * The next {@code length} bytes. Read in chunks, so what is allocated follows the bytes the file really
     * holds: a header claiming 2^31 pixels over a short file costs nothing before it is refused.
     */
    private static byte[] payload(DataInputStream in, int length, String file) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(length);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot read IDX file " + file + ": " + e, e);
        }
        if (bytes.length != length) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "IDX file " + file + " is shorter than its header "
                    + "says: " + bytes.length + " bytes after the header, " + length + " expected (truncated?)");
        }
        return bytes;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // already failing with the error that matters
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
