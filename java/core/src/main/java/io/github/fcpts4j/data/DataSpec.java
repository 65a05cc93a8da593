package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Data specifications, the same for every command that reads data, one {@link Kind} constant each (its
 * prefix, what follows it, its default preprocessing and how it opens):
 * <ul>
 * <li>{@code imagefolder:DIR}: class sub-folders of images, labelled ({@link ImageFolder});</li>
 * <li>{@code images:DIR}: any images under DIR, recursively, unlabelled ({@link ImageFiles});</li>
 * <li>{@code textlines:DIR}: text-line images with their transcriptions in {@code DIR/labels.txt}
 *     ({@link TextLineFolder}, PaddleOCR's rec label format);</li>
 * <li>{@code idx:DIR}: MNIST-style IDX files (train split for calibration, t10k for evaluation);</li>
 * <li>{@code embedded:fashion-mnist}: the sets shipped in the jar (calibration slice, test set).</li>
 * </ul>
 * Image files are preprocessed by a {@link Preprocessing} (by default {@link Kind#preprocessing()});
 * IDX sets give [0, 1] single-channel pixels.
 */
public final class DataSpec {
    public static final String DEFAULT = "embedded:fashion-mnist";

    /** How a kind opens its location for a role, with the preprocessing of image kinds (null for IDX). */
    private interface Opener {
        LabeledImages open(Kind kind, String location, Role role, Preprocessing preprocessing);
    }

    /** The kinds of spec: prefix, the location's placeholder, default preprocessing (image kinds) and opener. */
    public enum Kind {
        IMAGEFOLDER("imagefolder:", "DIR", Preprocessing.imagenet(), (k, l, r, p) -> new ImageFolder(Path.of(l), p)),
        IMAGES("images:", "DIR", Preprocessing.imagenet(), (k, l, r, p) -> new ImageFiles(Path.of(l), p)),
        TEXTLINES("textlines:", "DIR", Preprocessing.paddleOcrRec(),
                (k, l, r, p) -> new TextLineFolder(Path.of(l), p)),
        IDX("idx:", "DIR", null, (k, l, r, p) -> IdxDataset.load(Path.of(l), split(k, r))),
        EMBEDDED("embedded:", "fashion-mnist", null, (k, l, r, p) -> IdxDataset.embedded(l, split(k, r)));

        private final String prefix, placeholder;
        private final Preprocessing preprocessing;
        private final Opener opener;

        Kind(String prefix, String placeholder, Preprocessing preprocessing, Opener opener) {
            this.prefix = prefix;
            this.placeholder = placeholder;
            this.preprocessing = preprocessing;
            this.opener = opener;
        }

        public String prefix() {
            return prefix;
        }

        /** Whether the spec names image files (preprocessed) rather than an IDX set. */
        public boolean images() {
            return preprocessing != null;
        }

        /**
         * The preprocessing of this kind when none is given: {@link Preprocessing#imagenet()} for image folders,
         * {@link Preprocessing#paddleOcrRec()} for text lines.
         *
         * @throws FcptsException INVALID_ARGUMENT for IDX kinds, which are fed as their own pixels
         */
        public Preprocessing preprocessing() {
            if (preprocessing == null) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, prefix + " data is fed as its own [0, 1] "
                        + "single-channel pixels and takes no preprocessing");
            }
            return preprocessing;
        }

        /** E.g. {@code textlines:DIR}. */
        public String usage() {
            return prefix + placeholder;
        }

        /** The usage of every kind that takes preprocessing, e.g. "imagefolder:, images: and textlines:". */
        public static String imageKinds() {
            String[] p = Arrays.stream(values()).filter(Kind::images).map(Kind::prefix).toArray(String[]::new);
            return String.join(", ", Arrays.copyOf(p, p.length - 1)) + " and " + p[p.length - 1];
        }
    }

    /** What the data is for: calibration (train / calibration split) or evaluation (test split). */
    public enum Role { CALIBRATION, EVALUATION }

    /** A parsed spec: its kind and what follows the prefix (a folder, or the embedded set's name). */
    public record Spec(Kind kind, String location) {
        public Spec {
            FcptsException.requireNonNull(kind, "kind");
            FcptsException.requireNonNull(location, "location");
        }

        @Override
        public String toString() {
            return kind.prefix() + location;
        }
    }

    private DataSpec() {
    }

    /** @throws FcptsException INVALID_ARGUMENT for an unknown prefix or an empty location */
    public static Spec parse(String spec) {
        FcptsException.requireNonNull(spec, "spec");
        for (Kind k : Kind.values()) {
            if (spec.startsWith(k.prefix())) {
                String rest = spec.substring(k.prefix().length());
                if (rest.isEmpty()) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "data spec '" + spec + "' names no "
                            + (k == Kind.EMBEDDED ? "data set" : "folder"));
                }
                return new Spec(k, rest);
            }
        }
        String[] all = Arrays.stream(Kind.values()).map(Kind::usage).toArray(String[]::new);
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "unknown data spec '" + spec + "': expected "
                + Arrays.stream(all, 0, all.length - 1).collect(Collectors.joining(", ")) + " or " + all[all.length - 1]);
    }

    /**
     * Opens a spec for a role; {@code preprocessing} applies to image files (its layout AUTO read as NCHW:
     * resolve it against the model first) and is ignored for IDX sets.
     */
    public static LabeledImages open(String spec, Role role, Preprocessing preprocessing) {
        Spec s = parse(spec);
        return s.kind().opener.open(s.kind(), s.location(), role, s.kind().images()
                ? FcptsException.requireNonNull(preprocessing, "preprocessing") : null);
    }

    /** The IDX split a role reads: calibration from idx:'s train files or the embedded calibration slice. */
    public static IdxDataset.Split split(Kind kind, Role role) {
        if (role == Role.EVALUATION) {
            return IdxDataset.Split.TEST;
        }
        return kind == Kind.IDX ? IdxDataset.Split.TRAIN : IdxDataset.Split.CALIBRATION;
    }

    /** An IDX spec ({@code idx:} or {@code embedded:}) with an explicit split. */
    public static IdxDataset open(String spec, IdxDataset.Split split) {
        Spec s = parse(spec);
        if (s.kind() == Kind.IDX) {
            return IdxDataset.load(Path.of(s.location()), split);
        }
        if (s.kind() == Kind.EMBEDDED) {
            return IdxDataset.embedded(s.location(), split);
        }
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "data spec '" + spec + "' names image files, which "
                + "have no " + split.name().toLowerCase(java.util.Locale.ROOT) + " split; open it with a Preprocessing");
    }
}
