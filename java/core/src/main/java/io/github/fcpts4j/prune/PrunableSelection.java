package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers a run may prune: every Conv / Gemm / MatMul with a constant
 * weight (FCPTS.md section 1) except those matched by an exclude pattern, a
 * glob over the node name or the weight name ({@code conv_5}, {@code gemm_*},
 * {@code layer4.*}). A pattern that matches no prunable layer is an error (a
 * typo would otherwise silently prune the layer the user meant to keep).
 */
public final class PrunableSelection {
    private PrunableSelection() {
    }

    public static List<Node> select(Graph graph, List<String> excludePatterns) {
        List<Node> all = graph.prunableNodes();
        List<Node> kept = new ArrayList<>(all);
        for (String pattern : excludePatterns) {
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            List<Node> hit = all.stream().filter(n -> glob.matches(Path.of(n.name()))
                    || glob.matches(Path.of(n.input(1)))).toList();
            if (hit.isEmpty()) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "exclude pattern '" + pattern
                        + "' matches no prunable layer of '" + graph.name() + "' (prunable: "
                        + all.stream().map(Node::name).toList() + ")");
            }
            kept.removeAll(hit);
        }
        if (kept.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "no prunable layer left in '" + graph.name()
                    + "' after excluding " + excludePatterns);
        }
        return List.copyOf(kept);
    }
}
