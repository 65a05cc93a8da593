package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * How decoded images become model input, the same for calibration and evaluation
 * ({@code imagefolder:}, {@code images:} and {@code textlines:} data; {@link ImageSamples} applies it):
 * <ol>
 * <li>resize: {@link ShorterSide} (shorter side to {@code size}, bilinear, then a center crop of
 *     {@code crop} x {@code crop}), {@link Exact} (bilinear to exactly height x width, no crop) or
 *     {@link PadRight} (text lines: height fixed, aspect kept, padded on the right with 0 after
 *     normalization, PaddleOCR's {@code resize_norm_img});</li>
 * <li>optional grayscale: L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, the 8-bit ITU-R 601 luma that
 *     PIL's {@code convert("L")} computes;</li>
 * <li>x / 255, then (x - mean[c]) / std[c] per channel (one value or one per channel);</li>
 * <li>channel order RGB or BGR (the order of the mean / std values too);</li>
 * <li>layout NCHW or NHWC; {@link Layout#AUTO} is inferred from the model input by {@link #resolve}
 *     and means NCHW where no model is known;</li>
 * <li>optional alpha: a fourth channel after the colour channels, the constant 1 (opaque) in every pixel,
 *     not normalized (mean and std are the colour channels'), for models whose input has 4 channels (RGB +
 *     alpha, as M-LSD's [N, H, W, 4]); {@link #resolve} turns it on when the model input asks for 4.</li>
 * </ol>
 * Use it with {@code Pruner.builder().calibration("images:DIR", p)} or {@link DataSpec#open}.
 */
public record Preprocessing(Resize resize, float[] mean, float[] std, ChannelOrder channelOrder, boolean grayscale,
                            Layout layout, boolean alpha) {

    /** How an image is brought to the model's height and width. */
    public sealed interface Resize permits ShorterSide, Exact, PadRight {
    }

    /** Shorter side to {@code size}, aspect kept, then a centered {@code crop} x {@code crop} square. */
    public record ShorterSide(int size, int crop) implements Resize {
        public ShorterSide {
            if (crop < 1 || size < crop) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "resize " + size + " with crop " + crop
                        + ": expected resize >= crop >= 1");
            }
        }
    }

    /** Exactly {@code height} x {@code width}, aspect not kept, no crop. */
    public record Exact(int height, int width) implements Resize {
        public Exact {
            if (height < 1 || width < 1) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "resize " + height + "x" + width
                        + ": expected positive height and width");
            }
        }
    }

    /**
     * PaddleOCR's text-line resize ({@code resize_norm_img} of its CTC recognizers): an image of w x h
     * pixels becomes {@code height} rows of {@code min(width, ceil(height * w / h))} columns (bilinear, aspect
     * kept), placed at the left; the columns to its right hold 0 in every channel after normalization (the
     * mid-gray of mean 0.5, std 0.5). {@link #FIT} (0 x 0) takes both from the model input when
     * {@link Preprocessing#resolve} runs, PaddleOCR's {@code rec_image_shape} 48 x 320 where the input leaves
     * them symbolic; explicit sizes must fit the input like {@link Exact}'s.
     */
    public record PadRight(int height, int width) implements Resize {
        /** Height and width from the model input (48 and 320 where it leaves them symbolic). */
        public static final PadRight FIT = new PadRight(0, 0);
        /** PaddleOCR's default {@code rec_image_shape} 3, 48, 320 (PP-OCRv3 / v4). */
        public static final int DEFAULT_HEIGHT = 48, DEFAULT_WIDTH = 320;

        public PadRight {
            if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "pad-right resize " + height + "x" + width
                        + ": expected positive height and width, or 0x0 to take them from the model input");
            }
        }

        /** Whether height and width come from the model input. */
        public boolean fit() {
            return height == 0;
        }

        /**
         * The columns an image of {@code w} x {@code h} pixels fills before the padding, rounded as PaddleOCR
         * does: {@code min(toWidth, ceil(toHeight * (w / h)))} in double (at least 1).
         */
        public static int resizedWidth(int w, int h, int toHeight, int toWidth) {
            double ceil = Math.ceil(toHeight * (w / (double) h));
            return (int) Math.max(1, Math.min(toWidth, ceil));
        }
    }

    /** Order of the colour channels in the model input. */
    public enum ChannelOrder { RGB, BGR }

    /** Memory layout of one batch: channels first or last; AUTO = inferred from the model input. */
    public enum Layout { AUTO, NCHW, NHWC }

    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f}, IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    public Preprocessing {
        FcptsException.requireNonNull(resize, "resize");
        FcptsException.requireNonNull(channelOrder, "channelOrder");
        FcptsException.requireNonNull(layout, "layout");
        if (grayscale && alpha) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "an alpha channel goes with RGB images, not "
                    + "--grayscale");
        }
        mean = values("mean", mean, grayscale, false);
        std = values("std", std, grayscale, true);
    }

    /** Without an alpha channel. */
    public Preprocessing(Resize resize, float[] mean, float[] std, ChannelOrder channelOrder, boolean grayscale,
                         Layout layout) {
        this(resize, mean, std, channelOrder, grayscale, layout, false);
    }

    /** torchvision's ImageNet evaluation: shorter side 256, crop 224, ImageNet mean / std, RGB, layout inferred. */
    public static Preprocessing imagenet() {
        return new Preprocessing(new ShorterSide(256, 224), IMAGENET_MEAN, IMAGENET_STD, ChannelOrder.RGB, false,
                Layout.AUTO);
    }

    /**
     * PaddleOCR's CTC text-line recognizers (PP-OCR rec, {@code resize_norm_img}): {@link PadRight#FIT},
     * (x / 255 - 0.5) / 0.5, BGR (PaddleOCR reads images with OpenCV and feeds them unconverted), layout
     * inferred. The default of {@code textlines:} data.
     */
    public static Preprocessing paddleOcrRec() {
        return new Preprocessing(PadRight.FIT, new float[] {0.5f}, new float[] {0.5f}, ChannelOrder.BGR, false,
                Layout.AUTO);
    }

    public Preprocessing withResize(Resize r) {
        return new Preprocessing(r, mean, std, channelOrder, grayscale, layout, alpha);
    }

    /** One value for every channel, or one per channel (in the model's channel order). */
    public Preprocessing withNormalization(float[] newMean, float[] newStd) {
        return new Preprocessing(resize, newMean, newStd, channelOrder, grayscale, layout, alpha);
    }

    public Preprocessing withChannelOrder(ChannelOrder order) {
        return new Preprocessing(resize, mean, std, order, grayscale, layout, alpha);
    }

    /** One luma channel instead of three (mean and std must then hold one value each). */
    public Preprocessing withGrayscale(boolean on) {
        return new Preprocessing(resize, mean, std, channelOrder, on, layout, alpha);
    }

    /** RGB plus a constant opaque alpha channel (4 channels). */
    public Preprocessing withAlpha(boolean on) {
        return new Preprocessing(resize, mean, std, channelOrder, grayscale, layout, on);
    }

    public Preprocessing withLayout(Layout l) {
        return new Preprocessing(resize, mean, std, channelOrder, grayscale, l, alpha);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** 1 (luma), 3 (colour) or 4 (colour and alpha). */
    public int channels() {
        return grayscale ? 1 : alpha ? 4 : 3;
    }

    /** Rows of one sample ({@link PadRight#FIT} before {@link #resolve}: 48). */
    public int height() {
        if (resize instanceof PadRight r) {
            return r.fit() ? PadRight.DEFAULT_HEIGHT : r.height();
        }
        return resize instanceof Exact e ? e.height() : ((ShorterSide) resize).crop();
    }

    /** Columns of one sample ({@link PadRight#FIT} before {@link #resolve}: 320). */
    public int width() {
        if (resize instanceof PadRight r) {
            return r.fit() ? PadRight.DEFAULT_WIDTH : r.width();
        }
        return resize instanceof Exact e ? e.width() : ((ShorterSide) resize).crop();
    }

    /** The mean (or std) of output channel {@code c}. */
    float meanOf(int c) {
        return mean[mean.length == 1 ? 0 : c];
    }

    float stdOf(int c) {
        return std[std.length == 1 ? 0 : c];
    }

    /** {@link Layout#AUTO} read as NCHW. */
    public boolean channelsLast() {
        return layout == Layout.NHWC;
    }

    /** One sample's shape in this layout: [C, H, W] or [H, W, C]. */
    public long[] sampleShape() {
        return channelsLast() ? new long[] {height(), width(), channels()}
                : new long[] {channels(), height(), width()};
    }

    /**
     * This preprocessing with its layout fixed for a model input of {@code shape} (-1 for symbolic
     * dimensions, the batch first): AUTO becomes NCHW when dimension 1 holds the channel count and dimension
     * 3 does not, NHWC for the reverse, and is refused when both or neither do. Colour preprocessing meets a
     * 4-channel input with an alpha channel ({@link #withAlpha}): where the layout's channel dimension is 4, or,
     * for AUTO, where exactly one of dimensions 1 and 3 is 4 and neither is 3 (so [N, H, W, 4] is NHWC RGBA).
     * The fixed dimensions must then equal the channels, height and width this preprocessing produces.
     *
     * @throws FcptsException INVALID_ARGUMENT naming the input, its shape and the option to change
     */
    public Preprocessing resolve(String input, long[] shape) {
        String declared = "input '" + input + "' " + Arrays.toString(shape);
        if (shape.length != 4) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, declared + " is not 4-D; image data needs "
                    + "[N, C, H, W] or [N, H, W, C]");
        }
        Preprocessing p = this;
        if (!grayscale && !alpha) {
            boolean four1 = shape[1] == 4, four3 = shape[3] == 4;
            boolean rgba = switch (layout) {
                case NHWC -> four3;
                case NCHW -> four1;
                case AUTO -> four1 != four3 && shape[1] != 3 && shape[3] != 3;
            };
            p = withAlpha(rgba);
        }
        int c = p.channels();
        Layout l = layout;
        if (l == Layout.AUTO) {
            boolean first = shape[1] == c, last = shape[3] == c;
            if (first == last) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot infer the layout of " + declared
                        + " for " + c + "-channel images" + (first ? " (both dimension 1 and 3 could be channels)"
                        : " (neither dimension 1 nor 3 is " + c + ")") + "; pass --layout nchw or --layout nhwc"
                        + (first ? "" : ", or --grayscale / an --input-shape"));
            }
            l = first ? Layout.NCHW : Layout.NHWC;
        }
        Preprocessing fixed = p.withLayout(l);
        if (resize instanceof PadRight r && r.fit()) {
            int rows = l == Layout.NCHW ? 2 : 1;
            fixed = fixed.withResize(new PadRight(shape[rows] > 0 ? Math.toIntExact(shape[rows]) : fixed.height(),
                    shape[rows + 1] > 0 ? Math.toIntExact(shape[rows + 1]) : fixed.width()));
        }
        long[] produced = fixed.sampleShape();
        for (int i = 0; i < 3; i++) {
            if (shape[i + 1] > 0 && shape[i + 1] != produced[i]) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "preprocessing gives "
                        + l.name().toLowerCase(Locale.ROOT) + " samples " + Arrays.toString(produced) + " but "
                        + declared + " expects " + Arrays.toString(Arrays.copyOfRange(shape, 1, 4))
                        + "; set --resize (N or HxW), --crop, --grayscale or --layout to match");
            }
        }
        return fixed;
    }

    /** One line for reports, e.g. "resize 48x192, mean [0.5], std [0.5], rgb, nchw". */
    public String describe() {
        String r = resize instanceof Exact e ? e.height() + "x" + e.width()
                : resize instanceof PadRight p ? "height " + height() + " keeping aspect, padded right to " + width()
                + (p.fit() ? " (or the model input's)" : "")
                : ((ShorterSide) resize).size() + ", crop " + ((ShorterSide) resize).crop();
        return "resize " + r + ", mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ", "
                + (grayscale ? "grayscale" : channelOrder.name().toLowerCase(Locale.ROOT)) + (alpha ? " + alpha 1"
                : "") + ", " + layout.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && resize.equals(p.resize) && Arrays.equals(mean, p.mean)
                && Arrays.equals(std, p.std) && channelOrder == p.channelOrder && grayscale == p.grayscale
                && layout == p.layout && alpha == p.alpha;
    }

    @Override
    public int hashCode() {
        return Objects.hash(resize, Arrays.hashCode(mean), Arrays.hashCode(std), channelOrder, grayscale, layout,
                alpha);
    }

    @Override
    public String toString() {
        return "Preprocessing[" + describe() + "]";
    }

    private static float[] values(String what, float[] v, boolean grayscale, boolean positive) {
        FcptsException.requireNonNull(v, what);
        if (v.length != 1 && (grayscale || v.length != 3)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--" + what + " " + Arrays.toString(v) + ": expected "
                    + (grayscale ? "one value (--grayscale gives one channel)" : "one value or three (one per "
                    + "channel)"));
        }
        for (float x : v) {
            if (!Float.isFinite(x) || (positive && !(x > 0))) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--" + what + " " + Arrays.toString(v)
                        + ": expected finite" + (positive ? " positive" : "") + " numbers");
            }
        }
        return v.clone();
    }
}
