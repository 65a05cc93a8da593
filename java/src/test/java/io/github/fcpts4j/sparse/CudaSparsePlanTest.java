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
                        try (SparsePlan reference = SparsePlan.build(g, cpu, shapes, 0, 1, policy);
                             SparsePlan device = SparsePlan.build(g, gpu, shapes, 0, 1, policy)) {
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

    @Test
    void fastestPlanIsNeverSlowerThanItsDenseBaselineBeyondTheMargin() {
        try (Backend gpu = Backends.openResolved("cuda", BackendOptions.defaults())) {
            Graph g = GlobalPruning.prune(TestNets.resnet18(9), 0.95);
            try (SparsePlan plan = SparsePlan.build(g, gpu, Map.of("image", new long[] {1, 3, 224, 224}), 0, 5)) {
                SparsePlan.NetworkCheck check = plan.networkCheck();
                assertTrue(check.fellBack() || check.mixedMs() <= (1 - SparsePlan.MIN_NETWORK_GAIN) * check.denseMs(),
                        "kept a mixed plan slower than the margin: " + check);
            }
        }
    }
}
