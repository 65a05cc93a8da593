package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link Pruner.Builder#build} derives the pruner's configuration without side effects: building twice
 * gives equal configurations, and the cap of the calibration samples at a small calibration set belongs
 * to that build only (a later build with more data is not held to it).
 */
class PrunerBuilderTest {
    private static final Path RESNET20 = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");

    private static List<float[]> samples(int count) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] s = new float[28 * 28];
            s[i % s.length] = 1f;
            out.add(s);
        }
        return out;
    }

    @Test
    void buildTwiceGivesEqualConfigsAndLeavesTheBuilderAsItWas() {
        Pruner.Builder b = Pruner.builder().model(RESNET20).calibration(samples(20), 1, 28, 28).batch(8)
                .iterations(5);
        FcptsConfig first = b.build().config(), second = b.build().config();
        assertEquals(first, second);
        assertEquals(FcptsConfig.builder(0.7).batch(8).iterations(5).calibrationSamples(20).build(), first,
                "the default 1,024 samples capped at the 20 given, nothing else changed");

        b.calibration(samples(40), 1, 28, 28);
        assertEquals(40, b.build().config().schedule().calibrationSamples(), "capped at the new set, not at 20");
        b.calibration(samples(2000), 1, 28, 28);
        assertEquals(FcptsConfig.defaults(0.7).schedule().calibrationSamples(),
                b.build().config().schedule().calibrationSamples(), "the default again once the set is larger");
    }
}
