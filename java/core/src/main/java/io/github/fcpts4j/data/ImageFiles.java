package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Data spec {@code images:DIR}: every image file under DIR, recursively, in
 * sorted path order, without labels (read returns -1): calibration data for
 * pruning and inputs for fidelity. Decoded and preprocessed when read.
 */
public final class ImageFiles extends PreprocessedImageFiles {

    public ImageFiles(Path root, Preprocessing preprocessing) {
        super(scan(root), preprocessing);
    }

    private static List<Path> scan(Path root) {
        if (!Files.isDirectory(root)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root + " is not a directory");
        }
        List<Path> files;
        try (Stream<Path> all = Files.walk(root)) {
            files = all.filter(f -> Files.isRegularFile(f) && ImagePixels.isImage(f)).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root + " cannot be read: " + e, e);
        }
        if (files.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root + " holds no images ("
                    + ImagePixels.EXTENSIONS + ")");
        }
        return files;
    }

    @Override
    int label(int i) {
        return -1;
    }

    @Override
    public boolean labelled() {
        return false;
    }
}
