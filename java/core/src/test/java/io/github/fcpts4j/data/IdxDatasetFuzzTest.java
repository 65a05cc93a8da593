package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.testing.Fuzz;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the IDX reader (see {@link Fuzz} for seeds, replay and the allocation guard). Seed: the
 * first {@value #IMAGES} images and labels of the shipped Fashion-MNIST calibration split, written plain or
 * gzipped (the reader goes by the {@code .gz} name). Mutations: the magic number (other types, other dims
 * counts), the sizes in both headers (zero, huge, negative as unsigned, off by one), truncations inside the
 * header and the payload, mismatched image and label counts, bit flips (in the gzip stream too), gzip bytes
 * under a plain name and plain bytes under a .gz name, empty files and trailing bytes. Each case loads (and
 * then holds count x rows x cols pixels in [0, 1] and labels in [0, 255]) or is refused with
 * INVALID_ARGUMENT naming the images or the labels file.
 */
class IdxDatasetFuzzTest {
    private static final int CASES = 400;
    private static final int IMAGES = 24;
    /** An honest load of the seed allocates well under 1 MiB; a lying header claims up to 2 GiB (x 5 as floats). */
    private static final long ALLOCATION_LIMIT = 64L << 20;

    private static byte[] images;
    private static byte[] labels;

    @BeforeAll
    static void seed() throws Exception {
        Path dir = Path.of("../../examples/data/fashion-mnist");
        images = head(dir.resolve("calib-images-idx3-ubyte.gz"), 16, 28 * 28);
        labels = head(dir.resolve("calib-labels-idx1-ubyte.gz"), 8, 1);
    }

    /** The header with the count set to {@value #IMAGES}, then that many records. */
    private static byte[] head(Path gz, int header, int record) throws Exception {
        try (InputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(gz)))) {
            byte[] bytes = in.readNBytes(header + IMAGES * record);
            ByteBuffer.wrap(bytes).putInt(4, IMAGES);
            return bytes;
        }
    }

    @Test
    void mutatedFilesLoadOrAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Fuzz.Run run = new Fuzz.Run("idx", Set.of(ErrorCode.INVALID_ARGUMENT), ALLOCATION_LIMIT);
        for (int i = 0; i < Fuzz.cases(CASES); i++) {
            if (!Fuzz.selected(i)) {
                continue;
            }
            Random r = Fuzz.random("idx", run.seed(), i);
            boolean gzImages = r.nextBoolean(), gzLabels = r.nextBoolean(), onImages = r.nextInt(3) != 0;
            byte[] img = images, lab = labels;
            StringBuilder what = new StringBuilder(onImages ? "images: " : "labels: ");
            byte[] target = onImages ? img : lab;
            boolean gzipFirst = false;  // whether the mutation applies to the gzip stream
            switch (r.nextInt(9)) {
                case 0 -> {
                    int[] magics = {0x803, 0x801, 0x802, 0x804, 0x903, 0x0d03, 0x08030000, 0, -1, r.nextInt()};
                    int m = magics[r.nextInt(magics.length)];
                    what.append("magic 0x").append(Integer.toHexString(m));
                    target = Fuzz.putInt(target, 0, m, true);
                }
                case 1 -> {
                    int at = 4 * (1 + r.nextInt(onImages ? 3 : 1));
                    int v = (int) Fuzz.oddSize(r, ByteBuffer.wrap(target).getInt(at));
                    what.append("header size at byte ").append(at).append(" = ").append(Integer.toUnsignedString(v));
                    target = Fuzz.putInt(target, at, v, true);
                }
                case 2 -> target = Fuzz.truncate(target, r.nextInt(target.length), what);
                case 3 -> target = Fuzz.truncate(target, r.nextInt(onImages ? 20 : 12), what);
                case 4 -> {
                    gzipFirst = r.nextBoolean();
                    if (!gzipFirst) {
                        target = Fuzz.flipBits(target, r, 1 + r.nextInt(8), what);
                    }
                }
                case 5 -> {
                    int count = r.nextBoolean() ? IMAGES - 1 : IMAGES + 1;
                    what.append("label count ").append(count);
                    lab = Fuzz.putInt(lab, 4, count, true);
                    target = onImages ? img : lab;
                }
                case 6 -> {
                    what.append("empty file");
                    target = new byte[0];
                }
                case 7 -> {
                    what.append("trailing bytes");
                    target = Arrays.copyOf(target, target.length + 1 + r.nextInt(100));
                }
                default -> what.append("unchanged");
            }
            if (onImages) {
                img = target;
            } else {
                lab = target;
            }
            byte[] imgFile = gzImages ? gzip(img) : img, labFile = gzLabels ? gzip(lab) : lab;
            boolean swapForm = r.nextInt(8) == 0;
            if (gzipFirst) {
                StringBuilder flip = new StringBuilder();
                if (onImages) {
                    imgFile = Fuzz.flipBits(gzImages ? imgFile : gzip(img), r, 1 + r.nextInt(4), flip);
                    gzImages = true;
                } else {
                    labFile = Fuzz.flipBits(gzLabels ? labFile : gzip(lab), r, 1 + r.nextInt(4), flip);
                    gzLabels = true;
                }
                what.append("gzip stream: ").append(flip);
            }
            String imgName = "images-idx3-ubyte" + (gzImages != (swapForm && onImages) ? ".gz" : "");
            String labName = "labels-idx1-ubyte" + (gzLabels != (swapForm && !onImages) ? ".gz" : "");
            what.append(gzImages ? ", images gzipped" : "").append(gzLabels ? ", labels gzipped" : "")
                    .append(swapForm ? ", named as the other form" : "");
            Path caseDir = Files.createDirectories(dir.resolve("case" + i));
            Path imgPath = Files.write(caseDir.resolve(imgName), imgFile);
            Path labPath = Files.write(caseDir.resolve(labName), labFile);
            // the file at fault must be named (a count mismatch names both)
            run.check(i, what.toString(), (onImages ? imgPath : labPath).toString(),
                    () -> checkLoaded(IdxDataset.load(imgPath, labPath)));
            deleteAll(caseDir);
        }
        run.finish();
    }

    /** A header claiming 2^31 - 9 pixels over a file of 16 bytes is refused without allocating them. */
    @Test
    void aHeaderClaimingTwoGigabytesOfPixelsIsRefusedByTheBytesPresent(@TempDir Path dir) throws Exception {
        int count = (Integer.MAX_VALUE - 9) / 9;
        Path img = Files.write(dir.resolve("i-idx3-ubyte"), header(0x803, count, 3, 3));
        Path lab = Files.write(dir.resolve("l-idx1-ubyte"), header(0x801, count));
        long before = allocated();
        FcptsException e = assertThrows(FcptsException.class, () -> IdxDataset.load(img, lab));
        assertTrue(allocated() - before < ALLOCATION_LIMIT, (allocated() - before) + " bytes allocated");
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains(img + " is shorter than its header says: 0 bytes after the header, "
                + 9L * count + " expected"), e.getMessage());
    }

    private static byte[] header(int magic, int... sizes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length).putInt(magic);
        for (int v : sizes) {
            b.putInt(v);
        }
        return b.array();
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    private static void checkLoaded(IdxDataset d) {
        float[] pixels = new float[d.rows() * d.cols()];
        for (int k = 0; k < d.size(); k++) {
            d.copyImage(k, pixels, 0);
            for (float p : pixels) {
                if (!(p >= 0f && p <= 1f)) {
                    throw new AssertionError("image " + k + " has pixel " + p);
                }
            }
            if (d.label(k) < 0 || d.label(k) > 255) {
                throw new AssertionError("label " + k + " is " + d.label(k));
            }
        }
    }

    private static byte[] gzip(byte[] plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    private static void deleteAll(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
