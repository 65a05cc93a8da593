package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.TestData;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The serving API of {@link SparsePlan}: the file entry point and the shape accessors, and the run into the caller's
 * arrays giving the same numbers as {@link SparsePlan#run(Map)} while allocating nothing. Allocation is the calling
 * thread's, from {@code com.sun.management.ThreadMXBean}, the least per run of three windows of 200 runs after 30
 * warm-up runs (so the JIT has compiled the run path; ResNet-20 windows of 100 after 100). Two checks: on a conv net
 * whose output is 64 KiB and on ResNet-20 pruned to 90 % (input normalization as binary ops, a Flatten copy, sparse and
 * dense convs) the serving run allocates under {@link #BOUND_BYTES_PER_RUN} per run; and on every model it allocates at
 * least one output's bytes less per run than {@link SparsePlan#run(Map)}.
 */
class SparsePlanServingTest extends CpuTest {
    static final Path MODEL = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");
    /**
     * Measured: 0 B per run on both models. The bound leaves room for the JVM's accounting, not for an object:
     * one JavaCPP pointer per kernel call (what the binary ops and copies once made) is over 100 B.
     */
    private static final long BOUND_BYTES_PER_RUN = 64;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Two 16-channel 3 x 3 convs at 32 x 32 (output 16 x 32 x 32 floats, 64 KiB), pruned to 90 %. */
    private static Graph convNet() {
        NetBuilder b = new NetBuilder("conv_net", 3, NetBuilder.Init.RANDOM_STATISTICS);
        String x = b.input("x", 16, 32, 32);
        String y = b.conv(b.relu(b.conv(x, 16, 16, 3, 1, 1, true)), 16, 16, 3, 1, 1, true);
        b.output(y, -1, 16, 32, 32);
        return GlobalPruning.prune(b.build(), 0.9);
    }

    @Test
    void buildFromAFileReportsTheShapesItPlannedFor() {
        String input = OnnxImporter.read(MODEL).graph().inputs().get(0).name();
        try (SparsePlan plan = SparsePlan.build(MODEL, cpu, Map.of(input, new long[] {2, 1, 28, 28}),
                SparsePlan.Options.defaults().withPolicy(SparsePlan.Policy.DENSE))) {
            assertEquals(List.of(input), plan.inputNames());
            assertArrayEquals(new long[] {2, 1, 28, 28}, plan.inputShape(input));
            assertEquals(1, plan.outputNames().size());
            String output = plan.outputNames().get(0);
            assertArrayEquals(new long[] {2, 10}, plan.outputShape(output));
            plan.outputShape(output)[0] = 99;
            assertArrayEquals(new long[] {2, 10}, plan.outputShape(output), "a copy");
            assertEquals(20, plan.run(Map.of(input, new float[2 * 28 * 28])).get(output).length);
        }
    }

    @Test
    void convNetServingRunsAllocateNothing() {
        for (SparsePlan.Policy policy : new SparsePlan.Policy[] {SparsePlan.Policy.SPARSE, SparsePlan.Policy.DENSE}) {
            try (SparsePlan plan = SparsePlan.build(convNet(), cpu, Map.of("x", new long[] {1, 16, 32, 32}), 1,
                    policy)) {
                assertTrue(policy == SparsePlan.Policy.DENSE || plan.choices().stream().allMatch(
                        SparsePlan.LayerChoice::sparse), "both convs sparse under SPARSE");
                long perRun = assertServingRunMatchesAndAllocatesNoOutput(plan, "conv net, " + policy, 30, 200);
                assertTrue(perRun < BOUND_BYTES_PER_RUN, "conv net, " + policy + ": " + perRun + " B per run");
            }
        }
    }

    @Test
    void prunedResnet20ServingRunsAllocateNothing() {
        Graph g = GlobalPruning.prune(OnnxImporter.read(MODEL).graph(), 0.9);
        String input = g.inputs().get(0).name();
        try (SparsePlan plan = SparsePlan.build(g, cpu, Map.of(input, new long[] {1, 1, 28, 28}), 1,
                SparsePlan.Policy.SPARSE)) {
            assertTrue(plan.choices().stream().anyMatch(SparsePlan.LayerChoice::sparse));
            long perRun = assertServingRunMatchesAndAllocatesNoOutput(plan, "ResNet-20 at 90 %, SPARSE", 100, 100);
            assertTrue(perRun < BOUND_BYTES_PER_RUN, "ResNet-20: " + perRun + " B per run");
        }
    }

    /** @return the bytes the serving runs allocate per run (the larger of the two forms) */
    private static long assertServingRunMatchesAndAllocatesNoOutput(SparsePlan plan, String what, int warmup,
                                                                     int runs) {
        String input = plan.inputNames().get(0), output = plan.outputNames().get(0);
        int n = (int) Arrays.stream(plan.inputShape(input)).reduce(1, (a, b) -> a * b);
        int m = (int) Arrays.stream(plan.outputShape(output)).reduce(1, (a, b) -> a * b);
        float[] x = TestData.uniform(n, 11, 1.0);
        float[] expected = plan.run(Map.of(input, x)).get(output);
        float[] y = new float[m], single = new float[m];
        Map<String, float[]> inputs = Map.of(input, x), outputs = Map.of(output, y);
        plan.run(inputs, outputs);
        assertArrayEquals(expected, y, what + ": run into the caller's array, bit-equal to run(Map)");
        plan.run(x, single);
        assertArrayEquals(expected, single, what + ": run(float[], float[])");
        for (int r = 0; r < warmup; r++) {
            plan.run(inputs, outputs);
            plan.run(x, single);
        }
        for (int r = 0; r < warmup; r++) {
            plan.run(inputs);
        }
        long mapBytes = leastPerRun(() -> plan.run(inputs, outputs), runs);
        long arrayBytes = leastPerRun(() -> plan.run(x, single), runs);
        long allocatingBytes = leastPerRun(() -> plan.run(inputs), runs);
        System.out.printf("%s: serving run allocates %d B per run (run(Map, Map)), %d B (run(float[], float[])); "
                + "run(Map) %d B; output %d B%n", what, mapBytes, arrayBytes, allocatingBytes, 4L * m);
        assertArrayEquals(expected, y, what + ": after the timed runs");
        assertArrayEquals(expected, single, what + ": after the timed runs");
        long saved = allocatingBytes - Math.max(mapBytes, arrayBytes);
        assertTrue(saved >= 4L * m, what + ": the serving run allocates " + Math.max(mapBytes, arrayBytes)
                + " B per run, only " + saved + " B less than run(Map), whose output alone is " + 4L * m + " B");
        return Math.max(mapBytes, arrayBytes);
    }

    /**
     * Bytes per run the calling thread allocated over {@code runs} runs of {@code run}, the least of three such
     * windows: a window in which the JIT was still replacing interpreted code counts what that code allocated.
     */
    private static long leastPerRun(Runnable run, int runs) {
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 3; window++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < runs; r++) {
                run.run();
            }
            least = Math.min(least, (THREADS.getCurrentThreadAllocatedBytes() - before) / runs);
        }
        return least;
    }
}
