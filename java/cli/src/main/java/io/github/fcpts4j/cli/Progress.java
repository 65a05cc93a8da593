package io.github.fcpts4j.cli;

/** Formatting helpers for progress lines. */
final class Progress {
    private Progress() {
    }

    /** Seconds as "1h02m", "3m07s" or "12s". */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
