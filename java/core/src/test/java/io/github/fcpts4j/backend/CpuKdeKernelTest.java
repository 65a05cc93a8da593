package io.github.fcpts4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.fcpts4j.testing.RealLayerShapes;

import org.junit.jupiter.api.Test;

/** The kernel suite on the cpu backend, plus its determinism guarantee. */
class CpuKdeKernelTest extends KdeKernelContract {

    @Override
    protected Backend openBackend() {
        return Backends.openResolved("cpu", BackendOptions.defaults());
    }

    /** Fixed chunks combined in chunk order: the sums are bit for bit the same for 1, 2 and 3 threads. */
    @Test
    void sumsAreIdenticalForAnyThreadCount() {
        var shapes = RealLayerShapes.mobilenetV2();
        Case c = randomCase(SegmentLayout.of(RealLayerShapes.names(shapes), RealLayerShapes.sizes(shapes)), 31);
        double[] first = null;
        for (int threads : new int[] {1, 2, 3}) {
            double[] raw = runWithThreads(c, threads);
            if (first == null) {
                first = raw;
            } else {
                assertArrayEquals(first, raw, 0.0, threads + " threads vs 1 thread");
            }
        }
    }

    private static double[] runWithThreads(Case c, int threads) {
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults().withCpuThreads(threads));
             TensorScope scope = new TensorScope();
             KdeKernel kernel = cpu.kdeKernel(c.layout())) {
            Tensor w = scope.upload(cpu, c.w(), c.w().length);
            Tensor g = scope.upload(cpu, c.g(), c.g().length);
            KdeSums s = kernel.fused(w, g, scope.allocate(cpu, c.w().length), c.t(), c.h());
            double[] raw = new double[c.layout().count() * 6];
            for (int l = 0; l < c.layout().count(); l++) {
                double[] row = {s.sumCdf(l), s.sumPdf(l), s.sumGradWeightPdf(l), s.kept(l), s.sumAbs(l),
                    s.sumSquares(l)};
                System.arraycopy(row, 0, raw, l * 6, 6);
            }
            return raw;
        }
    }
}
