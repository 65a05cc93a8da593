package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * An ImageNet-style folder: one sub-folder per class (classes numbered in
 * sorted name order, like torchvision's ImageFolder), images decoded with
 * ImageIO (PNG, JPEG, BMP, GIF) and preprocessed the torchvision way: resize
 * the shorter side to {@code resize} (bilinear), center-crop {@code crop} x
 * {@code crop}, scale to [0, 1], then (x - mean[c]) / std[c] per RGB channel.
 * Images are decoded when read, so a large folder costs no memory up front.
 * (DJL's ImageFolder transforms need an engine with image operators; the ONNX
 * Runtime engine has none, so the decoding is done here.)
 */
public final class ImageFolder implements LabeledImages {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");
    private final List<Path> files = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final List<String> classes = new ArrayList<>();
    private final int resize;
    private final int crop;
    private final float[] mean;
    private final float[] std;

    public ImageFolder(Path root, int resize, int crop, float[] mean, float[] std) {
        if (crop < 1 || resize < crop || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("image folder: need resize >= crop >= 1 and 3 means / deviations");
        }
        this.resize = resize;
        this.crop = crop;
        this.mean = mean.clone();
        this.std = std.clone();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).sorted().forEach(dir -> {
                int label = classes.size();
                classes.add(dir.getFileName().toString());
                try (Stream<Path> images = Files.list(dir)) {
                    images.filter(ImageFolder::isImage).sorted().forEach(f -> {
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
                    + " has no class sub-folders with images (" + EXTENSIONS + ")");
        }
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    public List<String> classes() {
        return List.copyOf(classes);
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public int rows() {
        return crop;
    }

    @Override
    public int cols() {
        return crop;
    }

    @Override
    public int read(int i, float[] dst, int offset) {
        Path file = files.get(i);
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot decode image " + file + ": " + e, e);
        }
        if (image == null) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "no image decoder for " + file);
        }
        double scale = (double) resize / Math.min(image.getWidth(), image.getHeight());
        int w = Math.max(crop, (int) Math.round(image.getWidth() * scale));
        int h = Math.max(crop, (int) Math.round(image.getHeight() * scale));
        BufferedImage resized = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        int left = (w - crop) / 2, top = (h - crop) / 2, plane = crop * crop;
        for (int y = 0; y < crop; y++) {
            for (int x = 0; x < crop; x++) {
                int rgb = resized.getRGB(left + x, top + y);
                int[] channel = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int c = 0; c < 3; c++) {
                    dst[offset + c * plane + y * crop + x] = (channel[c] / 255f - mean[c]) / std[c];
                }
            }
        }
        return labels.get(i);
    }
}
