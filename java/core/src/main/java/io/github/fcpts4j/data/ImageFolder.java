package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Data spec {@code imagefolder:DIR}: an ImageNet-style folder, one sub-folder
 * per class (classes numbered in sorted name order, like torchvision's
 * ImageFolder), images directly inside each class folder. Images are decoded
 * and preprocessed ({@link Preprocessing}, by {@link ImageSamples}) when read,
 * so a large folder costs no memory up front. (DJL's ImageFolder transforms
 * need an engine with image operators; the ONNX Runtime engine has none.)
 */
public final class ImageFolder implements LabeledImages {
    private final List<Path> files = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final List<String> classes = new ArrayList<>();
    private final Preprocessing preprocessing;

    public ImageFolder(Path root, Preprocessing preprocessing) {
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        if (!Files.isDirectory(root)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root + " is not a directory");
        }
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).sorted().forEach(dir -> {
                int label = classes.size();
                classes.add(dir.getFileName().toString());
                try (Stream<Path> images = Files.list(dir)) {
                    images.filter(f -> Files.isRegularFile(f) && ImagePixels.isImage(f)).sorted().forEach(f -> {
                        files.add(f);
                        labels.add(label);
                    });
                } catch (IOException e) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot list " + dir + ": " + e, e);
                }
            });
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root + " cannot be read: " + e, e);
        }
        if (files.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "image folder " + root
                    + " has no class sub-folders with images (" + ImagePixels.EXTENSIONS + ")"
                    + (classes.isEmpty() ? "; for a folder without classes use images:" + root : ""));
        }
    }

    /** Class names in label order. */
    public List<String> classes() {
        return List.copyOf(classes);
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
    public int read(int i, float[] dst, int offset) {
        ImageSamples.read(files.get(i), preprocessing, dst, offset);
        return labels.get(i);
    }
}
