package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Data spec {@code images:DIR}: every image file under DIR, recursively, in
 * sorted path order, without labels (read returns -1): calibration data for
 * pruning and inputs for fidelity. Decoded and preprocessed when read.
 */
public final class ImageFiles implements LabeledImages {
    private final List<Path> files;
    private final Preprocessing preprocessing;

    public ImageFiles(Path root, Preprocessing preprocessing) {
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        if (!Files.isDirectory(root)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root + " is not a directory");
        }
        try (Stream<Path> all = Files.walk(root)) {
            files = all.filter(f -> Files.isRegularFile(f) && ImagePixels.isImage(f)).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root + " cannot be read: " + e, e);
        }
        if (files.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root + " holds no images ("
                    + ImagePixels.EXTENSIONS + ")");
        }
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** The file of sample {@code i}. */
    public Path file(int i) {
        return files.get(i);
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int channels() {
        return preprocessing.channels();
    }

    @Override
    public int rows() {
        return preprocessing.height();
    }

    @Override
    public int cols() {
        return preprocessing.width();
    }

    @Override
    public long[] sampleShape() {
        return preprocessing.sampleShape();
    }

    @Override
    public boolean labelled() {
        return false;
    }

    @Override
    public int read(int i, float[] dst, int offset) {
        ImageSamples.read(files.get(i), preprocessing, dst, offset);
        return -1;
    }
}
