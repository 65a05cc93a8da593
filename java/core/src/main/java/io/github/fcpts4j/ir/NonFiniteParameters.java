package io.github.fcpts4j.ir;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the float constants of a graph (weights, biases, BatchNorm scale / bias / mean / variance, folded
 * constants) that hold NaN or infinite values, and names each one with the nodes that read it. Pruning, export
 * and benchmarking check every float parameter up front ({@link #requireFinite}), so a NaN in a BatchNorm gamma
 * is blamed on that gamma rather than on the first layer whose gradients it poisons; {@code inspect} lists them.
 */
public final class NonFiniteParameters {
    private NonFiniteParameters() {
    }

    /**
     * One tensor with non-finite values.
     *
     * @param tensor     the initializer's name
     * @param readers    the nodes that read it, as {@code BatchNormalization 'bn_3' input 1}
     * @param nan        how many elements are NaN
     * @param infinite   how many are +Inf or -Inf
     * @param firstIndex the row-major index of the first non-finite element
     * @param size       the tensor's element count
     */
    public record Finding(String tensor, List<String> readers, long nan, long infinite, long firstIndex, long size) {
        public Finding {
            readers = List.copyOf(readers);
        }

        /**
         * E.g. {@code tensor 'bn.scale' (read by BatchNormalization 'bn_3' input 1) holds 1 NaN of 16 values, the
         * first at index 5}.
         */
        public String describe() {
            String counts = nan > 0 && infinite > 0 ? nan + " NaN and " + infinite + " infinite"
                    : nan > 0 ? nan + " NaN" : infinite + " infinite";
            String by = readers.isEmpty() ? "read by no node" : "read by " + String.join(", ", readers);
            return "tensor '" + tensor + "' (" + by + ") holds " + counts + " of " + size + " values, the first at "
                    + "index " + firstIndex;
        }
    }

    /** Every float initializer of {@code g} that holds a NaN or an infinity, in the graph's initializer order. */
    public static List<Finding> find(Graph g) {
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, TensorData> e : g.initializers().entrySet()) {
            TensorData t = e.getValue();
            if (!t.isFloat()) {
                continue;
            }
            long nan = 0, infinite = 0, first = -1;
            for (int i = 0; i < t.size(); i++) {
                double v = t.get(i);
                if (Double.isFinite(v)) {
                    continue;
                }
                if (Double.isNaN(v)) {
                    nan++;
                } else {
                    infinite++;
                }
                first = first < 0 ? i : first;
            }
            if (first >= 0) {
                out.add(new Finding(e.getKey(), readers(g, e.getKey()), nan, infinite, first, t.size()));
            }
        }
        return out;
    }

    /**
     * @param what what needs finite parameters, for the message ({@code "pruning"})
     * @throws FcptsException {@link ErrorCode#NON_FINITE_INPUT} naming the first tensor with non-finite values
     *                        (and how many others have them)
     */
    public static void requireFinite(Graph g, String what) {
        List<Finding> bad = find(g);
        if (!bad.isEmpty()) {
            String more = bad.size() == 1 ? "" : "; " + (bad.size() - 1) + " more tensors hold non-finite values";
            throw new FcptsException(ErrorCode.NON_FINITE_INPUT, "model '" + g.name() + "': "
                    + bad.get(0).describe() + more + "; " + what + " needs finite parameters");
        }
    }

    private static List<String> readers(Graph g, String value) {
        List<String> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                if (n.inputs().get(i).equals(value)) {
                    out.add(n.describe() + " input " + i);
                }
            }
        }
        return out;
    }
}
