package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which reconstruction term each graph output gets, decided from the graph alone (FCPTS.md section 4 gives
 * the classifier case; this extends it to any number of outputs of any shape). For every reconstructed
 * output o (all graph outputs, or those named by {@link FcptsConfig.Builder#outputs}), in graph order:
 * <ol>
 *   <li>o = Softmax(x) over the last axis of x, x computed by a node: KL on the logits x, rows = the product
 *       of x's other dimensions (an OCR recognizer's [N, T, C] softmax is KL over N T rows of C classes);</li>
 *   <li>o is read by a Softmax over o's last axis: KL on o itself (o is logits);</li>
 *   <li>o is the graph's only output and is 2-D [N, C] with C &gt;= 2: a classifier's logits, KL on o (the
 *       loss FCPTS has always used; the shipped ResNet-20 and MobileNetV2-small end in such a Gemm);</li>
 *   <li>anything else (probability maps, box regressions, several heads, NHWC maps): MSE on o divided by the
 *       teacher's mean square of o over the calibration set, so that outputs of any scale weigh alike.</li>
 * </ol>
 * With {@link FcptsConfig.ReconstructionLoss#LOGITS_MSE} the KL terms of rules 1 to 3 become the plain
 * (unnormalized) MSE of the same logits, as {@code --loss mse} always was. Two outputs that resolve to the
 * same logits (a graph exposing both logits and their softmax) share one term. L_rec is the sum of the terms
 * (plus the feature terms).
 */
public final class ReconstructionPlan {
    private ReconstructionPlan() {
    }

    /**
     * The terms for {@code graph} with the value shapes {@code shapes} (from ir.ShapeInference).
     *
     * @param selected output names to reconstruct; empty: every graph output
     * @throws FcptsException INVALID_ARGUMENT naming an output the graph does not have and listing its outputs
     */
    public static List<ReconstructionTerm> of(Graph graph, Map<String, long[]> shapes, List<String> selected,
                                              FcptsConfig.ReconstructionLoss loss) {
        requireOutputs(graph, selected, "reconstruction output");
        List<ReconstructionTerm> out = new ArrayList<>();
        Map<String, String> firstByValue = new LinkedHashMap<>();
        for (ValueInfo o : graph.outputs()) {
            if (!selected.isEmpty() && !selected.contains(o.name())) {
                continue;
            }
            String logits = logitsOf(graph, shapes, o.name());
            boolean kl = logits != null && loss == FcptsConfig.ReconstructionLoss.KL;
            String value = logits != null ? logits : o.name();
            boolean normalized = logits == null;
            String sameAs = firstByValue.putIfAbsent(value, o.name());
            out.add(new ReconstructionTerm(o.name(), value, kl ? ReconstructionTerm.Loss.KL
                    : ReconstructionTerm.Loss.MSE, normalized, normalized ? Double.NaN : 1.0, sameAs));
        }
        return List.copyOf(out);
    }

    /**
     * Checks that every name is an output of {@code graph}.
     *
     * @param what how the error names them, e.g. "decision threshold output"
     * @throws FcptsException INVALID_ARGUMENT naming the first one that is not, and listing the outputs
     */
    public static void requireOutputs(Graph graph, java.util.Collection<String> names, String what) {
        for (String s : names) {
            if (graph.outputs().stream().noneMatch(o -> o.name().equals(s))) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, what + " '" + s + "' is not an "
                        + "output of graph '" + graph.name() + "'; its outputs are " + outputList(graph));
            }
        }
    }

    /** The logits whose softmax output {@code o} is or that it is (rules 1 to 3), or null for rule 4. */
    private static String logitsOf(Graph graph, Map<String, long[]> shapes, String o) {
        Optional<Node> producer = graph.producer(o);
        if (producer.isPresent() && softmaxOverLast(producer.get(), shapes)
                && graph.producer(producer.get().input(0)).isPresent()) {
            return producer.get().input(0);
        }
        for (Node n : graph.nodes()) {
            if (n.input(0).equals(o) && softmaxOverLast(n, shapes)) {
                return o;
            }
        }
        long[] s = shapes.get(o);
        return graph.outputs().size() == 1 && s != null && s.length == 2 && s[1] >= 2 ? o : null;
    }

    private static boolean softmaxOverLast(Node n, Map<String, long[]> shapes) {
        if (n.op() != OpType.SOFTMAX) {
            return false;
        }
        long[] x = shapes.get(n.input(0));
        if (x == null || x.length == 0) {
            return false;
        }
        long axis = n.attributes().getInt("axis", -1);
        return (axis < 0 ? axis + x.length : axis) == x.length - 1;
    }

    private static String outputList(Graph graph) {
        return graph.outputs().stream().map(v -> v.name() + " " + java.util.Arrays.toString(v.shape()))
                .collect(Collectors.joining(", "));
    }
}
