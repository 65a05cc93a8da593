package io.github.fcpts4j.bench;

import java.util.Arrays;

/** Wall-clock samples of one benchmarked operation: median, min, max in milliseconds. */
record Timing(double[] millis) {

    interface Body {
        void run();
    }

    /** Runs {@code body} {@code warmup} times untimed, then {@code runs} times timed. */
    static Timing measure(int warmup, int runs, Body body) {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] samples = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            body.run();
            samples[i] = (System.nanoTime() - start) / 1e6;
        }
        return new Timing(samples);
    }

    double median() {
        double[] s = millis.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    double min() {
        return Arrays.stream(millis).min().orElse(Double.NaN);
    }

    double max() {
        return Arrays.stream(millis).max().orElse(Double.NaN);
    }

    /** Achieved bandwidth in GB/s (1e9 bytes) for {@code bytes} moved per run, at the median. */
    double gigabytesPerSecond(double bytes) {
        return bytes / (median() * 1e-3) / 1e9;
    }
}
