package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.testing.RequiresCuda;

import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A full FCPTS run on the shipped ResNet-20 on the cuda backend against the
 * same run on the cpu backend (skipped with the probe's reason where no device
 * answers): the exact projection makes both hit round(S N) zeros, and the
 * learned allocation may drift only by float summation order, so every layer's
 * sparsity stays within 1 point of the cpu run's, or 2 weights on the smallest
 * layers (the 144-weight stem: 1 point is 1.4 weights, and two weights sitting
 * within float noise of the global cut may swap layers between the runs).
 */
@Tag("gpu")
@RequiresCuda
class CudaPruningParityTest {
    private static final Path RESNET20 = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");

    private static PruneResult run(String backend) {
        return Pruner.builder().model(RESNET20).calibration(DataSpec.DEFAULT).backend(backend).iterations(200)
                .batch(64).calibrationSamples(1024).targetSparsity(0.7).seed(1).build().run();
    }

    @Test
    void matchesTheCpuRun() {
        PruneResult cpu = run("cpu"), gpu = run("cuda");
        assertEquals(cpu.totalWeights(), gpu.totalWeights());
        assertEquals(Math.round(0.7 * cpu.totalWeights()), gpu.prunedWeights(), "exact global sparsity on cuda");
        assertEquals(cpu.prunedWeights(), gpu.prunedWeights());
        for (int l = 0; l < cpu.layers().size(); l++) {
            PruneResult.Layer c = cpu.layers().get(l), g = gpu.layers().get(l);
            assertEquals(c.name(), g.name());
            long allowed = Math.max(2, (long) Math.floor(0.01 * c.weights()));
            assertTrue(Math.abs(c.pruned() - g.pruned()) <= allowed, c.name() + ": cuda " + g.pruned() + " vs cpu "
                    + c.pruned() + " pruned of " + c.weights() + " (allowed " + allowed + ")");
        }
        double[] rc = cpu.reconstructionCurve(), rg = gpu.reconstructionCurve();
        assertEquals(rc[0], rg[0], 1e-3 * Math.max(1e-6, Math.abs(rc[0])), "first iteration's loss agrees");
    }
}
