package io.github.fcpts4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.testing.KdeReference;
import io.github.fcpts4j.testing.RealLayerShapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fused KDE-CDF kernel suite, run against every backend by a subclass per
 * backend. Every result is compared with {@link KdeReference} (double).
 *
 * <p>Tolerance, per layer sum: |x - ref| <= atol + rtol |ref|.
 * <ul>
 *   <li>Per-element evaluation, 4e-7 absolute: the kernels evaluate in float,
 *   with A&S 26.2.17 for Phi (error below 7.5e-8); z = (t - |w|) / h carries up
 *   to two float roundings (relative 1.2e-7), which moves Phi by
 *   phi(z) |z| 1.2e-7 <= 3e-8 and phi by phi(z) z^2 1.2e-7 <= 4e-8; the float exp
 *   and polynomial add a few ulp of values below 1 (about 2.4e-7). Sum ~3.5e-7.</li>
 *   <li>Summation, 1e-5 relative to the sum of |terms|: the CPU kernel adds at most
 *   128 terms per float SIMD lane before going to double, and an m-term float sum
 *   is off by at most (m - 1) 6e-8 of its sum of |terms| (7.7e-6 for m = 128);
 *   the GPU adds at most 32 per thread in double. For sum Phi and sum phi all
 *   terms are >= 0, so this is rtol = 1e-5. For sum g w phi the sum of |terms|
 *   is at most 0.4 sum |g w|, so both parts give atol = (4e-7 + 4e-6) sum |g w|.</li>
 *   <li>Kept counts are exact. |w| and w^2 are exact in double and summed in
 *   double: rtol 1e-12. The masked gradient is a select (g or 0): bit for bit.</li>
 * </ul>
 */
public abstract class KdeKernelContract {
    private static final double PER_ELEMENT = 4e-7;
    private static final double SUMMATION = 1e-5;
    private static final int[] STATS = {0, 1, 2, 3, 4, 5};
    private static final String[] STAT_NAMES = {"sumCdf", "sumPdf", "sumGradWeightPdf", "kept", "sumAbs", "sumSq"};

    protected Backend backend;
    private TensorScope scope;

    /** Opens the backend under test (skips the test with a reason when it is not available). */
    protected abstract Backend openBackend();

    @BeforeEach
    void open() {
        backend = openBackend();
        scope = new TensorScope();
    }

    @AfterEach
    void closeAll() {
        scope.close();
        backend.close();
    }

    /** Random weights ~ N(0, scale_l) per layer; gradients ~ N(0, 1e-3). */
    protected static Case randomCase(SegmentLayout layout, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = (int) layout.total();
        float[] w = new float[n], g = new float[n];
        float[] t = new float[layout.count()], h = new float[layout.count()];
        for (int l = 0; l < layout.count(); l++) {
            double scale = Math.pow(10, -3 + 2.5 * rng.nextDouble());
            for (long i = layout.offset(l); i < layout.offset(l + 1); i++) {
                w[(int) i] = (float) (gaussian(rng) * scale);
                g[(int) i] = (float) (gaussian(rng) * 1e-3);
            }
            t[l] = (float) (scale * 1.5 * rng.nextDouble());
            h[l] = (float) (scale * (0.01 + 0.2 * rng.nextDouble()));
        }
        return new Case(layout, w, g, t, h);
    }

    protected static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    protected static SegmentLayout layout(long... sizes) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            names.add("layer" + i);
        }
        return SegmentLayout.of(names, sizes);
    }

    /** Inputs of one pass. */
    protected record Case(SegmentLayout layout, float[] w, float[] g, float[] t, float[] h) {
    }

    /** Runs the fused pass on the backend and checks it against the reference. */
    protected KdeSums checkFused(Case c) {
        float[] expectedMasked = new float[c.w.length];
        double[] ref = KdeReference.pass(c.layout, c.w, c.g, c.t, c.h, expectedMasked);
        Tensor w = scope.upload(backend, c.w, c.w.length);
        Tensor g = scope.upload(backend, c.g, c.g.length);
        Tensor gw = scope.allocate(backend, c.w.length);
        KdeSums sums;
        try (KdeKernel kernel = backend.kdeKernel(c.layout)) {
            sums = kernel.fused(w, g, gw, c.t, c.h);
        }
        assertSumsMatch(c.layout, sums, ref, true);
        assertBitwiseEqual(expectedMasked, gw.toArray(), "masked gradient");
        return sums;
    }

    protected static void assertSumsMatch(SegmentLayout layout, KdeSums sums, double[] ref, boolean withGrad) {
        List<String> mismatches = new ArrayList<>();
        double worstRatio = 0;
        String worst = "";
        for (int l = 0; l < layout.count(); l++) {
            double[] actual = {sums.sumCdf(l), sums.sumPdf(l), sums.sumGradWeightPdf(l), sums.kept(l), sums.sumAbs(l),
                sums.sumSquares(l)};
            for (int k : STATS) {
                double expected = withGrad || k != 2 ? ref[l * KdeReference.FIELDS + k] : 0.0;
                double atol;
                double rtol = SUMMATION;
                switch (k) {
                    case 0, 1 -> atol = PER_ELEMENT * layout.size(l);
                    case 2 -> {
                        atol = (PER_ELEMENT + 0.4 * SUMMATION) * ref[l * KdeReference.FIELDS + KdeReference.SUM_ABS_GW];
                        rtol = 0;
                    }
                    case 3 -> {
                        atol = 0;
                        rtol = 0;
                    }
                    default -> {
                        atol = 0;
                        rtol = 1e-12;
                    }
                }
                double err = Math.abs(actual[k] - expected);
                double allowed = atol + rtol * Math.abs(expected);
                double ratio = allowed == 0 ? (err == 0 ? 0 : Double.POSITIVE_INFINITY) : err / allowed;
                String where = layout.name(l) + " (N=" + layout.size(l) + ") " + STAT_NAMES[k] + ": got " + actual[k]
                        + ", reference " + expected + ", |err| " + err + " > " + allowed;
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    worst = where;
                }
                if (err > allowed) {
                    mismatches.add(where);
                }
            }
        }
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " mismatches; worst: " + worst + "; first: "
                    + mismatches.subList(0, Math.min(5, mismatches.size())));
        }
    }

    protected static void assertBitwiseEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                bad.add("[" + i + "] got " + actual[i] + " expected " + expected[i]);
            }
        }
        assertTrue(bad.isEmpty(), () -> what + ": " + bad.size() + " elements differ, first: "
                + bad.subList(0, Math.min(5, bad.size())));
    }

    @Test
    void oneSegmentOfOddSizes() {
        for (long n : new long[] {1, 7, 8191, 8192, 8193, 100_003}) {
            checkFused(randomCase(layout(n), n));
        }
    }

    @Test
    void twoHundredSegmentsWithEmptyAndSingleElementOnes() {
        SplittableRandom rng = new SplittableRandom(42);
        long[] sizes = new long[200];
        for (int l = 0; l < sizes.length; l++) {
            int kind = l % 5;
            sizes[l] = kind == 0 ? 0 : kind == 1 ? 1 : kind == 2 ? 8192 + rng.nextInt(-1, 2) : rng.nextInt(2, 20_000);
        }
        checkFused(randomCase(layout(sizes), 7));
    }

    @Test
    void realLayerShapesOfResNet18AndMobileNetV2() {
        for (Map<String, Long> shapes : List.of(RealLayerShapes.resnet18(), RealLayerShapes.mobilenetV2())) {
            SegmentLayout layout = SegmentLayout.of(RealLayerShapes.names(shapes), RealLayerShapes.sizes(shapes));
            checkFused(randomCase(layout, 11));
        }
    }

    @Test
    void tinyAndHugeBandwidths() {
        Case base = randomCase(layout(5000, 3001, 17), 3);
        float[] tiny = {1e-30f, Float.MIN_NORMAL, 1e-12f};
        float[] huge = {1e6f, 3e4f, 1e30f};
        checkFused(new Case(base.layout, base.w, base.g, base.t, tiny));
        checkFused(new Case(base.layout, base.w, base.g, base.t, huge));
    }

    @Test
    void thresholdsBelowSmallestAndAboveLargestMagnitude() {
        Case base = randomCase(layout(4097, 9000), 5);
        KdeSums none = checkFused(new Case(base.layout, base.w, base.g, new float[] {0f, 0f}, base.h));
        assertEquals(base.layout.size(0), none.kept(0), "threshold 0 keeps every non-zero weight");
        KdeSums all = checkFused(new Case(base.layout, base.w, base.g, new float[] {1e3f, 1e3f}, base.h));
        assertEquals(0, all.kept(0) + all.kept(1), "a threshold above every |w| keeps nothing");
    }

    @Test
    void thresholdEqualToAMagnitudePrunesThatWeight() {
        float[] w = {0.5f, -0.25f, 0.25f, 0.125f, -1f};
        Case c = new Case(layout(5), w, new float[] {1, 2, 3, 4, 5}, new float[] {0.25f}, new float[] {0.1f});
        KdeSums sums = checkFused(c);
        assertEquals(2, sums.kept(0), "|w| == t is pruned (keep strictly greater)");
    }

    @Test
    void maskedGradientMayOverwriteTheGradient() {
        Case c = randomCase(layout(3000, 20_000), 9);
        float[] expected = new float[c.w.length];
        KdeReference.pass(c.layout, c.w, c.g, c.t, c.h, expected);
        Tensor w = scope.upload(backend, c.w, c.w.length);
        Tensor g = scope.upload(backend, c.g, c.g.length);
        try (KdeKernel kernel = backend.kdeKernel(c.layout)) {
            kernel.fused(w, g, g, c.t, c.h);
        }
        assertBitwiseEqual(expected, g.toArray(), "in-place masked gradient");
    }

    @Test
    void forwardOnlyMatchesTheReferenceAndLeavesGradientSumZero() {
        Case c = randomCase(layout(0, 1, 12_345, 8192), 13);
        double[] ref = KdeReference.pass(c.layout, c.w, null, c.t, c.h, null);
        Tensor w = scope.upload(backend, c.w, c.w.length);
        try (KdeKernel kernel = backend.kdeKernel(c.layout)) {
            KdeSums sums = kernel.forward(w, c.t, c.h);
            assertSumsMatch(c.layout, sums, ref, false);
            assertEquals(0.0, sums.sumGradWeightPdf(2));
        }
    }

    @Test
    void aPlanIsReusableAcrossSteps() {
        Case c = randomCase(layout(1000, 50_000, 3), 21);
        Tensor w = scope.upload(backend, c.w, c.w.length);
        Tensor g = scope.upload(backend, c.g, c.g.length);
        Tensor gw = scope.allocate(backend, c.w.length);
        try (KdeKernel kernel = backend.kdeKernel(c.layout)) {
            for (int step = 0; step < 3; step++) {
                float[] t = c.t.clone();
                for (int l = 0; l < t.length; l++) {
                    t[l] *= 0.5f + step * 0.4f;
                }
                double[] ref = KdeReference.pass(c.layout, c.w, c.g, t, c.h, null);
                assertSumsMatch(c.layout, kernel.fused(w, g, gw, t, c.h), ref, true);
            }
        }
    }

    @Test
    void emptyLayoutGivesEmptySums() {
        SegmentLayout empty = layout();
        Tensor w = scope.allocate(backend, 0);
        try (KdeKernel kernel = backend.kdeKernel(empty)) {
            KdeSums sums = kernel.fused(w, w, w, new float[0], new float[0]);
            assertEquals(0, sums.layout().count());
        }
    }

    @Test
    void nanWeightIsReportedNamingItsLayer() {
        Case c = randomCase(layout(100, 9000, 50), 17);
        c.w[(int) c.layout.offset(1) + 8500] = Float.NaN;
        Tensor w = scope.upload(backend, c.w, c.w.length);
        Tensor g = scope.upload(backend, c.g, c.g.length);
        Tensor gw = scope.allocate(backend, c.w.length);
        try (KdeKernel kernel = backend.kdeKernel(c.layout)) {
            FcptsException e = assertThrows(FcptsException.class, () -> kernel.fused(w, g, gw, c.t, c.h));
            assertEquals(ErrorCode.NON_FINITE_INPUT, e.code());
            assertTrue(e.getMessage().contains("layer 'layer1'"), e.getMessage());
            FcptsException f = assertThrows(FcptsException.class, () -> kernel.forward(w, c.t, c.h));
            assertTrue(f.getMessage().contains("layer 'layer1'"), f.getMessage());
        }
    }

    @Test
    void infiniteGradientIsReportedNamingItsLayer() {
        Case c = randomCase(layout(100, 9000, 50), 19);
        c.g[(int) c.layout.offset(2) + 3] = Float.NEGATIVE_INFINITY;
        Tensor w = scope.upload(backend, c.w, c.w.length);
        Tensor g = scope.upload(backend, c.g, c.g.length);
        Tensor gw = scope.allocate(backend, c.w.length);
        try (KdeKernel kernel = backend.kdeKernel(c.layout)) {
            FcptsException e = assertThrows(FcptsException.class, () -> kernel.fused(w, g, gw, c.t, c.h));
            assertEquals(ErrorCode.NON_FINITE_INPUT, e.code());
            assertTrue(e.getMessage().contains("layer 'layer2'") && e.getMessage().contains("1 of 50"),
                    e.getMessage());
        }
    }

    @Test
    void badParametersNameTheLayerAndTheParameter() {
        Case c = randomCase(layout(10, 20), 23);
        Tensor w = scope.upload(backend, c.w, c.w.length);
        Tensor shortTensor = scope.allocate(backend, 29);
        try (KdeKernel kernel = backend.kdeKernel(c.layout)) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> kernel.forward(w, new float[] {0.1f, -1f}, c.h));
            assertTrue(negative.getMessage().contains("threshold of layer 'layer1'"), negative.getMessage());
            IllegalArgumentException zeroH = assertThrows(IllegalArgumentException.class,
                    () -> kernel.forward(w, c.t, new float[] {0f, 1f}));
            assertTrue(zeroH.getMessage().contains("bandwidth of layer 'layer0'"), zeroH.getMessage());
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> kernel.forward(w, new float[] {0.1f}, c.h));
            assertTrue(count.getMessage().contains("thresholds: expected one per layer (2)"), count.getMessage());
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> kernel.fused(w, shortTensor, w, c.t, c.h));
            assertTrue(size.getMessage().contains("gradients: expected 30 floats"), size.getMessage());
        }
    }

    @Test
    void planUsedAfterCloseFailsLoudly() {
        Case c = randomCase(layout(10), 29);
        Tensor w = scope.upload(backend, c.w, c.w.length);
        KdeKernel kernel = backend.kdeKernel(c.layout);
        kernel.close();
        kernel.close();
        assertThrows(IllegalStateException.class, () -> kernel.forward(w, c.t, c.h));
    }

    @Test
    void tensorRoundTripAndLifecycle() {
        float[] data = new float[1001];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f - 7;
        }
        Tensor t = backend.upload(data, 7, 11, 13);
        assertArrayEquals(new long[] {7, 11, 13}, t.shape());
        assertBitwiseEqual(data, t.toArray(), "round trip");
        float[] part = new float[3];
        t.read(500, part, 0, 3);
        assertArrayEquals(new float[] {243f, 243.5f, 244f}, part);
        t.write(1000, new float[] {42f}, 0, 1);
        assertEquals(42f, t.toArray()[1000]);
        assertThrows(IndexOutOfBoundsException.class, () -> t.read(999, part, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[5]));
        Tensor copy = backend.allocate(1001);
        backend.copy(t, copy);
        backend.synchronize();
        assertEquals(42f, copy.toArray()[1000]);
        t.close();
        t.close();
        assertTrue(t.isClosed());
        assertThrows(IllegalStateException.class, t::toArray);
        assertThrows(IllegalStateException.class, () -> backend.copy(t, copy));
        copy.close();
    }

    @Test
    void freshTensorsAreZero() {
        try (Tensor t = backend.allocate(3, 5)) {
            assertBitwiseEqual(new float[15], t.toArray(), "zero-filled allocation");
        }
    }
}
