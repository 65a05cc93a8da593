package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.TestNets;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * BatchNorm folding: the folded ResNet-20 (running statistics made non-trivial
 * first) computes what the original does, has no BatchNorm left, keeps every
 * pruned zero and drops the unread initializers; a conv output that something
 * else reads keeps its BatchNorm.
 */
class BatchNormFoldingTest extends CpuTest {

    /** ResNet-20 pruned to 70 % with random BatchNorm statistics and affine parameters. */
    private static Graph withStatistics() {
        Graph g = GlobalPruning.prune(TestNets.resnet20(3), 0.7);
        SplittableRandom rng = new SplittableRandom(9);
        for (Node n : g.nodes()) {
            if (n.op() != OpType.BATCH_NORMALIZATION) {
                continue;
            }
            for (int input = 1; input <= 4; input++) {
                TensorData d = g.initializer(n.input(input)).orElseThrow();
                float[] v = new float[(int) d.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = input == 4 ? (float) rng.nextDouble(0.2, 3) : (float) rng.nextDouble(-1, 1);
                }
                g = g.withInitializer(n.input(input), TensorData.ofFloats(d.dims(), v));
            }
        }
        return g;
    }

    @Test
    void foldedResNetComputesTheSameAndKeepsItsZeros() {
        Graph g = withStatistics();
        Graph folded = BatchNormFolding.apply(g);
        assertEquals(0, folded.nodes().stream().filter(n -> n.op() == OpType.BATCH_NORMALIZATION).count());
        assertEquals(g.nodes().size() - 21, folded.nodes().size(), "one BatchNorm per conv folded");
        long zerosBefore = 0, zerosAfter = 0;
        for (Node n : g.prunableNodes()) {
            zerosBefore += g.initializer(n.input(1)).orElseThrow().zeros();
        }
        for (Node n : folded.prunableNodes()) {
            zerosAfter += folded.initializer(n.input(1)).orElseThrow().zeros();
        }
        assertEquals(zerosBefore, zerosAfter);
        for (String name : folded.initializers().keySet()) {
            boolean read = folded.nodes().stream().anyMatch(n -> n.inputs().contains(name));
            assertEquals(true, read, "initializer '" + name + "' is read");
        }
        String input = g.inputs().get(0).name(), output = g.outputs().get(0).name();
        float[] x = new float[2 * 28 * 28];
        SplittableRandom rng = new SplittableRandom(4);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        Map<String, long[]> shape = Map.of(input, new long[] {2, 1, 28, 28});
        try (NetworkExecutor a = NetworkExecutor.compile(g, cpu, shape);
             NetworkExecutor b = NetworkExecutor.compile(folded, cpu, shape)) {
            float[] ref = a.run(Map.of(input, x)).get(output), y = b.run(Map.of(input, x)).get(output);
            double scale = 0;
            for (float v : ref) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], y[i], 1e-5 * scale, "logit " + i);
            }
        }
    }

    @Test
    void aConvOutputReadElsewhereIsNotFolded() {
        Graph g = withStatistics();
        Node firstConv = g.nodes().stream().filter(n -> n.op() == OpType.CONV).findFirst().orElseThrow();
        List<ValueInfo> outputs = new ArrayList<>(g.outputs());
        outputs.add(new ValueInfo(firstConv.output(), DataType.FLOAT, new long[] {-1, 16, 28, 28}));
        Graph exposed = new Graph(g.name(), g.inputs(), outputs, g.nodes(), g.initializers());
        Graph folded = BatchNormFolding.apply(exposed);
        List<Node> left = folded.nodes().stream().filter(n -> n.op() == OpType.BATCH_NORMALIZATION).toList();
        assertEquals(1, left.size());
        assertEquals(firstConv.output(), left.get(0).input(0));
    }
}
