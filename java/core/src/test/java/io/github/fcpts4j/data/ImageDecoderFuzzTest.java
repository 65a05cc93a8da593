package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.testing.Fuzz;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of image decoding for {@code images:} and {@code imagefolder:} data (see {@link Fuzz} for
 * seeds, replay and the allocation guard). Seeds: small PNG (RGB, gray, ARGB, 16-bit gray), JPEG (RGB, gray),
 * BMP and GIF images made here with ImageIO. Mutations: bit flips, truncations, deleted and doubled slices,
 * header sizes (PNG IHDR with its CRC fixed, JPEG SOF, BMP and GIF headers) set to 0, huge (100000 x 100000)
 * or negative, empty files, text and random bytes under an image extension, and an image under another
 * format's extension. Each case reads through {@link ImageFiles} or {@link ImageFolder} under a plain or a
 * torchvision-style resize, and gives finite samples or an INVALID_ARGUMENT error naming the file.
 */
class ImageDecoderFuzzTest {
    private static final int CASES = 400;
    /**
     * An image within ImagePixels.MAX_PIXELS (2^26) may take 3 x 256 MiB: decoded, as RGB, resized (at most
     * 2^26 pixels too). The seeds under the sizes edited here take at most about 150 MiB; a header claiming
     * 100000 x 100000 would take 30 GB.
     */
    private static final long ALLOCATION_LIMIT = 768L << 20;

    private record Seed(String name, String format, byte[] bytes) {
    }

    private static final List<Seed> SEEDS = new ArrayList<>();

    @BeforeAll
    static void seeds() throws Exception {
        seed("rgb.png", "png", image(23, 17, BufferedImage.TYPE_INT_RGB));
        seed("gray.png", "png", image(16, 12, BufferedImage.TYPE_BYTE_GRAY));
        seed("argb.png", "png", image(9, 9, BufferedImage.TYPE_INT_ARGB));
        seed("gray16.png", "png", image(7, 5, BufferedImage.TYPE_USHORT_GRAY));
        seed("rgb.jpg", "jpg", image(24, 16, BufferedImage.TYPE_INT_RGB));
        seed("gray.jpg", "jpg", image(16, 16, BufferedImage.TYPE_BYTE_GRAY));
        seed("rgb.bmp", "bmp", image(10, 7, BufferedImage.TYPE_INT_RGB));
        seed("indexed.gif", "gif", image(12, 12, BufferedImage.TYPE_BYTE_INDEXED));
    }

    private static BufferedImage image(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        Random r = new Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, 0xff000000 | r.nextInt(0x1000000));
            }
        }
        return image;
    }

    private static void seed(String name, String format, BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
        SEEDS.add(new Seed(name, format, out.toByteArray()));
    }

    @Test
    void mutatedImagesDecodeOrAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Fuzz.Run run = new Fuzz.Run("image", Set.of(ErrorCode.INVALID_ARGUMENT), ALLOCATION_LIMIT);
        for (int i = 0; i < Fuzz.cases(CASES); i++) {
            if (!Fuzz.selected(i)) {
                continue;
            }
            Random r = Fuzz.random("image", run.seed(), i);
            Seed seed = SEEDS.get(r.nextInt(SEEDS.size()));
            StringBuilder what = new StringBuilder(seed.name()).append(": ");
            String extension = seed.format();
            byte[] bytes = switch (r.nextInt(8)) {
                case 0 -> Fuzz.flipBits(seed.bytes(), r, 1 + r.nextInt(16), what);
                case 1 -> Fuzz.truncate(seed.bytes(), r.nextInt(seed.bytes().length), what);
                case 2 -> Fuzz.deleteOrDuplicateSlice(seed.bytes(), r, 32, what);
                case 3, 4 -> editSize(seed, r, what);
                case 5 -> {
                    String[] others = {"png", "jpg", "jpeg", "bmp", "gif"};
                    extension = others[r.nextInt(others.length)];
                    what.append("named .").append(extension);
                    yield seed.bytes();
                }
                case 6 -> foreign(r, what);
                default -> {
                    what.append("unchanged");
                    yield seed.bytes();
                }
            };
            Path caseDir = dir.resolve("case" + i);
            boolean folder = r.nextBoolean();
            Path file = Files.createDirectories(folder ? caseDir.resolve("class_a") : caseDir)
                    .resolve("img." + extension);
            Files.write(file, bytes);
            Preprocessing p = r.nextBoolean() ? Preprocessing.imagenet()
                    : Preprocessing.imagenet().withResize(new Preprocessing.Exact(6, 5))
                    .withNormalization(new float[] {0.5f}, new float[] {0.25f}).withGrayscale(r.nextBoolean());
            what.append(folder ? ", imagefolder" : ", images").append(", ").append(p.resize());
            run.check(i, what.toString(), file.toString(), () -> {
                LabeledImages data = folder ? new ImageFolder(caseDir, p) : new ImageFiles(caseDir, p);
                float[] sample = new float[Math.toIntExact(data.channels() * (long) data.rows() * data.cols())];
                data.read(0, sample, 0);
                for (float v : sample) {
                    if (!Float.isFinite(v)) {
                        throw new AssertionError("sample value " + v);
                    }
                }
            });
            Files.delete(file);
        }
        run.finish();
    }

    /** A PNG whose IHDR claims 100000 x 100000 pixels (30 GB decoded) is refused by its header. */
    @Test
    void aPngClaimingTenGigapixelsIsRefusedBeforeDecoding(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("huge.png");
        Files.write(file, pngSize(SEEDS.get(0).bytes(), 100_000, 100_000));
        FcptsException e = assertThrows(FcptsException.class, () -> ImagePixels.decode(file));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("image " + file + " claims 100000x100000 pixels"), e.getMessage());
    }

    private static final long[] SIZES = {0, 1, -1, 8193, 20_000, 46_341, 65_535, 100_000, Integer.MAX_VALUE};

    /** The width, the height or both in the header set to an odd size. */
    private static byte[] editSize(Seed seed, Random r, StringBuilder what) {
        int which = r.nextInt(3);
        long w = which == 1 ? -2 : SIZES[r.nextInt(SIZES.length)], h = which == 0 ? -2 : SIZES[r.nextInt(SIZES.length)];
        what.append("header ").append(w == -2 ? "" : "width " + w + " ").append(h == -2 ? "" : "height " + h);
        byte[] b = seed.bytes().clone();
        switch (seed.format()) {
            case "png" -> {
                return pngSize(b, w, h);
            }
            case "jpg" -> {
                for (int at = 2; at + 9 < b.length; at++) {
                    if ((b[at] & 0xff) == 0xff && ((b[at + 1] & 0xff) == 0xc0 || (b[at + 1] & 0xff) == 0xc2)) {
                        putShort(b, at + 5, h, true);
                        putShort(b, at + 7, w, true);
                        return b;
                    }
                }
                throw new AssertionError("no SOF marker in the JPEG seed");
            }
            case "bmp" -> {
                if (w != -2) {
                    b = Fuzz.putInt(b, 18, (int) w, false);
                }
                if (h != -2) {
                    b = Fuzz.putInt(b, 22, (int) h, false);
                }
                return b;
            }
            default -> {
                putShort(b, 6, w, false);  // the logical screen
                putShort(b, 8, h, false);
                for (int at = 13; at + 9 < b.length; at++) {
                    if (b[at] == 0x2c) {  // the image descriptor
                        putShort(b, at + 5, w, false);
                        putShort(b, at + 7, h, false);
                        break;
                    }
                }
                return b;
            }
        }
    }

    /** PNG with IHDR width and height replaced (-2: kept) and the chunk's CRC recomputed. */
    private static byte[] pngSize(byte[] png, long w, long h) {
        byte[] b = png;
        if (w != -2) {
            b = Fuzz.putInt(b, 16, (int) w, true);
        }
        if (h != -2) {
            b = Fuzz.putInt(b, 20, (int) h, true);
        }
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);  // chunk type and 13 data bytes
        return Fuzz.putInt(b, 29, (int) crc.getValue(), true);
    }

    private static void putShort(byte[] b, int at, long value, boolean bigEndian) {
        if (value == -2) {
            return;
        }
        int v = (int) Math.min(0xffff, Math.max(0, value));
        b[at + (bigEndian ? 0 : 1)] = (byte) (v >>> 8);
        b[at + (bigEndian ? 1 : 0)] = (byte) v;
    }

    /** Bytes that are no image: empty, text, random, an image signature followed by noise. */
    private static byte[] foreign(Random r, StringBuilder what) {
        switch (r.nextInt(4)) {
            case 0 -> {
                what.append("empty file");
                return new byte[0];
            }
            case 1 -> {
                what.append("text");
                return "label,file\n3,cat.png\n".getBytes(StandardCharsets.UTF_8);
            }
            case 2 -> {
                byte[] b = new byte[1 + r.nextInt(2000)];
                r.nextBytes(b);
                what.append(b.length).append(" random bytes");
                return b;
            }
            default -> {
                byte[][] signatures = {{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
                        {(byte) 0xff, (byte) 0xd8, (byte) 0xff}, {'B', 'M'}, {'G', 'I', 'F', '8', '9', 'a'}};
                byte[] sig = signatures[r.nextInt(signatures.length)];
                byte[] b = new byte[sig.length + r.nextInt(200)];
                r.nextBytes(b);
                System.arraycopy(sig, 0, b, 0, sig.length);
                what.append("signature ").append(sig.length).append(" bytes + noise");
                return b;
            }
        }
    }
}
