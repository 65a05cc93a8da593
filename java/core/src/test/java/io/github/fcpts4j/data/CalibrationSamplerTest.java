package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The sampler's two ways to produce a batch agree: gathering the samples named by {@link
 * CalibrationSampler#nextIndices} gives exactly the floats {@link CalibrationSampler#next} writes, batch after
 * batch across passes (the device-resident calibration set of the pruning loop relies on it).
 */
class CalibrationSamplerTest {

    private static LabeledImages images(int count, int channels, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] s = new float[channels * 5 * 4];
            for (int j = 0; j < s.length; j++) {
                s[j] = (float) rng.nextDouble();
            }
            samples.add(s);
        }
        return SampleList.of(samples, channels, 5, 4);
    }

    @Test
    void indicesGatherTheSameBatchesAsNext() {
        LabeledImages data = images(23, 3, 1);
        CalibrationSampler host = new CalibrationSampler(data, 20, 6, 7, true);
        CalibrationSampler indexed = new CalibrationSampler(data, 20, 6, 7, true);
        assertTrue(!indexed.augments(), "three-channel images are not augmented");
        int pixels = host.sampleSize();
        float[] expected = new float[6 * pixels], gathered = new float[6 * pixels];
        Set<Integer> seen = new HashSet<>();
        for (int step = 0; step < 10; step++) {
            host.next(expected);
            int[] picked = indexed.nextIndices();
            assertEquals(6, picked.length);
            for (int b = 0; b < picked.length; b++) {
                assertTrue(picked[b] >= 0 && picked[b] < indexed.samples(), "index inside the first 20 samples");
                indexed.readSample(picked[b], gathered, b * pixels);
                seen.add(picked[b]);
            }
            assertArrayEquals(expected, gathered, 0f, "batch " + step);
        }
        assertEquals(20, seen.size(), "ten batches over three passes visit every calibration sample");
    }

    @Test
    void augmentedBatchesRefuseIndices() {
        CalibrationSampler s = new CalibrationSampler(images(8, 1, 2), 8, 4, 3, true);
        assertTrue(s.augments());
        assertThrows(IllegalStateException.class, s::nextIndices);
    }
}
