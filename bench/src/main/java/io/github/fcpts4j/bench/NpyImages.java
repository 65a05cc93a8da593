package io.github.fcpts4j.bench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a NumPy {@code .npy} stack of gray images [N, h, w] (C order; {@code <f8} or {@code <f4} in [0, 1], or
 * {@code |u1}) as images, such as scikit-image's {@code lfw_subset.npy} (100 faces, then 100 non-faces, 25 x 25).
 */
final class NpyImages {
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+),\\s*(\\d+),?\\s*\\)");

    private NpyImages() {
    }

    /** The first {@code count} images of {@code file} (all of them when {@code count} is negative). */
    static List<BufferedImage> read(Path file, int count) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 10 || b.get() != (byte) 0x93 || b.get() != 'N' || b.get() != 'U') {
            throw new IOException(file + ": not a .npy file");
        }
        b.position(6);
        int major = b.get();
        b.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        byte[] header = new byte[headerLength];
        b.get(header);
        String h = new String(header, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(h), shape = SHAPE.matcher(h);
        if (!descr.find() || !shape.find() || h.contains("'fortran_order': True")) {
            throw new IOException(file + ": expected a C-order stack [N, h, w], header " + h.trim());
        }
        int n = Integer.parseInt(shape.group(1)), rows = Integer.parseInt(shape.group(2));
        int cols = Integer.parseInt(shape.group(3));
        String type = descr.group(1);
        if (!type.equals("<f8") && !type.equals("<f4") && !type.equals("|u1")) {
            throw new IOException(file + ": element type " + type + ", expected <f8, <f4 or |u1");
        }
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < (count < 0 ? n : Math.min(count, n)); i++) {
            BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    double v = switch (type) {
                        case "<f8" -> b.getDouble();
                        case "<f4" -> b.getFloat();
                        default -> Byte.toUnsignedInt(b.get()) / 255.0;
                    };
                    int g = (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
                    img.setRGB(x, y, g << 16 | g << 8 | g);
                }
            }
            out.add(img);
        }
        return out;
    }
}
