package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.testing.RequiresCuda;
import io.github.fcpts4j.testing.TestData;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@link RealModelOpsTest} (the ops real third-party models need, in every mode) on the cuda
 * backend against the cpu backend: forward outputs and the backward's input gradient within
 * 1e-4 + 1e-4 |cpu| (both backends compute in fp32; the cuda index maps and layer norm sum in the same
 * order as their cpu twins, cuDNN / cuBLAS reorder the convolutions' and products' sums). Skipped, with the
 * probe's reason, where no cuda device answers.
 */
@Tag("gpu")
@RequiresCuda
class CudaRealModelOpsParityTest {
    private Backend cpu;
    private Backend gpu;

    @BeforeEach
    void open() {
        cpu = Backends.openResolved("cpu", BackendOptions.defaults());
        gpu = Backends.openResolved("cuda", BackendOptions.defaults());
    }

    @AfterEach
    void close() {
        gpu.close();
        cpu.close();
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        return RealModelOpsTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cudaMatchesCpuForwardAndBackward(RealModelOpsTest.Case k) {
        Graph g = RealModelOpsTest.graph(k);
        float[] x = RealModelOpsTest.input(k);
        Map<String, float[]> onCpu = run(g, k, cpu, x), onGpu = run(g, k, gpu, x);
        for (var e : onCpu.entrySet()) {
            float[] want = e.getValue(), got = onGpu.get(e.getKey());
            assertEquals(want.length, got.length, k + " " + e.getKey());
            for (int i = 0; i < want.length; i++) {
                int at = i;
                assertTrue(Math.abs(got[i] - want[i]) <= 1e-4 + 1e-4 * Math.abs(want[i])
                        || Float.isNaN(got[i]) && Float.isNaN(want[i]),
                        () -> k + " " + e.getKey() + "[" + at + "]: cuda " + got[at] + ", cpu " + want[at]);
            }
        }
    }

    /** The outputs and d (sum r y) / dx of one backend, by name ("dx" for the gradient). */
    private static Map<String, float[]> run(Graph g, RealModelOpsTest.Case k, Backend b, float[] x) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NetworkExecutor e = NetworkExecutor.compile(g, b, Map.of("x", k.input()), true)) {
            Map<String, float[]> y = e.run(Map.of("x", x));
            Map<String, float[]> seeds = new LinkedHashMap<>();
            long seed = 90;
            for (ValueInfo o : g.outputs()) {
                out.put(o.name(), y.get(o.name()));
                seeds.put(o.name(), TestData.uniform(y.get(o.name()).length, seed++, 1.0));
            }
            e.backward(seeds);
            out.put("dx", e.gradient("x"));
        }
        return out;
    }
}
