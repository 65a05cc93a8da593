package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * L_rec of one FCPTS run on the backend and its gradient seeds (FCPTS.md section 4):
 * <pre>
 *   L_rec = sum over terms (ReconstructionPlan) + featureWeight sum over feature values f of MSE_f
 *   KL term on value v [..., C]:  klDistill(student v, teacher v, rows = |v| / C, C, T)
 *   MSE term on output o:         scale_o mse(student o, teacher o, N, |o| / N); the seed 2 (s - t) / N is
 *                                 multiplied by scale_o on the backend (a binary MUL by a one-element tensor)
 *   with a decision threshold on o (ObjectiveSettings.decisions): {@link DecisionWeighting}'s term instead, the
 *                                 elements positive in teacher or student weighing as much as the others,
 *                                 relative to the batch's weighted teacher mean square (scale_o unused)
 *   scale_o (normalized terms):   1 / ((1 / M) sum_j ||teacher_j||^2) over the M = batches x N samples of
 *                                 {@link #normalize}'s pass, summed in double on the host: deterministic;
 *                                 1 when that mean square is 0 or not finite (nothing to normalize by)
 * </pre>
 * The seeds are written into tensors kept for the whole run ({@link #seeds}, by value name, for the student's
 * backward); only the loss (and a decision-weighted term's two scalars) comes back to the host.
 * {@link FcptsLoop} calls {@link #compute} once per step.
 */
final class Reconstruction {
    private final Backend backend;
    private final TensorScope scope;
    private final float temperature;
    private final float featureWeight;
    private final int batch;
    private List<ReconstructionTerm> terms;
    private final Map<String, Tensor> seeds = new LinkedHashMap<>();
    private final Map<String, Tensor> featureGrads = new LinkedHashMap<>();
    private final Map<String, Tensor> termScales = new LinkedHashMap<>();
    private final Tensor featureScale;
    private final Map<String, DecisionWeighting> decisions = new LinkedHashMap<>();

    /** Allocates the seeds in {@code scope}; {@code features} are the feature-MSE values (none a term value). */
    Reconstruction(TensorScope scope, Backend backend, List<ReconstructionTerm> terms, Set<String> features,
                   ObjectiveSettings objective, int batch, NetworkExecutor student, Map<String, Float> thresholds) {
        this.backend = backend;
        this.scope = scope;
        this.terms = terms;
        this.temperature = objective.temperature();
        this.featureWeight = objective.featureWeight();
        this.batch = batch;
        featureScale = scope.upload(backend, new float[] {featureWeight}, 1);
        for (ReconstructionTerm t : terms) {
            if (t.sameAs() == null) {
                seeds.put(t.value(), scope.allocate(backend, student.shape(t.value())));
                Float threshold = thresholds.get(t.output());
                if (threshold != null && t.loss() == ReconstructionTerm.Loss.MSE) {
                    decisions.put(t.value(), new DecisionWeighting(scope, backend, student.shape(t.value()),
                            threshold));
                }
            }
        }
        for (String f : features) {
            featureGrads.put(f, scope.allocate(backend, student.shape(f)));
        }
        seeds.putAll(featureGrads);
    }

    /** The values both executors must observe: term values that are not graph outputs, and the features. */
    static Set<String> observed(Graph graph, List<ReconstructionTerm> terms, Set<String> features) {
        Set<String> out = new LinkedHashSet<>();
        for (ReconstructionTerm t : terms) {
            if (graph.outputs().stream().noneMatch(o -> o.name().equals(t.value()))) {
                out.add(t.value());
            }
        }
        out.addAll(features);
        return out;
    }

    /** Whether some term waits for {@link #normalize}. */
    boolean needsNormalization() {
        return terms.stream().anyMatch(t -> t.normalized() && t.sameAs() == null);
    }

    /**
     * Measures the normalized terms' scales: {@code runTeacher.accept(b)} runs the teacher on calibration
     * batch b for b below {@code batches}.
     */
    void normalize(NetworkExecutor teacher, int batches, IntConsumer runTeacher) {
        List<ReconstructionTerm> todo = terms.stream().filter(t -> t.normalized() && t.sameAs() == null).toList();
        double[] sums = new double[todo.size()];
        for (int b = 0; b < batches; b++) {
            runTeacher.accept(b);
            for (int i = 0; i < todo.size(); i++) {
                for (float v : teacher.value(todo.get(i).value()).toArray()) {
                    sums[i] += (double) v * v;
                }
            }
        }
        Map<String, Double> scale = new LinkedHashMap<>();
        for (int i = 0; i < todo.size(); i++) {
            double meanSquare = sums[i] / ((double) batches * batch);
            double s = meanSquare > 0 && Double.isFinite(meanSquare) ? 1 / meanSquare : 1;
            scale.put(todo.get(i).value(), s);
            termScales.put(todo.get(i).value(), scope.upload(backend, new float[] {(float) s}, 1));
        }
        List<ReconstructionTerm> measured = new ArrayList<>();
        for (ReconstructionTerm t : terms) {
            measured.add(t.normalized() ? t.withScale(scale.get(t.value())) : t);
        }
        terms = List.copyOf(measured);
    }

    /** The terms, with their scales once {@link #normalize} ran. */
    List<ReconstructionTerm> terms() {
        return terms;
    }

    /** The gradient seeds by value name (terms, then features), filled by {@link #compute}. */
    Map<String, Tensor> seeds() {
        return seeds;
    }

    /** L_rec of the last forward of both executors; writes every seed. */
    double compute(NetworkKernels k, NetworkExecutor student, NetworkExecutor teacher) {
        double rec = 0;
        for (ReconstructionTerm t : terms) {
            if (t.sameAs() != null) {
                continue;
            }
            Tensor grad = seeds.get(t.value()), s = student.value(t.value()), r = teacher.value(t.value());
            if (t.loss() == ReconstructionTerm.Loss.KL) {
                long[] shape = student.shape(t.value());
                long classes = shape[shape.length - 1];
                rec += k.klDistill(s, r, grad.size() / classes, classes, temperature, grad);
            } else {
                DecisionWeighting d = decisions.get(t.value());
                if (d != null) {
                    rec += d.mse(k, s, r, batch, grad.size() / batch, grad);
                    continue;
                }
                double mse = k.mse(s, r, batch, grad.size() / batch, grad);
                Tensor scale = termScales.get(t.value());
                if (t.normalized()) {
                    if (scale == null) {
                        throw new IllegalStateException("term '" + t.output() + "' is not normalized yet");
                    }
                    mse *= t.scale();
                    scaleInPlace(k, grad, scale);
                }
                rec += mse;
            }
        }
        for (Map.Entry<String, Tensor> f : featureGrads.entrySet()) {
            long perSample = f.getValue().size() / batch;
            rec += featureWeight * k.mse(student.value(f.getKey()), teacher.value(f.getKey()), batch,
                    perSample, f.getValue());
            scaleInPlace(k, f.getValue(), featureScale);
        }
        return rec;
    }

    private static void scaleInPlace(NetworkKernels k, Tensor x, Tensor scalar) {
        long[] flat = {x.size()};
        k.binary(NetworkKernels.Binary.MUL, x, flat, scalar, new long[] {1}, x, flat);
    }
}
