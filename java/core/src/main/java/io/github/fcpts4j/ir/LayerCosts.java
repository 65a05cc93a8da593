package io.github.fcpts4j.ir;

import io.github.fcpts4j.ir.ops.OpDefinition;
import io.github.fcpts4j.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Size and cost of every prunable layer of a graph, per input sample:
 * weights N_l, multiply-accumulates MACs_l (N_l times the op's MACs per
 * weight: a conv's output positions, a Gemm / MatMul's output rows), the zeros already present,
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
            OpDefinition op = Ops.of(n.op());
            String weight = n.input(op.weightInput());
            TensorData w = graph.initializer(weight).orElseThrow();
            long[] y = shapes.get(n.output());
            out.add(new Layer(n.name(), n.op().onnxName(), weight, w.dims(), w.size(),
                    w.size() * op.macsPerWeight(shapes.get(n.input(0)), y), w.zeros()));
        }
        return out;
    }
}
