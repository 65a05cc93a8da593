package io.github.fcpts4j.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Size and cost of every prunable layer of a graph, per input sample:
 * weights N_l, multiply-accumulates MACs_l (a conv does N_l MACs per output
 * position, a Gemm / MatMul N_l per output row), the zeros already present,
 * and so the MACs per weight that the FLOPs-weighted sparsity constraint uses
 * (FCPTS.md section 3).
 */
public final class LayerCosts {

    /** One prunable layer. */
    public record Layer(String node, String op, String weight, long[] dims, long weights, long macs, long zeros) {
        public double sparsity() {
            return weights == 0 ? 0 : (double) zeros / weights;
        }
    }

    private LayerCosts() {
    }

    /**
     * @param inputShapes one concrete shape per graph input, batch 1 (conv MACs count output
     *                    positions of one sample; Gemm / MatMul count output rows)
     */
    public static List<Layer> of(Graph graph, Map<String, long[]> inputShapes) {
        Map<String, long[]> shapes = ShapeInference.infer(graph, inputShapes);
        List<Layer> out = new ArrayList<>();
        for (Node n : graph.prunableNodes()) {
            TensorData w = graph.initializer(n.input(1)).orElseThrow();
            long[] y = shapes.get(n.output());
            long positions = 1;
            if (n.op() == OpType.CONV) {
                for (int i = 2; i < y.length; i++) {
                    positions *= y[i];
                }
            } else {
                for (int i = 0; i < y.length - 1; i++) {
                    positions *= y[i];
                }
            }
            out.add(new Layer(n.name(), n.op().onnxName(), n.input(1), w.dims(), w.size(), w.size() * positions,
                    w.zeros()));
        }
        return out;
    }
}
