package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.RequiresCuda;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.TestNets;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sparse runtime on the cuda backend (cuSPARSE SpMM convolutions, cuDNN
 * fused dense chains) against the same plan on the cpu backend, at several
 * sparsities and batch sizes (skipped with the probe's reason where no device
 * answers). Tolerance as in CudaNetworkParityTest: 1e-4 of the largest output.
 */
@Tag("gpu")
@RequiresCuda
class CudaSparsePlanTest {

    @Test
    void sparseAndDensePlansMatchTheCpuPlan() {
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults());
             Backend gpu = Backends.openResolved("cuda", BackendOptions.defaults())) {
            for (double s : new double[] {0.5, 0.9, 0.98}) {
                Graph g = GlobalPruning.prune(TestNets.resnet18(7), s);
                for (long batch : new long[] {1, 3}) {
                    Map<String, long[]> shapes = Map.of("image", new long[] {batch, 3, 64, 64});
                    float[] x = TestData.uniform((int) (batch * 3 * 64 * 64), 8);
                    for (SparsePlan.Policy policy : new SparsePlan.Policy[] {SparsePlan.Policy.SPARSE,
                        SparsePlan.Policy.DENSE}) {
                        try (SparsePlan reference = SparsePlan.build(g, cpu, shapes, 1, policy);
                             SparsePlan device = SparsePlan.build(g, gpu, shapes, 1, policy)) {
                            String out = g.outputs().get(0).name();
                            float[] want = reference.run(Map.of("image", x)).get(out);
                            float[] got = device.run(Map.of("image", x)).get(out);
                            io.github.fcpts4j.backend.cuda.CudaParity.assertMatches(got, want,
                                    policy + " plan at " + s + ", batch " + batch);
                            long sparseLayers = device.choices().stream().filter(SparsePlan.LayerChoice::sparse)
                                    .count();
                            assertEquals(policy == SparsePlan.Policy.SPARSE, sparseLayers > 0,
                                    policy + ": " + sparseLayers + " sparse layers");
                        }
                    }
                }
            }
        }
    }

    /** The FASTEST policy times every eligible layer on the device both ways and still computes the model. */
    @Test
    void fastestPlanTimesEveryEligibleLayerAndMatchesTheCpu() {
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults());
             Backend gpu = Backends.openResolved("cuda", BackendOptions.defaults())) {
            Graph g = GlobalPruning.prune(TestNets.resnet18(9), 0.95);
            Map<String, long[]> shapes = Map.of("image", new long[] {1, 3, 224, 224});
            float[] x = TestData.uniform(3 * 224 * 224, 10);
            try (SparsePlan reference = SparsePlan.build(g, cpu, shapes, 1, SparsePlan.Policy.DENSE);
                 SparsePlan plan = SparsePlan.build(g, gpu, shapes, 3)) {
                String out = g.outputs().get(0).name();
                io.github.fcpts4j.backend.cuda.CudaParity.assertMatches(plan.run(Map.of("image", x)).get(out),
                        reference.run(Map.of("image", x)).get(out), "fastest plan on cuda");
                for (SparsePlan.LayerChoice c : plan.choices()) {
                    if (c.sparsity() >= SparsePlan.MIN_SPARSITY) {
                        assertTrue(c.denseMs() > 0 && c.sparseMs() > 0, "timed both ways on the device: " + c);
                    }
                }
            }
        }
    }
}
