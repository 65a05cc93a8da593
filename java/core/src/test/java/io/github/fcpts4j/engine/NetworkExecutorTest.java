package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.testing.TestNets;
import io.github.fcpts4j.testing.OrtRunner;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.CpuTest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our CPU forward pass against ONNX Runtime (through DJL) on the same exported
 * file: |x - ref| <= 1e-4 + 1e-4 |ref| per output element. Both sides compute in
 * float32 with different summation orders (oneDNN vs MLAS); 1e-4 relative is
 * about 1000 float ulps, room for the reordering of sums of a few hundred terms
 * per layer over ~20 layers, and far below any real mistake (a wrong pad, axis
 * or broadcast moves outputs by O(1)).
 */
class NetworkExecutorTest extends CpuTest {

    private void assertMatchesOrt(Graph graph, long[] inputShape, Path dir) throws Exception {
        Path file = dir.resolve(graph.name() + ".onnx");
        OnnxExporter.write(graph, file);
        int n = Math.toIntExact(io.github.fcpts4j.backend.Tensor.elementCount(inputShape));
        float[] x = TestData.uniform(n, 99);
        float[] expected = OrtRunner.run(file, x, inputShape).get(0).values();
        String input = graph.inputs().get(0).name();
        float[] actual;
        try (NetworkExecutor exec = NetworkExecutor.compile(graph, cpu, Map.of(input, inputShape))) {
            actual = exec.run(Map.of(input, x)).get(graph.outputs().get(0).name());
            float[] again = exec.run(Map.of(input, x)).get(graph.outputs().get(0).name());
            assertArrayEquals(actual, again, 0f, "a compiled executor is deterministic across runs");
        }
        assertEquals(expected.length, actual.length);
        int bad = 0, worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < expected.length; i++) {
            double allowed = 1e-4 + 1e-4 * Math.abs(expected[i]);
            double ratio = Math.abs(actual[i] - expected[i]) / allowed;
            if (ratio > worstRatio || Double.isNaN(ratio)) {
                worstRatio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
                worst = i;
            }
            if (!(ratio <= 1)) {
                bad++;
            }
        }
        if (bad > 0) {
            fail(graph.name() + ": " + bad + " of " + expected.length + " outputs differ from ONNX Runtime; worst ["
                    + worst + "] ours " + actual[worst] + " vs " + expected[worst]);
        }
    }

    @Test
    void everyOpMatchesOnnxRuntime(@TempDir Path dir) throws Exception {
        assertMatchesOrt(TestNets.allOpsNet(21), new long[] {3, 3, 17, 17}, dir);
    }

    /**
     * Floor-mode pooling whose last window leaves input rows unread (56 -> 27 with kernel 3, stride 2) and an
     * include-pad average in floor mode (6 -> 3 with pad 1): the model's own pads, no ceil-mode widening.
     */
    @Test
    void floorModePoolingWithSlackMatchesOnnxRuntime(@TempDir Path dir) throws Exception {
        io.github.fcpts4j.models.NetBuilder b = new io.github.fcpts4j.models.NetBuilder("pool_slack", 5,
                io.github.fcpts4j.models.NetBuilder.Init.RANDOM_STATISTICS);
        String x = b.input("image", 2, 56, 56);
        String max = b.node(io.github.fcpts4j.ir.OpType.MAX_POOL, io.github.fcpts4j.ir.Attributes.of(
                "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}), x);                  // 2 x 27 x 27
        String avg = b.node(io.github.fcpts4j.ir.OpType.AVERAGE_POOL, io.github.fcpts4j.ir.Attributes.of(
                "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1},
                "count_include_pad", 1L), b.node(io.github.fcpts4j.ir.OpType.MAX_POOL,
                io.github.fcpts4j.ir.Attributes.of("kernel_shape", new long[] {4, 4}, "strides",
                        new long[] {4, 4}), max));                                        // 27 -> 6 -> 3
        b.output(avg, -1, 2, 3, 3);
        assertMatchesOrt(b.build(), new long[] {2, 2, 56, 56}, dir);
    }

    @Test
    void resnet20MatchesOnnxRuntime(@TempDir Path dir) throws Exception {
        assertMatchesOrt(TestNets.resnet20(22), new long[] {4, 1, 28, 28}, dir);
    }

    @Test
    void resnet18At224MatchesOnnxRuntime(@TempDir Path dir) throws Exception {
        assertMatchesOrt(TestNets.resnet18(23), new long[] {1, 3, 224, 224}, dir);
    }

    @Test
    void resnet50At224MatchesOnnxRuntime(@TempDir Path dir) throws Exception {
        assertMatchesOrt(TestNets.resnet50(24), new long[] {1, 3, 224, 224}, dir);
    }

    @Test
    void mobilenetV2At224MatchesOnnxRuntime(@TempDir Path dir) throws Exception {
        assertMatchesOrt(TestNets.mobilenetV2(25), new long[] {2, 3, 224, 224}, dir);
    }

    @Test
    void mobilenetV3BlockWithHardSwishAndSqueezeExciteMatchesOnnxRuntime(@TempDir Path dir) throws Exception {
        assertMatchesOrt(TestNets.mobilenetV3Block(26), new long[] {2, 3, 56, 56}, dir);
    }

    /** The lifetime planner reuses activation buffers without changing a single output bit. */
    @Test
    void inferenceReusesActivationBuffersWithIdenticalOutputs() {
        Graph g = TestNets.resnet20(27);
        Map<String, long[]> shape = Map.of("image", new long[] {2, 1, 28, 28});
        float[] x = TestData.uniform(2 * 784, 5);
        String out = g.outputs().get(0).name();
        try (NetworkExecutor planned = NetworkExecutor.compile(g, cpu, shape);
             NetworkExecutor kept = NetworkExecutor.compile(g, cpu, shape, true)) {
            assertArrayEquals(kept.run(Map.of("image", x)).get(out), planned.run(Map.of("image", x)).get(out), 0f);
            assertTrue(planned.activationBytes() * 3 < kept.activationBytes(), planned.activationBytes()
                    + " bytes with reuse vs " + kept.activationBytes() + " without");
        }
    }

    @Test
    void missingInputIsNamed() {
        Graph g = TestNets.resnet20(1);
        try (NetworkExecutor exec = NetworkExecutor.compile(g, cpu, Map.of("image", new long[] {1, 1, 28, 28}))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> exec.run(Map.of()));
            assertTrue(e.getMessage().contains("missing input 'image' of shape [1, 1, 28, 28]"), e.getMessage());
        }
    }

    /**
     * An executor is for one thread at a time: a run (or close) from a second thread while the first thread's
     * run is in flight fails at once with CONCURRENT_USE naming both threads, the first run completes, and the
     * executor serves the next caller. The first run is held inside the network by a layer override that
     * waits on a latch (no sleeps); after close a run throws IllegalStateException.
     */
    @Test
    void aSecondThreadsCallWhileARunIsInFlightFailsFast() throws Exception {
        Graph g = TestNets.resnet20(2);
        Node relu = g.nodes().stream().filter(n -> n.op() == OpType.RELU).findFirst().orElseThrow();
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        LayerOverride holding = new LayerOverride() {
            @Override
            public List<String> nodes() {
                return List.of(relu.name());
            }

            @Override
            public List<String> inputs() {
                return List.of(relu.input(0));
            }

            @Override
            public void forward(Tensor[] in, Tensor out) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.copyFrom(in[0].toArray());
            }
        };
        Map<String, float[]> x = Map.of("image", TestData.uniform(784, 3));
        ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "first-caller"));
        NetworkExecutor e = NetworkExecutor.compileInference(g, cpu, Map.of("image", new long[] {1, 1, 28, 28}),
                List.of(holding));
        try {
            Future<Map<String, float[]>> first = other.submit(() -> e.run(x));
            inside.await();
            FcptsException run = assertThrows(FcptsException.class, () -> e.run(x));
            assertEquals(ErrorCode.CONCURRENT_USE, run.code());
            assertTrue(run.getMessage().contains("'first-caller'") && run.getMessage().contains("one thread at a time"),
                    run.getMessage());
            assertEquals(ErrorCode.CONCURRENT_USE, assertThrows(FcptsException.class, e::close).code());
            release.countDown();
            float[] y = first.get(1, TimeUnit.MINUTES).get(g.outputs().get(0).name());
            assertArrayEquals(y, e.run(x).get(g.outputs().get(0).name()), 0f, "the executor serves the next caller");
        } finally {
            release.countDown();
            other.shutdownNow();
            e.close();
        }
        assertThrows(IllegalStateException.class, () -> e.run(x));
    }
}
