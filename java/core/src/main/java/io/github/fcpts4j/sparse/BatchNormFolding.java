package io.github.fcpts4j.sparse;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds an inference BatchNormalization into the Conv that feeds it (the
 * serving graph of the sparse runtime and its dense baseline), per output
 * channel c:
 * <pre>
 *   s[c] = gamma[c] / sqrt(var[c] + eps),  W'[c] = s[c] W[c],  b'[c] = s[c] (b[c] - mean[c]) + beta[c]
 * </pre>
 * computed in double. Only when the Conv's weight, bias and the BatchNorm's
 * parameters are constants and the BatchNorm is the Conv output's only reader
 * (and that output is not a graph output). A pruned weight keeps its zeros.
 * Initializers no node reads any more are dropped.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    public static Graph apply(Graph g) {
        Map<String, Integer> readers = new HashMap<>();
        g.nodes().forEach(n -> n.inputs().forEach(i -> readers.merge(i, 1, Integer::sum)));
        Set<String> outputs = new HashSet<>();
        g.outputs().forEach(o -> outputs.add(o.name()));
        Map<String, TensorData> init = new LinkedHashMap<>(g.initializers());
        Map<String, Node> folded = new HashMap<>();   // conv name -> conv writing the BN output
        Set<String> removed = new HashSet<>();         // BN nodes folded away
        for (Node bn : g.nodes()) {
            Node conv = bn.op() == OpType.BATCH_NORMALIZATION ? g.producer(bn.input(0)).orElse(null) : null;
            if (conv == null || conv.op() != OpType.CONV || readers.getOrDefault(bn.input(0), 0) != 1
                    || outputs.contains(bn.input(0)) || bn.outputs().size() > 1 && !bn.outputs().get(1).isEmpty()
                    || !constant(g, conv.inputs().subList(1, conv.inputs().size()))
                    || !constant(g, bn.inputs().subList(1, 5))) {
                continue;
            }
            TensorData w = g.initializer(conv.input(1)).orElseThrow();
            int channels = (int) w.dims()[0];
            int per = (int) (w.size() / channels);
            float[] weight = w.floats(), bias = new float[channels];
            float[] gamma = g.initializer(bn.input(1)).orElseThrow().floats();
            float[] beta = g.initializer(bn.input(2)).orElseThrow().floats();
            float[] mean = g.initializer(bn.input(3)).orElseThrow().floats();
            float[] var = g.initializer(bn.input(4)).orElseThrow().floats();
            float[] oldBias = conv.inputs().size() > 2 && !conv.input(2).isEmpty()
                    ? g.initializer(conv.input(2)).orElseThrow().floats() : new float[channels];
            double eps = bn.attributes().getFloat("epsilon", 1e-5f);
            for (int c = 0; c < channels; c++) {
                double s = gamma[c] / Math.sqrt(var[c] + eps);
                for (int i = c * per; i < (c + 1) * per; i++) {
                    weight[i] = (float) (s * weight[i]);
                }
                bias[c] = (float) (s * (oldBias[c] - mean[c]) + beta[c]);
            }
            String wName = unique(init, conv.name() + "_bn_folded_weight");
            init.put(wName, TensorData.ofFloats(w.dims(), weight));
            String bName = unique(init, conv.name() + "_bn_folded_bias");
            init.put(bName, TensorData.ofFloats(new long[] {channels}, bias));
            folded.put(conv.name(), new Node(conv.name(), OpType.CONV, List.of(conv.input(0), wName, bName),
                    List.of(bn.output()), conv.attributes()));
            removed.add(bn.name());
        }
        if (folded.isEmpty()) {
            return g;
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!removed.contains(n.name())) {
                nodes.add(folded.getOrDefault(n.name(), n));
            }
        }
        Set<String> read = new HashSet<>();
        nodes.forEach(n -> read.addAll(n.inputs()));
        g.inputs().forEach(v -> read.add(v.name()));
        init.keySet().removeIf(name -> !read.contains(name));
        List<ValueInfo> inputs = g.inputs();
        return new Graph(g.name(), inputs, g.outputs(), nodes, init);
    }

    private static boolean constant(Graph g, List<String> values) {
        return values.stream().allMatch(v -> v.isEmpty() || g.initializer(v).map(TensorData::isFloat).orElse(false));
    }

    private static String unique(Map<String, TensorData> init, String base) {
        String name = base;
        for (int i = 1; init.containsKey(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }
}
