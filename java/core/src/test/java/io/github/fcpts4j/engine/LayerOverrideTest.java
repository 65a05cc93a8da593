package io.github.fcpts4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.TestNets;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;

/**
 * Layer overrides of an inference executor: a chain (Conv -> BatchNorm -> Relu)
 * computed by the override itself gives the plain executor's output, and
 * malformed chains (unknown node, a node covered twice, an intermediate value
 * read outside the chain, nodes out of order, an input computed after the
 * chain) are refused with the node named.
 */
class LayerOverrideTest extends CpuTest {
    private static final Map<String, long[]> SHAPE = Map.of("image", new long[] {2, 1, 28, 28});

    private static LayerOverride chain(List<String> nodes, List<String> inputs, BiConsumer<Tensor[], Tensor> body) {
        return new LayerOverride() {
            @Override
            public List<String> nodes() {
                return nodes;
            }

            @Override
            public List<String> inputs() {
                return inputs;
            }

            @Override
            public void forward(Tensor[] in, Tensor out) {
                body.accept(in, out);
            }
        };
    }

    /** The stem: conv, its BatchNorm and ReLU. */
    private static List<Node> stem(Graph g) {
        Node conv = g.nodes().stream().filter(n -> n.op() == OpType.CONV).findFirst().orElseThrow();
        Node bn = g.nodes().stream().filter(n -> n.input(0).equals(conv.output())).findFirst().orElseThrow();
        Node relu = g.nodes().stream().filter(n -> n.input(0).equals(bn.output())).findFirst().orElseThrow();
        return List.of(conv, bn, relu);
    }

    @Test
    void aChainComputedByItsOverrideGivesTheSameOutput() {
        Graph g = TestNets.resnet20(2);
        List<Node> stem = stem(g);
        float[] x = new float[2 * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 13) / 13f;
        }
        float[] ref;
        float[] stemOut;
        try (NetworkExecutor plain = NetworkExecutor.compile(g, cpu, SHAPE, false,
                java.util.Set.of(stem.get(2).output()))) {
            ref = plain.run(Map.of("image", x)).get(g.outputs().get(0).name());
            stemOut = plain.value(stem.get(2).output()).toArray();
        }
        int[] calls = {0};
        LayerOverride o = chain(stem.stream().map(Node::name).toList(), List.of(stem.get(0).input(0)),
                (in, out) -> {
                    calls[0]++;
                    assertTrue(in[0].size() == x.length);
                    out.copyFrom(stemOut);
                });
        try (NetworkExecutor e = NetworkExecutor.compileInference(g, cpu, SHAPE, List.of(o))) {
            assertArrayEquals(ref, e.run(Map.of("image", x)).get(g.outputs().get(0).name()), 1e-5f);
        }
        assertTrue(calls[0] == 1);
    }

    @Test
    void malformedChainsAreRefused() {
        Graph g = TestNets.resnet20(2);
        List<Node> stem = stem(g);
        String in = stem.get(0).input(0);
        BiConsumer<Tensor[], Tensor> none = (a, b) -> { };
        List<String> names = stem.stream().map(Node::name).toList();
        assertThrows(IllegalArgumentException.class, () -> NetworkExecutor.compileInference(g, cpu, SHAPE,
                List.of(chain(List.of("no_such_node"), List.of(in), none))));
        assertThrows(IllegalArgumentException.class, () -> NetworkExecutor.compileInference(g, cpu, SHAPE,
                List.of(chain(names, List.of(in), none), chain(names.subList(2, 3), List.of(in), none))));
        // the conv output without its BatchNorm: the BatchNorm (outside the chain) reads it
        assertThrows(IllegalArgumentException.class, () -> NetworkExecutor.compileInference(g, cpu, SHAPE,
                List.of(chain(List.of(names.get(0), names.get(2)), List.of(in), none))));
        assertThrows(IllegalArgumentException.class, () -> NetworkExecutor.compileInference(g, cpu, SHAPE,
                List.of(chain(List.of(names.get(2), names.get(1), names.get(0)), List.of(in), none))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkExecutor
                .compileInference(g, cpu, SHAPE, List.of(chain(names, List.of("nowhere"), none))));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
        String later = g.nodes().get(g.nodes().size() - 1).output();
        e = assertThrows(IllegalArgumentException.class, () -> NetworkExecutor.compileInference(g, cpu, SHAPE,
                List.of(chain(names, List.of(in, later), none))));
        assertTrue(e.getMessage().contains("computed only after"), e.getMessage());
    }
}
