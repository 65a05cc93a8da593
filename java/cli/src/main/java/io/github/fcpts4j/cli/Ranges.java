package io.github.fcpts4j.cli;

import io.github.fcpts4j.prune.ScheduleSettings;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The range of every numeric option, declared beside the option as its picocli converter
 * ({@code @Option(names = "--batch", converter = Ranges.AtLeastOne.class)}): the value is parsed and
 * checked in one place, and a value out of range is a usage error (exit 2) that names the option, the
 * value given and the range, e.g. {@code Invalid value for option '--batch': 0 is not an integer >= 1}.
 * NaN and infinities are refused by every real-valued range.
 */
final class Ranges {
    private Ranges() {
    }

    /** An integer range [min, max]. */
    abstract static class Whole implements ITypeConverter<Integer> {
        private final long min;
        private final long max;
        private final String range;

        Whole(long min, long max, String range) {
            this.min = min;
            this.max = max;
            this.range = range;
        }

        @Override
        public Integer convert(String value) {
            long v;
            try {
                v = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not " + range);
            }
            if (v < min || v > max) {
                throw new TypeConversionException(value.trim() + " is not " + range + (v > max ? " (at most " + max
                        + ")" : ""));
            }
            return (int) v;
        }
    }

    /** A real range from {@code min} (inclusive or not) to {@code max} (inclusive or not), finite. */
    abstract static class Real {
        private final double min;
        private final boolean minIncluded;
        private final double max;
        private final boolean maxIncluded;
        private final String range;

        Real(double min, boolean minIncluded, double max, boolean maxIncluded, String range) {
            this.min = min;
            this.minIncluded = minIncluded;
            this.max = max;
            this.maxIncluded = maxIncluded;
            this.range = range;
        }

        final double parse(String value) {
            double v;
            try {
                v = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not " + range);
            }
            boolean above = minIncluded ? v >= min : v > min;
            boolean below = maxIncluded ? v <= max : v < max;
            if (!Double.isFinite(v) || !above || !below) {
                throw new TypeConversionException(value.trim() + " is not " + range);
            }
            return v;
        }
    }

    /** A real range of a double option. */
    abstract static class RealDouble extends Real implements ITypeConverter<Double> {
        RealDouble(double min, boolean minIncluded, double max, boolean maxIncluded, String range) {
            super(min, minIncluded, max, maxIncluded, range);
        }

        @Override
        public Double convert(String value) {
            return parse(value);
        }
    }

    /** Batch sizes, sample counts, runs, epochs, crop sizes. */
    static final class AtLeastOne extends Whole {
        AtLeastOne() {
            super(1, Integer.MAX_VALUE, "an integer >= 1");
        }
    }

    /** Step counts, warm-up runs, thread counts (0 = all cores), limits (0 = none). */
    static final class AtLeastZero extends Whole {
        AtLeastZero() {
            super(0, Integer.MAX_VALUE, "an integer >= 0");
        }
    }

    /** A share that must stay below one: a target sparsity, the polish fraction. */
    static final class Fraction extends RealDouble {
        Fraction() {
            super(0, true, 1, false, "a number in [0, 1)");
        }
    }

    /** A per-layer sparsity bound. */
    static final class UnitInterval extends RealDouble {
        UnitInterval() {
            super(0, true, 1, true, "a number in [0, 1]");
        }
    }

    /** A weight such as lambda. */
    static final class NonNegative extends RealDouble {
        NonNegative() {
            super(0, true, Double.MAX_VALUE, true, "a finite number >= 0");
        }
    }

    /** A learning rate, a weight decay or a loss weight (float options). */
    static final class NonNegativeFloat extends Real implements ITypeConverter<Float> {
        NonNegativeFloat() {
            super(0, true, Float.MAX_VALUE, true, "a finite number >= 0");
        }

        @Override
        public Float convert(String value) {
            return (float) parse(value);
        }
    }

    /** A finite float >= 0, or {@code auto} ({@link ScheduleSettings#AUTO_LR}: the run chooses). */
    static final class NonNegativeFloatOrAuto extends Real implements ITypeConverter<Float> {
        NonNegativeFloatOrAuto() {
            super(0, true, Float.MAX_VALUE, true, "auto or a finite number >= 0");
        }

        @Override
        public Float convert(String value) {
            return value.trim().equals("auto") ? ScheduleSettings.AUTO_LR : (float) parse(value);
        }
    }
}
