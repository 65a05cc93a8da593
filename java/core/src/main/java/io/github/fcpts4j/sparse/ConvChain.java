package io.github.fcpts4j.sparse;

import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.Windows;
import io.github.fcpts4j.ir.ops.Ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A 2-D Conv with a constant weight and the nodes the sparse kernel's epilogue
 * can take over: {@code Conv -> [Add(residual)] -> [Relu | Clip]}, each
 * intermediate value read only by the next node of the chain and not a graph
 * output; the residual has the Conv output's exact shape (no broadcasting).
 *
 * @param residual the other operand of the Add, or null
 * @param lo       Clip's lower bound (ignored for other activations)
 */
public record ConvChain(Node conv, List<Node> nodes, String residual, ConvActivation activation, float lo, float hi) {

    public ConvChain {
        nodes = List.copyOf(nodes);
    }

    /** The chain of one conv alone (no epilogue). */
    public static ConvChain of(Node conv) {
        return new ConvChain(conv, List.of(conv), null, ConvActivation.NONE, 0, 0);
    }

    /** The value the chain writes: its last node's output. */
    public String output() {
        return nodes.get(nodes.size() - 1).output();
    }

    /** The values the chain reads at run time: the conv's input, then the residual if any. */
    public List<String> inputs() {
        return residual == null ? List.of(conv.input(0)) : List.of(conv.input(0), residual);
    }

    /** The conv's window geometry for an input of shape [N, C, H, W] (weight dims from the graph). */
    public WindowGeometry geometry(Graph g, long[] inputShape) {
        long[] d = g.initializer(conv.input(1)).orElseThrow().dims();
        long[][] win = Windows.of(conv, inputShape, new long[] {d[2], d[3]}, false);
        return new WindowGeometry(inputShape[0], inputShape[1], inputShape[2], inputShape[3], d[0], win[0][0],
                win[1][0], d[2], d[3], win[0][3], win[1][3], win[0][4], win[1][4], win[0][1], win[1][1], win[0][2],
                win[1][2], conv.attributes().getInt("group", 1));
    }

    /** The conv's bias input, or null. */
    public String bias() {
        return conv.inputs().size() > 2 && !conv.input(2).isEmpty() ? conv.input(2) : null;
    }

    /** Every chain of {@code g}, in graph order, for Convs with a constant weight and a 4-D input. */
    public static List<ConvChain> find(Graph g, Map<String, long[]> shapes) {
        Map<String, List<Node>> readers = new HashMap<>();
        g.nodes().forEach(n -> n.inputs().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n)));
        Set<String> outputs = new HashSet<>();
        g.outputs().forEach(o -> outputs.add(o.name()));
        List<ConvChain> chains = new ArrayList<>();
        Set<Node> claimed = new HashSet<>();  // an Add of two conv outputs goes to the first conv's chain
        for (Node conv : g.nodes()) {
            if (conv.op() != OpType.CONV || g.initializer(conv.input(1)).isEmpty()
                    || shapes.get(conv.input(0)).length != 4) {
                continue;
            }
            List<Node> nodes = new ArrayList<>(List.of(conv));
            String residual = null;
            Node next = soleReader(conv.output(), readers, outputs);
            if (claimed.contains(next)) {
                next = null;
            }
            if (next != null && Ops.of(next.op()).epilogue(next.op()).residual() && next.inputs().size() == 2) {
                String other = next.input(0).equals(conv.output()) ? next.input(1) : next.input(0);
                if (!other.equals(conv.output()) && g.initializer(other).isEmpty()
                        && Arrays.equals(shapes.get(other), shapes.get(conv.output()))
                        && Arrays.equals(shapes.get(next.output()), shapes.get(conv.output()))) {
                    nodes.add(next);
                    residual = other;
                    next = soleReader(next.output(), readers, outputs);
                } else {
                    next = null;
                }
            }
            ConvActivation act = ConvActivation.NONE;
            float lo = 0, hi = 0;
            ConvActivation nextAct = next == null ? null : Ops.of(next.op()).epilogue(next.op()).activation();
            if (nextAct == ConvActivation.RELU) {
                nodes.add(next);
                act = ConvActivation.RELU;
            } else if (nextAct == ConvActivation.CLIP && bound(g, next, 1) != null && bound(g, next, 2) != null) {
                nodes.add(next);
                act = ConvActivation.CLIP;
                lo = bound(g, next, 1);
                hi = bound(g, next, 2);
            }
            claimed.addAll(nodes);
            chains.add(new ConvChain(conv, nodes, residual, act, lo, hi));
        }
        return chains;
    }

    private static Node soleReader(String value, Map<String, List<Node>> readers, Set<String> outputs) {
        List<Node> r = readers.getOrDefault(value, List.of());
        return r.size() == 1 && !outputs.contains(value) ? r.get(0) : null;
    }

    /** Clip's bound from its constant input (ONNX opset 11+; absent = unbounded), or null if not constant. */
    private static Float bound(Graph g, Node clip, int input) {
        if (clip.inputs().size() <= input || clip.input(input).isEmpty()) {
            return input == 1 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        }
        return g.initializer(clip.input(input)).map(TensorData::floats)
                .filter(f -> f.length == 1).map(f -> f[0]).orElse(null);
    }
}
