package io.github.fcpts4j.data;

import io.github.fcpts4j.FcptsException;

import java.nio.file.Path;
import java.util.List;

/**
 * Image files decoded and preprocessed ({@link Preprocessing}, by {@link ImageSamples}) when read, so a large
 * set costs no memory up front: the sample side that {@link ImageFiles}, {@link ImageFolder} and
 * {@link TextLineFolder} share; each says only where its files come from and what label a sample has.
 */
abstract class PreprocessedImageFiles implements LabeledImages {
    private final List<Path> files;
    private final Preprocessing preprocessing;

    PreprocessedImageFiles(List<Path> files, Preprocessing preprocessing) {
        this.files = List.copyOf(files);
        this.preprocessing = FcptsException.requireNonNull(preprocessing, "preprocessing");
    }

    /** The label {@link #read} returns for sample {@code i}: a class index, or -1 for none. */
    abstract int label(int i);

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
    public final int read(int i, float[] dst, int offset) {
        ImageSamples.read(files.get(i), preprocessing, dst, offset);
        return label(i);
    }
}
