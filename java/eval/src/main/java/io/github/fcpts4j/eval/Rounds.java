package io.github.fcpts4j.eval;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Times several paths against each other in rounds, so that a drift of the machine (another process, a
 * frequency change, a noisy neighbour on a VM) hits every path alike: after {@code warmup} untimed runs of each
 * path, {@code rounds} rounds each run every path for its share of the {@code runs}, in an order that rotates
 * from round to round. The speed-up of path b over path a is the median over rounds of
 * {@code median_a(round) / median_b(round)}, reported with the range of those per-round ratios.
 */
public final class Rounds {
    private Rounds() {
    }

    /** The samples of every path, by round. */
    public static final class Result {
        private final double[][][] samples; // [path][round][run]

        Result(double[][][] samples) {
            this.samples = samples;
        }

        /** Every timed sample of path p, in milliseconds. */
        public double[] samples(int p) {
            return Arrays.stream(samples[p]).flatMapToDouble(Arrays::stream).toArray();
        }

        /** Median over rounds of median(a) / median(b) in that round: how many times faster b is than a. */
        public double ratio(int a, int b) {
            return median(ratios(a, b));
        }

        /** The smallest and the largest per-round ratio. */
        public double[] ratioRange(int a, int b) {
            double[] r = ratios(a, b);
            return new double[] {Arrays.stream(r).min().orElse(Double.NaN), Arrays.stream(r).max().orElse(Double.NaN)};
        }

        private double[] ratios(int a, int b) {
            double[] r = new double[samples[a].length];
            for (int round = 0; round < r.length; round++) {
                r[round] = median(samples[a][round]) / median(samples[b][round]);
            }
            return r;
        }
    }

    /**
     * @param paths  each returns the milliseconds of one run
     * @param runs   timed runs per path in all, split over the rounds (at least one per round)
     */
    public static Result time(List<DoubleSupplier> paths, int warmup, int runs, int rounds) {
        if (paths.isEmpty() || warmup < 0 || runs < 1 || rounds < 1) {
            throw new IllegalArgumentException("need paths, warmup >= 0, runs >= 1 and rounds >= 1");
        }
        int n = paths.size();
        int roundCount = Math.min(rounds, runs);
        for (DoubleSupplier p : paths) {
            for (int i = 0; i < warmup; i++) {
                p.getAsDouble();
            }
        }
        double[][][] samples = new double[n][roundCount][];
        for (int round = 0; round < roundCount; round++) {
            int share = runs / roundCount + (round < runs % roundCount ? 1 : 0);
            for (int k = 0; k < n; k++) {
                int p = (round + k) % n;
                double[] t = new double[share];
                for (int i = 0; i < share; i++) {
                    t[i] = paths.get(p).getAsDouble();
                }
                samples[p][round] = t;
            }
        }
        return new Result(samples);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
