package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.prune.FcptsConfig.BatchNormMode;
import io.github.fcpts4j.prune.FcptsConfig.CostBasis;
import io.github.fcpts4j.prune.FcptsConfig.DensityEstimate;
import io.github.fcpts4j.prune.FcptsConfig.LayerBound;
import io.github.fcpts4j.prune.FcptsConfig.ReconstructionLoss;
import io.github.fcpts4j.prune.FcptsConfig.ThresholdScale;
import io.github.fcpts4j.sparsity.MagnitudeAllocation;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Every builder setter lands in its group of {@link FcptsConfig} (each set to a value that differs from its
 * default), a configuration survives {@code toBuilder().build()} unchanged, {@code build()} leaves the
 * builder as it was, and each group rejects its own out-of-range values.
 */
class FcptsConfigTest {

    private static FcptsConfig.Builder everythingChanged() {
        return FcptsConfig.builder(0.6).costBasis(CostBasis.FLOPS).layerSparsityRange(0.1, 0.9)
                .layerBounds(List.of(new LayerBound("conv*", 0, 0.5)))
                .iterations(77).batch(16).calibrationSamples(48).seed(9).weightLr(0.02f).momentum(0.8f)
                .weightDecay(1e-4f).polishFraction(0.5)
                .loss(ReconstructionLoss.LOGITS_MSE).temperature(2f).featureLayers(List.of("relu_3"))
                .featureWeight(0.5f).lambda(3).absoluteConstraint(true).batchNorm(BatchNormMode.FROZEN)
                .reestimateBatchNorm(true).decisions(Map.of("out", 1.5f))
                .init(MagnitudeAllocation.LAMP).thresholdLr(0.05f).thresholdScale(ThresholdScale.SHARED)
                .density(DensityEstimate.HARD_COUNT).straightThrough(false).projectEachStep(true);
    }

    @Test
    void everySetterLandsInItsGroup() {
        FcptsConfig c = everythingChanged().build();
        assertEquals(new TargetSettings(0.6, CostBasis.FLOPS, 0.1, 0.9, List.of(new LayerBound("conv*", 0, 0.5))),
                c.target());
        assertEquals(new ScheduleSettings(77, 16, 48, 9, 0.02f, 0.8f, 1e-4f, 0.5), c.schedule());
        assertEquals(new ObjectiveSettings(ReconstructionLoss.LOGITS_MSE, 2f, List.of("relu_3"), 0.5f, 3, true,
                BatchNormMode.FROZEN, true, List.of(), Map.of("out", 1.5f)), c.objective());
        assertEquals(new ThresholdSettings(MagnitudeAllocation.LAMP, 0.05f, ThresholdScale.SHARED,
                DensityEstimate.HARD_COUNT, false, true, 0), c.thresholds());
        assertEquals(39, c.schedule().polishIterations(), "round(0.5 * 77)");
    }

    @Test
    void toBuilderAndBuildChangeNothing() {
        FcptsConfig.Builder b = everythingChanged();
        FcptsConfig c = b.build();
        assertEquals(c, b.build(), "build() twice");
        assertEquals(c, c.toBuilder().build());
        FcptsConfig defaults = FcptsConfig.defaults(0.7);
        assertEquals(defaults, defaults.toBuilder().build());
        assertEquals(5, defaults.withIterations(5).schedule().iterations());
        assertEquals(SchedulePreset.DEFAULT.iterations(), defaults.schedule().iterations());
        assertTrue(defaults.schedule().weightLrAuto(), "the run chooses the weight lr by default");
        assertEquals(0.01f, defaults.schedule().weightLrFor(true), "published, where BatchNorm trains");
        assertEquals(0.001f, defaults.schedule().weightLrFor(false), "BatchNorm frozen or absent");
        assertEquals(0.02f, defaults.toBuilder().weightLr(0.02f).build().schedule().weightLrFor(false));
    }

    @Test
    void eachGroupRejectsItsOutOfRangeValues() {
        String target = assertThrows(FcptsException.class, () -> FcptsConfig.defaults(1.0)).getMessage();
        assertTrue(target.contains("target sparsity"), target);
        String bounds = assertThrows(FcptsException.class,
                () -> FcptsConfig.builder(0.5).layerSparsityRange(0.6, 0.4).build()).getMessage();
        assertTrue(bounds.contains("layer sparsity bounds"), bounds);
        String batch = assertThrows(FcptsException.class,
                () -> FcptsConfig.builder(0.5).batch(64).calibrationSamples(32).build()).getMessage();
        assertTrue(batch.contains("at least one batch"), batch);
        String iterations = assertThrows(FcptsException.class,
                () -> FcptsConfig.builder(0.5).iterations(-5).build()).getMessage();
        assertTrue(iterations.endsWith("iterations must be >= 0, got -5"),
                "names the iterations, not the batch: " + iterations);
        String weightLr = assertThrows(FcptsException.class,
                () -> FcptsConfig.builder(0.5).weightLr(Float.POSITIVE_INFINITY).build()).getMessage();
        assertTrue(weightLr.contains("weight learning rate must be finite"), weightLr);
        String lambda = assertThrows(FcptsException.class,
                () -> FcptsConfig.builder(0.5).lambda(Double.NaN).build()).getMessage();
        assertTrue(lambda.endsWith("lambda must be finite and >= 0, got NaN"), lambda);
        String polish = assertThrows(FcptsException.class,
                () -> FcptsConfig.builder(0.5).polishFraction(1).build()).getMessage();
        assertTrue(polish.contains("polish fraction"), polish);
        String temperature = assertThrows(FcptsException.class,
                () -> FcptsConfig.builder(0.5).temperature(0).build()).getMessage();
        assertTrue(temperature.contains("temperature"), temperature);
        String lr = assertThrows(FcptsException.class,
                () -> FcptsConfig.builder(0.5).thresholdLr(-1).build()).getMessage();
        assertTrue(lr.contains("threshold learning rate"), lr);
    }
}
