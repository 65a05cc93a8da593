package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * One image file as one model sample under a {@link Preprocessing}, whatever its resize: the shorter-side
 * and exact resizes are {@link ImagePixels}' own; {@link Preprocessing.PadRight} is composed on top of it.
 * The file's width w and height h are read from its header, {@link ImagePixels} writes it resized exactly
 * to H x W' (W' = min(W, ceil(H * w / h)), PaddleOCR's rounding) into a scratch sample, and its columns are
 * copied to the left of the H x W sample whose other columns are 0 in every channel (after normalization,
 * as PaddleOCR's {@code padding_im = np.zeros(...)}). Called by every image data spec when a sample is read.
 */
final class ImageSamples {
    private ImageSamples() {
    }

    /** Writes {@code file}'s channels * height * width floats at {@code offset}, in {@code p}'s layout. */
    static void read(Path file, Preprocessing p, float[] dst, int offset) {
        if (!(p.resize() instanceof Preprocessing.PadRight)) {
            ImagePixels.read(file, p, dst, offset);
            return;
        }
        int[] size = size(file);
        int h = p.height(), w = p.width(), c = p.channels();
        int filled = Preprocessing.PadRight.resizedWidth(size[0], size[1], h, w);
        float[] line = new float[c * h * filled];
        ImagePixels.read(file, p.withResize(new Preprocessing.Exact(h, filled)), line, 0);
        Arrays.fill(dst, offset, offset + c * h * w, 0f);
        if (p.channelsLast()) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(line, y * filled * c, dst, offset + y * w * c, filled * c);
            }
        } else {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(line, (ch * h + y) * filled, dst, offset + (ch * h + y) * w, filled);
                }
            }
        }
    }

    /** {width, height} from the image's header, without decoding its pixels. */
    private static int[] size(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot decode image " + file
                        + ": not a PNG, JPEG, BMP or GIF file");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof FcptsException f) {
                throw f;
            }
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot decode image " + file + ": " + e, e);
        }
    }
}
