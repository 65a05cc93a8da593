package io.github.fcpts4j.testing;

import java.util.SplittableRandom;

/** Seeded test inputs. */
public final class TestData {
    private TestData() {
    }

    /** n floats uniform in [-scale, scale). */
    public static float[] uniform(int n, long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    /** n floats uniform in [-1, 1). */
    public static float[] uniform(int n, long seed) {
        return uniform(n, seed, 1.0);
    }
}
