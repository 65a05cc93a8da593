package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.SerialBackend;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.TestNets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One {@link SparsePlan} shared by 8 threads: every thread runs it many times on inputs of its own, all
 * starting together (a latch, no sleeps), and every output is bit-equal to the single-threaded output for
 * the same input (a race on a shared activation buffer, staging buffer or scratchpad gives another
 * input's numbers, which no tolerance would hide). A pruned ResNet-20 at batch 2 (sparse CSR convs,
 * oneDNN dense chains, the sparse Gemm); on a backend that cannot run executors concurrently the plan
 * serializes the runs in one context. After close, a run throws.
 */
class SparsePlanConcurrencyTest extends CpuTest {
    /** Runs per thread: on a one-thread backend, and with an OpenMP team of every core per run. */
    private static final int THREADS = 8, RUNS = 25, RUNS_ALL_CORES = 10;
    private static final long[] SHAPE = {2, 1, 28, 28};

    private static float[] input(int thread, int run) {
        return TestData.uniform((int) (SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3]), 1000L * thread + run, 1.0);
    }

    /** Runs {@code plan} from THREADS threads at once; the outputs that differ from {@code ref}, described. */
    private static List<String> runConcurrently(SparsePlan plan, String input, String output, float[][][] ref,
                                                int runs) throws Exception {
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch ready = new CountDownLatch(THREADS), start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    for (int r = 0; r < runs; r++) {
                        float[] y = plan.run(Map.of(input, input(thread, r))).get(output);
                        if (!Arrays.equals(ref[thread][r], y)) {
                            wrong.add("thread " + thread + " run " + r + ": " + Arrays.toString(Arrays.copyOf(y, 4))
                                    + "... vs " + Arrays.toString(Arrays.copyOf(ref[thread][r], 4)) + "...");
                        }
                    }
                    return null;
                }));
            }
            ready.await();
            start.countDown();
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return List.copyOf(wrong);
    }

    private void assertConcurrentRunsMatchSingleThreaded(Backend backend, SparsePlan.Policy policy, boolean parallel,
                                                         int runs) throws Exception {
        Graph g = GlobalPruning.prune(TestNets.resnet20(3), 0.85);
        String input = g.inputs().get(0).name(), output = g.outputs().get(0).name();
        try (SparsePlan plan = SparsePlan.build(g, backend, Map.of(input, SHAPE), 1, policy)) {
            if (policy == SparsePlan.Policy.SPARSE) {
                assertTrue(plan.choices().stream().anyMatch(SparsePlan.LayerChoice::sparse), "layers run sparse");
            }
            float[][][] ref = new float[THREADS][runs][];
            for (int t = 0; t < THREADS; t++) {
                for (int r = 0; r < runs; r++) {
                    ref[t][r] = plan.run(Map.of(input, input(t, r))).get(output);
                }
            }
            assertEquals(1, plan.contexts(), "a single-threaded caller reuses one context");
            List<String> wrong = runConcurrently(plan, input, output, ref, runs);
            assertTrue(wrong.isEmpty(), () -> wrong.size() + " of " + THREADS * runs + " concurrent outputs differ "
                    + "from the single-threaded ones, e.g. " + wrong.subList(0, Math.min(3, wrong.size())));
            int contexts = plan.contexts();
            assertTrue(contexts >= 1 && contexts <= (parallel ? THREADS : 1), () -> contexts + " contexts");
        }
    }

    /** On a one-thread backend: what a server with many callers opens (teams of every core oversubscribe). */
    @ParameterizedTest
    @EnumSource(value = SparsePlan.Policy.class, names = {"SPARSE", "DENSE"})
    void eightThreadsSharingOnePlanGetTheSingleThreadedOutputs(SparsePlan.Policy policy) throws Exception {
        try (Backend one = Backends.openResolved("cpu", BackendOptions.defaults().withCpuThreads(1))) {
            assertConcurrentRunsMatchSingleThreaded(one, policy, true, RUNS);
        }
    }

    /** On the test's backend: 8 OpenMP teams of every core at once (fewer runs: they oversubscribe the cores). */
    @Test
    void eightThreadsWithAnOpenMpTeamEachGetTheSingleThreadedOutputs() throws Exception {
        assertConcurrentRunsMatchSingleThreaded(cpu, SparsePlan.Policy.SPARSE, true, RUNS_ALL_CORES);
    }

    @Test
    void onABackendWithoutConcurrentExecutorsRunsAreSerializedInOneContext() throws Exception {
        assertConcurrentRunsMatchSingleThreaded(new SerialBackend(cpu), SparsePlan.Policy.SPARSE, false, RUNS);
    }

    @Test
    void runAfterCloseThrowsAndCloseIsIdempotent() {
        Graph g = GlobalPruning.prune(TestNets.resnet20(3), 0.85);
        String input = g.inputs().get(0).name();
        SparsePlan plan = SparsePlan.build(g, cpu, Map.of(input, SHAPE), 1, SparsePlan.Policy.SPARSE);
        plan.run(Map.of(input, input(0, 0)));
        plan.close();
        plan.close();
        FcptsException e = assertThrows(FcptsException.class, () -> plan.run(Map.of(input, input(0, 0))));
        assertEquals(ErrorCode.CLOSED, e.code());
        assertTrue(e.getMessage().contains("after close"), e.getMessage());
        assertEquals(ErrorCode.CLOSED, assertThrows(FcptsException.class,
                () -> plan.profile(Map.of(input, input(0, 0)), 1)).code());
    }
}
