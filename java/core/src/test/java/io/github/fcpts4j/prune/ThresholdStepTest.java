package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.prune.FcptsConfig.ThresholdScale;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * One threshold update of {@link ThresholdStep} against the step worked out by hand from FCPTS.md's
 * formulas, on two layers whose KDE sums are given directly (no network, no kernel):
 * <pre>
 *   layer 0: N = 3, share 0.75, t = 0.5,  h = 0.1,  sum Phi = 1.5 (s = 0.5), sum phi = 0.6, sum g w phi = -0.01
 *   layer 1: N = 1, share 0.25, t = 0.25, h = 0.05, sum Phi = 0.9 (s = 0.9), sum phi = 0.2, sum g w phi = 0.005
 *   S = 0.75 * 0.5 + 0.25 * 0.9 = 0.6, S* = 0.5, lambda = 1:  L_c = (S - S*)^2 = 0.01, dL_c/dS = 0.2
 *   ds_0/dt = 0.6 / (3 * 0.1) = 2,   ds_1/dt = 0.2 / (1 * 0.05) = 4
 *   dL_rec/dt_0 = 0.01 / 0.1 = 0.1,  dL_rec/dt_1 = -0.005 / 0.05 = -0.1
 *   dL/dtheta_0 = 0.5 (0.2 * 0.75 * 2 + 0.1) = 0.2,  dL/dtheta_1 = 0.25 (0.2 * 0.25 * 4 - 0.1) = 0.025
 * </pre>
 * Adam's first step (bias-corrected m = g, v = g^2): with one shared second moment v = mean_l g_l^2 =
 * 0.0203125, theta_l moves by -lr g_l / sqrt(0.0203125); with one per layer, by -lr sign(g_l) (checked
 * with layer 1's sum g w phi at 0.015, which turns its gradient negative).
 */
class ThresholdStepTest {
    /**
     * t is stored as a float (relative spacing at most 1.2e-7) and the bandwidths 0.1f and 0.05f differ
     * from 0.1 and 0.05 by under 3e-8 relative, which moves the gradients by under 1e-8: 1e-6 relative on
     * the new threshold and 1e-7 absolute on the gradient leave room for both and nothing else.
     */
    private static final double T_RTOL = 1e-6;
    private static final double GRADIENT_ATOL = 1e-7;
    private static final double LR = 0.01;

    private static KdeSums sums(double gradWeightPdf1) {
        SegmentLayout layout = SegmentLayout.of(List.of("conv_a", "conv_b"), new long[] {3, 1});
        // per layer: sum Phi, sum phi, sum g w phi, kept, sum |w|, sum w^2, non-finite count
        return KdeSums.checked(layout, new double[] {
            1.5, 0.6, -0.01, 1, 1.5, 0.9, 0,
            0.9, 0.2, gradWeightPdf1, 0, 0.25, 0.0625, 0});
    }

    private static ThresholdStep.Result step(ThresholdScale scale, double gradWeightPdf1, float[] t, float[] h) {
        FcptsConfig c = FcptsConfig.builder(0.5).lambda(1).thresholdLr((float) LR).thresholdScale(scale).build();
        LogThresholds theta = new LogThresholds(new double[] {t[0], t[1]});
        return new ThresholdStep(c, new double[] {0.75, 0.25}).apply(theta, sums(gradWeightPdf1), null, null,
                t, h);
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, T_RTOL * Math.abs(expected), what);
    }

    @Test
    void oneSharedScaleStepMatchesTheHandComputedStep() {
        float[] t = {0.5f, 0.25f}, h = {0.1f, 0.05f};
        ThresholdStep.Result r = step(ThresholdScale.SHARED, 0.005, t, h);

        assertEquals(0.2, r.gradient()[0], GRADIENT_ATOL, "dL/dtheta_0");
        assertEquals(0.025, r.gradient()[1], GRADIENT_ATOL, "dL/dtheta_1");
        assertEquals(0.6, r.smooth(), 1e-12, "smooth S");
        assertEquals(0.75 * (1 - 1 / 3.0) + 0.25 * 1, r.hard(), 1e-12, "hard S from the kept counts");
        assertEquals(0.01, r.constraint(), 1e-12, "(S - S*)^2");

        double rms = Math.sqrt((0.2 * 0.2 + 0.025 * 0.025) / 2);
        assertClose(0.5 * Math.exp(-LR * 0.2 / rms), t[0], "t_0 after the step");
        assertClose(0.25 * Math.exp(-LR * 0.025 / rms), t[1], "t_1 after the step");
        // the hand value itself, so that a wrong rms cannot hide: 0.5 exp(-0.0140329) = 0.493033
        assertEquals(0.493033, t[0], 1e-6);

        assertClose(1.06 * Math.sqrt(0.9 / 3 - 0.25) * Math.pow(3, -0.2), h[0], "Silverman h_0 for the next step");
        assertClose(1e-8 * 0.25, h[1], "h_1: a constant layer gets the floor 1e-8 rms(w)");
    }

    @Test
    void onePerLayerStepMovesEachThetaByTheLearningRateAgainstItsGradient() {
        float[] t = {0.5f, 0.25f}, h = {0.1f, 0.05f};
        // sum g w phi = 0.015 on layer 1: dL_rec/dt_1 = -0.3, dL/dtheta_1 = 0.25 (0.2 - 0.3) = -0.025
        ThresholdStep.Result r = step(ThresholdScale.PER_LAYER, 0.015, t, h);
        assertEquals(-0.025, r.gradient()[1], GRADIENT_ATOL, "dL/dtheta_1");
        assertClose(0.5 * Math.exp(-LR), t[0], "t_0: gradient 0.2 > 0, theta down by lr");
        assertClose(0.25 * Math.exp(LR), t[1], "t_1: gradient -0.025 < 0, theta up by lr");
    }
}
