package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.Locale;

/**
 * Named optimization schedules, trading time for quality: the number of FCPTS steps a run takes (batch,
 * calibration samples and learning rates stay as configured). Quality depends on the schedule length far
 * more than on any other setting measured (FCPTS.md section 10); the measurements behind each length are in
 * the README's schedule table.
 */
public enum SchedulePreset {
    /** the quick demo schedule: 150 steps (the shipped ResNet-20 in about 35 s on 2 cores) */
    FAST(Steps.FAST),
    /**
     * the default for a user's model and the library: 600 steps (MobileNetV2-small at 70 %: 91.48 % against
     * 91.01 % in 150 steps, dense 92.41 %)
     */
    DEFAULT(Steps.DEFAULT),
    /** the published schedule: 1,600 steps, 100 passes over 1,024 samples at batch 64 */
    THOROUGH(Steps.THOROUGH);

    /** The step counts as compile-time constants, so that help texts (annotation values) can name them. */
    public static final class Steps {
        public static final int FAST = 150;
        public static final int DEFAULT = 600;
        public static final int THOROUGH = 1600;

        private Steps() {
        }
    }

    private final int iterations;

    SchedulePreset(int iterations) {
        this.iterations = iterations;
    }

    public int iterations() {
        return iterations;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The label of the preset with {@code iterations} steps, or {@code custom}. */
    public static String labelOf(int iterations) {
        for (SchedulePreset p : values()) {
            if (p.iterations == iterations) {
                return p.label();
            }
        }
        return "custom";
    }

    /** Parses {@code fast}, {@code default} or {@code thorough}. */
    public static SchedulePreset parse(String name) {
        for (SchedulePreset p : values()) {
            if (p.label().equals(name)) {
                return p;
            }
        }
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--preset '" + name
                + "': expected fast, default or thorough");
    }
}
