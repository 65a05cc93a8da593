package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.models.NetBuilder;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * A graph that fixes its batch at 1 the way tf2onnx exports do (input [1, 3, 8, 8], a Concat with a constant
 * [1, 2, 8, 8] of zeros as channel padding, a Reshape to [1, 384]) runs batches of 4 after the relaxation,
 * sample by sample equal to the original at batch 1; the original tensors are untouched, {@link
 * BatchRelaxation#restore} moves trained weights back, and a graph that bakes the batch in elsewhere (a
 * Reshape to [3, 64]) is refused with an error naming the node and the way out.
 */
class BatchRelaxationTest {
    private static final long[] SAMPLE = {1, 3, 8, 8};

    /** x [1, 3, 8, 8] -> Conv 3->4 -> Concat(axis 1, zeros [1, 2, 8, 8]) -> Relu -> Reshapes -> Gemm 384->5. */
    private static Graph fixedBatchNet(long[]... reshapeTargets) {
        NetBuilder b = new NetBuilder("tf2onnx-like", 5, NetBuilder.Init.TRAINING);
        String x = b.input("x", 3, 8, 8);
        String y = b.conv(x, 3, 4, 3, 1, 1, true);
        String pad = b.constant("pad", NetBuilder.filled(new long[] {1, 2, 8, 8}, 0f));
        y = b.relu(b.node(OpType.CONCAT, Attributes.of("axis", 1L), y, pad));
        for (long[] target : reshapeTargets) {
            y = b.node(OpType.RESHAPE, Attributes.of(), y, b.constant("shape", TensorData.int64Vector(target)));
        }
        b.output(b.gemm(y, 384, 5), 1, 5);
        Graph g = b.build();
        return new Graph(g.name(), List.of(new ValueInfo("x", DataType.FLOAT, SAMPLE)), g.outputs(), g.nodes(),
                g.initializers());
    }

    @Test
    void aFixedBatchGraphRunsBatchesAndMatchesTheOriginalSampleBySample() {
        Graph g = fixedBatchNet(new long[] {1, 384});
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            Graph relaxed = BatchRelaxation.relax(g, SAMPLE, 4, cpu);
            assertArrayEquals(new long[] {4, 3, 8, 8}, relaxed.inputs().get(0).shape());
            g.initializers().forEach((name, data) -> assertEquals(data, relaxed.initializer(name).orElseThrow(),
                    "original tensor " + name + " untouched"));
            float[] x = new float[4 * 192];
            SplittableRandom rnd = new SplittableRandom(2);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            String out = g.outputs().get(0).name();
            try (NetworkExecutor one = NetworkExecutor.compile(g, cpu, Map.of("x", SAMPLE));
                 NetworkExecutor four = NetworkExecutor.compile(relaxed, cpu,
                         Map.of("x", new long[] {4, 3, 8, 8}))) {
                float[] all = four.run(Map.of("x", x)).get(out);
                assertEquals(20, all.length);
                for (int s = 0; s < 4; s++) {
                    float[] ref = one.run(Map.of("x", Arrays.copyOfRange(x, s * 192, (s + 1) * 192))).get(out);
                    for (int k = 0; k < 5; k++) {
                        assertEquals(ref[k], all[s * 5 + k], 1e-5 + 1e-5 * Math.abs(ref[k]), "sample " + s
                                + " class " + k);
                    }
                }
            }
            String w = g.prunableNodes().get(0).input(1);
            TensorData trained = TensorData.ofFloats(g.initializer(w).orElseThrow().dims(), new float[108]);
            Graph back = BatchRelaxation.restore(g, relaxed.withInitializer(w, trained));
            assertEquals(trained, back.initializer(w).orElseThrow(), "trained weight moved back");
            assertArrayEquals(SAMPLE, back.inputs().get(0).shape(), "the user's fixed batch is kept");
            assertEquals(g.initializers().keySet(), back.initializers().keySet(), "no relaxation tensor left");
            assertEquals(g.nodes(), back.nodes());
        }
    }

    @Test
    void aGraphWhoseBatchIsFreeOrRequestedAtOneIsReturnedAsIs() {
        Graph fixed = fixedBatchNet(new long[] {1, 384});
        Graph free = new Graph(fixed.name(), List.of(new ValueInfo("x", DataType.FLOAT, new long[] {-1, 3, 8, 8})),
                fixed.outputs(), fixed.nodes(), fixed.initializers());
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            assertSame(free, BatchRelaxation.relax(free, SAMPLE, 4, cpu));
            assertSame(fixed, BatchRelaxation.relax(fixed, SAMPLE, 1, cpu));
        }
    }

    @Test
    void aBatchBakedIntoAnotherDimensionIsRefusedNamingTheNode() {
        Graph g = fixedBatchNet(new long[] {2, 192}, new long[] {1, 384});
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            FcptsException e = assertThrows(FcptsException.class, () -> BatchRelaxation.relax(g, SAMPLE, 4, cpu));
            assertEquals(ErrorCode.INVALID_MODEL, e.code());
            assertTrue(e.getMessage().contains("Reshape") && e.getMessage().contains("--batch 1"), e.getMessage());
        }
    }
}
