package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.nio.file.Path;

/**
 * Data specifications shared by the commands: {@code idx:DIR} (MNIST-style IDX
 * files in a folder), {@code embedded:fashion-mnist} (the test set and
 * calibration slice shipped inside the jar) and {@code imagefolder:DIR}
 * (class sub-folders of images, preprocessed by {@link ImageFolder} with the
 * options of {@link #openImages}).
 */
public final class DataSpec {
    public static final String DEFAULT = "embedded:fashion-mnist";

    private DataSpec() {
    }

    /** ImageNet preprocessing: resize 256, center crop 224, ImageNet mean and deviation. */
    public static final int RESIZE = 256, CROP = 224;
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f}, IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** Any spec, as labelled images; {@code split} applies to IDX specs, image folders are used whole. */
    public static LabeledImages openImages(String spec, IdxDataset.Split split, int resize, int crop, float[] mean,
                                           float[] std) {
        if (spec.startsWith("imagefolder:")) {
            return new ImageFolder(Path.of(spec.substring("imagefolder:".length())), resize, crop, mean, std);
        }
        return open(spec, split);
    }

    public static IdxDataset open(String spec, IdxDataset.Split split) {
        if (spec.startsWith("idx:")) {
            return IdxDataset.load(Path.of(spec.substring(4)), split);
        }
        if (spec.startsWith("embedded:")) {
            return IdxDataset.embedded(spec.substring(9), split);
        }
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "unknown data spec '" + spec
                + "': expected idx:DIR, imagefolder:DIR or embedded:fashion-mnist");
    }
}
