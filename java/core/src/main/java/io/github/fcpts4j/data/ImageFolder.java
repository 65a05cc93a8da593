package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Data spec {@code imagefolder:DIR}: an ImageNet-style folder, one sub-folder
 * per class (classes numbered in sorted name order, like torchvision's
 * ImageFolder), images directly inside each class folder. Images are decoded
 * and preprocessed ({@link Preprocessing}, by {@link ImageSamples}) when read,
 * so a large folder costs no memory up front. (DJL's ImageFolder transforms
 * need an engine with image operators; the ONNX Runtime engine has none.)
 */
public final class ImageFolder extends PreprocessedImageFiles {
    private final List<Integer> labels;
    private final List<String> classes;

    /** The folder's images, their labels and the class names, in label order. */
    private record Scan(List<Path> files, List<Integer> labels, List<String> classes) {
    }

    public ImageFolder(Path root, Preprocessing preprocessing) {
        this(scan(root), preprocessing);
    }

    private ImageFolder(Scan scan, Preprocessing preprocessing) {
        super(scan.files(), preprocessing);
        this.labels = List.copyOf(scan.labels());
        this.classes = List.copyOf(scan.classes());
    }

    private static Scan scan(Path root) {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> classes = new ArrayList<>();
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
        return new Scan(files, labels, classes);
    }

    /** Class names in label order. */
    public List<String> classes() {
        return classes;
    }

    @Override
    int label(int i) {
        return labels.get(i);
    }
}
