package io.github.fcpts4j.cli;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.Preprocessing;

import java.util.Arrays;

import picocli.CommandLine.Option;

/**
 * Mixin: the preprocessing flags of every command that reads image folders (prune, eval, bench, check),
 * turned into one {@link Preprocessing}. Unset flags keep the data spec's defaults
 * ({@link DataSpec.Kind#preprocessing()}: ImageNet's resize 256, crop 224, mean / std, RGB for image folders,
 * PaddleOCR's pad-right resize, 0.5 / 0.5, BGR for text lines; layout from the model); they apply to
 * image data only (imagefolder:, images:, textlines:).
 */
final class PreprocessOptions {
    @Option(names = "--resize", paramLabel = "N|HxW", description = "N: shorter side to N, then --crop (default: "
            + "256, crop 224); HxW: exactly H x W, no crop (e.g. 48x192)")
    String resize;

    @Option(names = "--crop", paramLabel = "C", converter = Ranges.AtLeastOne.class,
            description = "center crop C x C after --resize N (default: 224 "
            + "with the default resize, else N)")
    Integer crop;

    @Option(names = "--mean", paramLabel = "a[,b,c]", description = "subtracted after scaling pixels to [0, 1]: one "
            + "value or one per channel, in --channel-order (default: ImageNet's)")
    String mean;

    @Option(names = "--std", paramLabel = "a[,b,c]", description = "divides after the mean: one value or one per "
            + "channel (default: ImageNet's)")
    String std;

    @Option(names = "--channel-order", paramLabel = "rgb|bgr", description = "colour channel order (default rgb)")
    String channelOrder;

    @Option(names = "--grayscale",
            description = "one luma channel (ITU-R 601, as PIL's convert(\"L\")); mean 0 and std 1 unless given")
    boolean grayscale;

    @Option(names = "--layout", paramLabel = "nchw|nhwc", description = "input layout (default: inferred from the "
            + "model input, refused when ambiguous)")
    String layout;

    /** Whether any preprocessing flag was given. */
    boolean given() {
        return resize != null || crop != null || mean != null || std != null || channelOrder != null || grayscale
                || layout != null;
    }

    /** The preprocessing these flags describe on top of ImageNet's (layout AUTO unless --layout). */
    Preprocessing build() {
        return build(Preprocessing.imagenet());
    }

    /** The preprocessing these flags describe on top of {@code defaults}. */
    Preprocessing build(Preprocessing defaults) {
        Preprocessing p = defaults;
        if (resize != null) {
            p = p.withResize(resize(resize, crop));
        } else if (crop != null) {
            p = p.withResize(new Preprocessing.ShorterSide(256, crop));
        }
        if (mean != null || std != null || grayscale) {
            float[] m = mean != null ? floats("--mean", mean) : grayscale ? new float[] {0} : p.mean();
            float[] s = std != null ? floats("--std", std) : grayscale ? new float[] {1} : p.std();
            p = p.withNormalization(m, s);
        }
        if (channelOrder != null) {
            p = p.withChannelOrder(Options.choice("--channel-order", channelOrder, Preprocessing.ChannelOrder.class,
                    "rgb", Preprocessing.ChannelOrder.RGB, "bgr", Preprocessing.ChannelOrder.BGR));
        }
        if (layout != null) {
            p = p.withLayout(Options.choice("--layout", layout, Preprocessing.Layout.class,
                    "nchw", Preprocessing.Layout.NCHW, "nhwc", Preprocessing.Layout.NHWC));
        }
        return p.withGrayscale(grayscale);
    }

    /**
     * The preprocessing for a data spec: the flags on top of the spec kind's defaults for image files; for
     * IDX data (fed as its own [0, 1] pixels) none may be given.
     */
    Preprocessing forSpec(String spec) {
        DataSpec.Kind kind = DataSpec.parse(spec).kind();
        if (!kind.images()) {
            if (given()) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--resize, --crop, --mean, --std, "
                        + "--channel-order, --grayscale and --layout apply to " + DataSpec.Kind.imageKinds()
                        + " data; " + spec + " is fed as its own [0, 1] single-channel pixels");
            }
            return build();
        }
        return build(kind.preprocessing());
    }

    private static Preprocessing.Resize resize(String v, Integer crop) {
        String[] hw = v.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            if (hw.length == 1) {
                int n = Integer.parseInt(hw[0].trim());
                return new Preprocessing.ShorterSide(n, crop != null ? crop : n);
            }
            if (hw.length == 2) {
                if (crop != null) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--crop applies to --resize N only; --resize "
                            + v + " already gives the exact size");
                }
                return new Preprocessing.Exact(Integer.parseInt(hw[0].trim()), Integer.parseInt(hw[1].trim()));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--resize '" + v + "': expected N (shorter side, then "
                + "--crop) or HxW (exact), e.g. 256 or 48x192");
    }

    private static float[] floats(String option, String v) {
        String[] parts = v.split(",", -1);
        float[] out = new float[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Float.parseFloat(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, option + " '" + v + "': expected one number or "
                    + "three separated by commas, e.g. 0.5 or 0.485,0.456,0.406");
        }
        return out;
    }

    @Override
    public String toString() {
        return Arrays.asList(resize, crop, mean, std, channelOrder, grayscale, layout).toString();
    }
}
