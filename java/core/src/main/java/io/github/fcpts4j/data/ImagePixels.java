package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one image file with ImageIO (PNG, JPEG, BMP, GIF) and writes it as
 * model input under a {@link Preprocessing}: 8-bit RGB (gray files replicated
 * from their samples, alpha dropped, as PIL's {@code convert("RGB")}), the
 * resize and crop, optional luma, x / 255, (x - mean) / std, channel order,
 * the optional constant alpha channel (1: opaque, whatever the file's alpha)
 * and layout. Used by {@link ImageFolder} and {@link ImageFiles} when a
 * sample is read, so no folder is ever loaded whole.
 */
final class ImagePixels {
    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");
    /**
     * The most pixels an image (or its resized form) may have: 2^26, 8192 x 8192, past any photo a model is
     * fed. Decoding such an image takes up to 256 MiB per copy (4 bytes a pixel).
     */
    static final long MAX_PIXELS = 1L << 26;

    private ImagePixels() {
    }

    static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** Decodes {@code file} and writes its channels * height * width floats at {@code offset}. */
    static void read(Path file, Preprocessing p, float[] dst, int offset) {
        write(decode(file), p, dst, offset, file);
    }

    /**
     * The file's first image. Its width and height are read from the header first: an image above
     * {@link #MAX_PIXELS} is refused before the decoder allocates its raster, whatever the header claims.
     */
    static BufferedImage decode(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot decode image " + file
                        + ": not a PNG, JPEG, BMP or GIF file");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                if (w < 1 || h < 1 || w * h > MAX_PIXELS) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image " + file + " claims " + w + "x" + h
                            + " pixels; expected at least 1x1 and at most " + MAX_PIXELS + " pixels (8192x8192)");
                }
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot decode image " + file
                            + ": it holds no image");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (FcptsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot decode image " + file + ": " + e, e);
        }
    }

    /** Applies {@code p} to the image decoded from {@code file}. */
    private static void write(BufferedImage decoded, Preprocessing p, float[] dst, int offset, Path file) {
        BufferedImage rgb = toRgb(decoded);
        int h = p.height(), w = p.width(), left = 0, top = 0;
        BufferedImage sized;
        if (p.resize() instanceof Preprocessing.ShorterSide s) {
            double scale = (double) s.size() / Math.min(rgb.getWidth(), rgb.getHeight());
            long rw = Math.max(s.crop(), Math.round(rgb.getWidth() * scale));
            long rh = Math.max(s.crop(), Math.round(rgb.getHeight() * scale));
            if (rw * rh > MAX_PIXELS) {
                // an extreme aspect ratio: a 65535 x 1 image would become 16776960 x 256
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image " + file + " of " + rgb.getWidth() + "x"
                        + rgb.getHeight() + " would be resized to " + rw + "x" + rh + " (shorter side " + s.size()
                        + "), more than " + MAX_PIXELS + " pixels");
            }
            sized = scaled(rgb, (int) rw, (int) rh);
            left = (int) (rw - s.crop()) / 2;
            top = (int) (rh - s.crop()) / 2;
        } else {
            sized = scaled(rgb, w, h);
        }
        int channels = p.channels(), plane = h * w;
        boolean bgr = p.channelOrder() == Preprocessing.ChannelOrder.BGR, last = p.channelsLast();
        float[] mean = new float[channels], std = new float[channels];
        for (int c = 0; c < Math.min(channels, 3); c++) {
            mean[c] = p.meanOf(c);
            std[c] = p.stdOf(c);
        }
        int[] v = new int[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int px = sized.getRGB(left + x, top + y), r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;
                if (channels == 1) {
                    v[0] = (19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16;
                } else {
                    v[0] = bgr ? b : r;
                    v[1] = g;
                    v[2] = bgr ? r : b;
                }
                for (int c = 0; c < channels; c++) {
                    dst[offset + (last ? (y * w + x) * channels + c : c * plane + y * w + x)] =
                            c == 3 ? 1f : (v[c] / 255f - mean[c]) / std[c];
                }
            }
        }
    }

    private static BufferedImage scaled(BufferedImage rgb, int w, int h) {
        if (rgb.getWidth() == w && rgb.getHeight() == h) {
            return rgb;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(rgb, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /**
     * 8-bit sRGB with the file's own values: ImageIO's gray images live in a linear gray space that
     * getRGB would gamma-convert, so their samples are copied to R = G = B instead.
     */
    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        int w = image.getWidth(), h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        boolean gray = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        Raster raster = image.getRaster();
        int bits = image.getColorModel().getComponentSize(0);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int px;
                if (gray) {
                    int s = raster.getSample(x, y, 0);
                    s = bits == 8 ? s : (int) Math.round(s * 255.0 / ((1 << bits) - 1));
                    px = (s << 16) | (s << 8) | s;
                } else {
                    px = image.getRGB(x, y) & 0xffffff;
                }
                out.setRGB(x, y, px);
            }
        }
        return out;
    }
}
