package io.github.fcpts4j.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.testing.RealLayerShapes;
import io.github.fcpts4j.testing.RequiresCuda;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel suite on the cuda backend (skipped with the probe's reason where
 * no device answers), plus parity with the cpu backend.
 */
@Tag("gpu")
@RequiresCuda
class CudaKdeKernelTest extends KdeKernelContract {

    @Override
    protected Backend openBackend() {
        return Backends.openResolved("cuda", BackendOptions.defaults());
    }

    /**
     * GPU and CPU evaluate the same float formulas (kde_math.h) and differ only
     * in summation order and FMA contraction: sums agree to 1e-5 relative plus
     * 1e-7 per element (float rounding of one term), kept counts exactly.
     */
    @Test
    void matchesTheCpuBackend() {
        var shapes = RealLayerShapes.resnet18();
        Case c = randomCase(SegmentLayout.of(RealLayerShapes.names(shapes), RealLayerShapes.sizes(shapes)), 37);
        KdeSums gpu = checkFused(c);
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults());
             TensorScope scope = new TensorScope();
             KdeKernel kernel = cpu.kdeKernel(c.layout())) {
            KdeSums host = kernel.fused(scope.upload(cpu, c.w(), c.w().length),
                    scope.upload(cpu, c.g(), c.g().length), scope.allocate(cpu, c.w().length), c.t(), c.h());
            for (int l = 0; l < c.layout().count(); l++) {
                long n = c.layout().size(l);
                assertTrue(gpu.kept(l) == host.kept(l), "kept, layer " + c.layout().name(l));
                assertClose(gpu.sumCdf(l), host.sumCdf(l), 1e-7 * n, "sumCdf " + c.layout().name(l));
                assertClose(gpu.sumPdf(l), host.sumPdf(l), 1e-7 * n, "sumPdf " + c.layout().name(l));
                assertClose(gpu.sumAbs(l), host.sumAbs(l), 0, "sumAbs " + c.layout().name(l));
                assertClose(gpu.sumSquares(l), host.sumSquares(l), 0, "sumSq " + c.layout().name(l));
            }
        }
    }

    private static void assertClose(double actual, double expected, double atol, String what) {
        double allowed = atol + 1e-5 * Math.abs(expected);
        assertTrue(Math.abs(actual - expected) <= allowed,
                what + ": gpu " + actual + " vs cpu " + expected + " (allowed " + allowed + ")");
    }
}
