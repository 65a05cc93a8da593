package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

import org.junit.jupiter.api.Test;

/**
 * {@link Rounds} on simulated paths with a known speed ratio, run on a machine that slows down steadily (each
 * run costs more than the one before, as when another process starts): the per-round ratios stay at the true
 * ratio, where timing each path in one block after the other would be off by the drift.
 */
class RoundsTest {
    /** A clock that counts runs; a path's run costs base * (1 + drift * runs so far). */
    private static final class DriftingMachine {
        int runs;
        final List<Integer> order = new ArrayList<>();

        DoubleSupplier path(int id, double base, double drift) {
            return () -> {
                order.add(id);
                return base * (1 + drift * runs++);
            };
        }
    }

    @Test
    void interleavedRoundsRecoverTheTrueRatioUnderDrift() {
        DriftingMachine m = new DriftingMachine();
        List<DoubleSupplier> paths = List.of(m.path(0, 3.0, 0.01), m.path(1, 1.0, 0.01), m.path(2, 1.5, 0.01));
        Rounds.Result r = Rounds.time(paths, 2, 30, 6);
        assertEquals(3.0, r.ratio(0, 1), 0.15, "path 1 is 3x faster than path 0");
        assertEquals(2.0, r.ratio(0, 2), 0.10);
        assertEquals(1.0, r.ratio(0, 0), 0.0);
        assertEquals(30, r.samples(1).length, "every timed run is kept");
        double[] range = r.ratioRange(0, 1);
        assertTrue(range[0] <= r.ratio(0, 1) && r.ratio(0, 1) <= range[1], "the median lies in the range");
    }

    @Test
    void theOrderRotatesAndWarmupRunsAreNotTimed() {
        DriftingMachine m = new DriftingMachine();
        Rounds.Result r = Rounds.time(List.of(m.path(0, 1, 0), m.path(1, 1, 0)), 1, 4, 2);
        // warm-up 0, 1; round 0: 0 0 1 1; round 1 starts with path 1
        assertEquals(List.of(0, 1, 0, 0, 1, 1, 1, 1, 0, 0), m.order);
        assertArrayEquals(new double[] {1, 1, 1, 1}, r.samples(0), 0.0);
    }

    @Test
    void blocksWouldBeFooledByTheSameDrift() {
        DriftingMachine m = new DriftingMachine();
        DoubleSupplier slow = m.path(0, 3.0, 0.01), fast = m.path(1, 1.0, 0.01);
        Rounds.Result oneRound = Rounds.time(List.of(slow, fast), 0, 30, 1);
        assertTrue(Math.abs(oneRound.ratio(0, 1) - 3.0) > 0.5, "one block each: " + oneRound.ratio(0, 1)
                + " instead of 3 (what rounds correct)");
    }
}
