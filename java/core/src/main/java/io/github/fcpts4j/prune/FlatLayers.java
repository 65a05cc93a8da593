package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.Masks;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.util.ArrayList;
import java.util.List;

/**
 * The prunable layers of one FCPTS run as one flat weight vector: layer l holds
 * {@code w[offset_l, offset_l + N_l)} ({@link #layout}, the layout of the KDE pass and of the backend's
 * weight, gradient and velocity vectors), and weighs share_l = c_l N_l / sum_k c_k N_k in the global
 * sparsity S = sum_l share_l s_l (c_l N_l / total for a latency budget: each curve's chord, {@link Budget}).
 * {@link #w} is the host copy of the weights, refreshed from the backend
 * only when an allocation step reads it ({@link WeightStep#readHost}). Used by {@link FcptsLoop} and its
 * steps.
 */
final class FlatLayers {
    /** The prunable nodes; node l's weight is its input 1. */
    final List<Node> prunable;
    final SegmentLayout layout;
    /** share_l = c_l N_l / sum_k c_k N_k (or / total, {@link Budget#allCost}) */
    final double[] share;
    /** Host copy of the flat weights. */
    final float[] w;
    private final List<PrunableLayer> dense = new ArrayList<>();
    private final long[] sizes;
    private final Budget budget;

    FlatLayers(Graph graph, List<Node> prunable, Budget budget) {
        this.prunable = prunable;
        int layers = prunable.size();
        List<String> names = new ArrayList<>();
        sizes = new long[layers];
        for (int l = 0; l < layers; l++) {
            TensorData wl = graph.initializer(prunable.get(l).input(1)).orElseThrow();
            names.add(prunable.get(l).name());
            sizes[l] = wl.size();
            dense.add(new PrunableLayer(prunable.get(l).name(), wl.dims(), wl.floats()));
        }
        budget.validate(dense);
        layout = SegmentLayout.of(names, sizes);
        w = new float[Math.toIntExact(layout.total())];
        this.budget = budget;
        double allCost = budget.allCost(sizes);
        share = new double[layers];
        for (int l = 0; l < layers; l++) {
            System.arraycopy(dense.get(l).weights(), 0, w, (int) layout.offset(l), (int) sizes[l]);
            share[l] = budget.cost(l) * sizes[l] / allCost;
        }
    }

    int layers() {
        return prunable.size();
    }

    int total() {
        return w.length;
    }

    long size(int l) {
        return sizes[l];
    }

    /** The name of layer l's weight in the graph. */
    String weightName(int l) {
        return prunable.get(l).input(1);
    }

    /** The layers with the graph's (dense) weights. */
    List<PrunableLayer> dense() {
        return dense;
    }

    /** The layers with the weights of the host copy. */
    List<PrunableLayer> trained() {
        List<PrunableLayer> out = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            out.add(new PrunableLayer(dense.get(l).name(), dense.get(l).dims(), segment(l)));
        }
        return out;
    }

    /** A copy of layer l's weights from the host copy. */
    float[] segment(int l) {
        float[] out = new float[(int) sizes[l]];
        System.arraycopy(w, (int) layout.offset(l), out, 0, out.length);
        return out;
    }

    /** The global sparsity of a mask as the budget counts it (sum_l share_l s_l, or the curves' saving share). */
    double weightedSparsity(Masks m) {
        double s = 0;
        for (int l = 0; l < m.layers(); l++) {
            s += budget.saving(l, (int) m.prunedCount(l), (int) sizes[l]);
        }
        return s / budget.allCost(sizes);
    }

    /** 1 for a kept weight, 0 for a pruned one, over the flat layout. */
    float[] keepMask(Masks m) {
        float[] out = new float[total()];
        for (int l = 0; l < layers(); l++) {
            int off = (int) layout.offset(l);
            for (int i = 0; i < sizes[l]; i++) {
                out[off + i] = m.isPruned(l, i) ? 0f : 1f;
            }
        }
        return out;
    }
}
