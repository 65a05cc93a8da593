package io.github.fcpts4j.data;

import java.util.SplittableRandom;

/** Fisher-Yates shuffle of sample indices, seeded, for training and calibration passes. */
public final class Shuffle {
    private Shuffle() {
    }

    public static void inPlace(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
