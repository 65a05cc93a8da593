package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Data specifications, the same for every command that reads data:
 * <ul>
 * <li>{@code imagefolder:DIR}: class sub-folders of images, labelled ({@link ImageFolder});</li>
 * <li>{@code images:DIR}: any images under DIR, recursively, unlabelled ({@link ImageFiles});</li>
 * <li>{@code idx:DIR}: MNIST-style IDX files (train split for calibration, t10k for evaluation);</li>
 * <li>{@code embedded:fashion-mnist}: the sets shipped in the jar (calibration slice, test set).</li>
 * </ul>
 * Image folders are preprocessed by a {@link Preprocessing}; IDX sets give [0, 1] single-channel pixels.
 */
public final class DataSpec {
    public static final String DEFAULT = "embedded:fashion-mnist";

    /** The four kinds of spec, with their prefixes. */
    public enum Kind {
        IMAGEFOLDER("imagefolder:"), IMAGES("images:"), IDX("idx:"), EMBEDDED("embedded:");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }

        /** Whether the spec names a folder of image files (preprocessed) rather than an IDX set. */
        public boolean images() {
            return this == IMAGEFOLDER || this == IMAGES;
        }
    }

    /** What the data is for: calibration (train / calibration split) or evaluation (test split). */
    public enum Role { CALIBRATION, EVALUATION }

    /** A parsed spec: its kind and what follows the prefix (a folder, or the embedded set's name). */
    public record Spec(Kind kind, String location) {
        public Spec {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(location, "location");
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
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "unknown data spec '" + spec
                + "': expected imagefolder:DIR, images:DIR, idx:DIR or embedded:fashion-mnist");
    }

    /**
     * Opens a spec for a role; {@code preprocessing} applies to image folders (its layout AUTO read as
     * NCHW: resolve it against the model first) and is ignored for IDX sets.
     */
    public static LabeledImages open(String spec, Role role, Preprocessing preprocessing) {
        Spec s = parse(spec);
        return switch (s.kind()) {
            case IMAGEFOLDER -> new ImageFolder(Path.of(s.location()), preprocessing);
            case IMAGES -> new ImageFiles(Path.of(s.location()), preprocessing);
            case IDX, EMBEDDED -> open(spec, split(s.kind(), role));
        };
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
        return switch (s.kind()) {
            case IDX -> IdxDataset.load(Path.of(s.location()), split);
            case EMBEDDED -> IdxDataset.embedded(s.location(), split);
            case IMAGEFOLDER, IMAGES -> throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "data spec '" + spec
                    + "' is an image folder, which has no " + split.name().toLowerCase(java.util.Locale.ROOT)
                    + " split; open it with a Preprocessing");
        };
    }
}
