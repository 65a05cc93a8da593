package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.data.CalibrationSampler;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.engine.BatchNormRecalibration;
import io.github.fcpts4j.engine.CosineSchedule;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.HardCountBridge;
import io.github.fcpts4j.sparsity.KdeBridge;
import io.github.fcpts4j.sparsity.Masks;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The FCPTS optimization (FCPTS.md sections 2 to 7) on one backend: per-layer
 * log-thresholds theta_l, the weights and the BatchNorm affine parameters are
 * learned jointly against the dense teacher on calibration batches.
 * <pre>
 *   forward:   student weights = w * 1[|w| > t_l], teacher = dense model; by default both with BatchNorm in
 *              training mode (batch statistics, running averages updated: the pruned model keeps the
 *              student's), as the published code does ({@link FcptsConfig.BatchNormMode})
 *   loss:      L = L_rec + lambda (S - S*)^2,  S = sum_l c_l N_l s_l(t_l) / sum_l c_l N_l
 *              L_rec = T^2 KL(teacher / T || student / T) (or logits MSE) + feature MSE terms
 *   gradients: the student's backward gives g = dL_rec / d(masked weight); one fused KDE pass gives
 *              the masked weight gradient and, per layer, s_l, ds_l/dt and the straight-through term;
 *              dL/dtheta_l = t_l (dL_c/dS c_l N_l / C ds_l/dt - (1/h_l) sum g w phi)
 *   updates:   weights SGD (momentum, decay, warm-up + cosine), thresholds Adam, bandwidth Silverman;
 *              then (projectEachStep) one common shift delta of all theta_l, a Newton step that puts
 *              the predicted hard sparsity back on S*:
 *              delta = (S* - S_hard - sum_l a_l dtheta_l) / sum_l a_l,  a_l = c_l N_l / C ds_l/dt t_l
 *   polish:    the last polishFraction of the steps run at the exact projected mask (weights only)
 *   finish:    exact projection onto the budget (Allocations.project), optional BatchNorm re-estimation
 * </pre>
 * Thresholds start at an allocation (global magnitude by default; ERK, uniform or LAMP) projected onto the
 * budget, so training starts at the target. An iteration keeps everything on the backend: the batch is
 * gathered from the calibration set kept on the backend (uploaded once; with host-side augmentation the batch
 * is uploaded instead, once for teacher and student), the student's weights are masked out of the flat weight
 * vector ({@link NetworkKernels#maskedCopy}), gradients are gathered back the same way, and only the loss value
 * and the per-layer KDE sums (7 doubles a layer) come back to the host. The host copy of the weights is
 * refreshed only when an allocation step reads it (bounds, polish, the end).
 */
public final class FcptsLoop {

    /** What a run produced. */
    public record Outcome(Graph pruned, Masks masks, double[] thresholds, double[] reconstructionCurve,
                          double[] sparsityCurve, double seconds) {
    }

    private FcptsLoop() {
    }

    /** FCPTS on every prunable layer, sparsity counted as the config says. */
    public static Outcome run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend,
                              ProgressListener listener) {
        return run(dense, calibration, c, backend, listener, null, dense.prunableNodes());
    }

    /** The reconstruction alone at a fixed mask (see the full overload). */
    public static Outcome run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend,
                              ProgressListener listener, Masks fixedMask) {
        return run(dense, calibration, c, backend, listener, fixedMask, dense.prunableNodes());
    }

    /**
     * With {@code fixedMask} set, the allocation is that mask (a baseline) and only
     * the net-wise reconstruction runs: the same teacher, loss, schedule and weight
     * updates, thresholds untouched, pruned weights frozen at zero (as in POT), so
     * allocation and reconstruction effects can be told apart. Only the layers in
     * {@code prunable} are pruned (see {@link PrunableSelection}); the others keep
     * their dense weights and count neither in N nor in S.
     *
     * @throws FcptsException with {@link ErrorCode#CANCELLED} when the listener cancels
     */
    public static Outcome run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend,
                              ProgressListener listener, Masks fixedMask, List<Node> prunable) {
        long[] sample = {1, calibration.channels(), calibration.rows(), calibration.cols()};
        return run(dense, calibration, c, backend, listener, fixedMask, prunable,
                TargetBudget.resolve(dense, prunable, c.target(), sample));
    }

    /** As above, with the budget already resolved for {@code prunable} ({@link TargetBudget}). */
    public static Outcome run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend,
                              ProgressListener listener, Masks fixedMask, List<Node> prunable, Budget budget) {
        if (prunable.isEmpty()) {
            throw new IllegalArgumentException("graph '" + dense.name() + "' has no prunable layer");
        }
        return new FcptsLoop.Run(dense, calibration, c, backend, listener, prunable, budget).execute(fixedMask);
    }

    /** Largest calibration set kept on the backend for the whole run (1,024 ImageNet images take 616 MB). */
    static final long DEVICE_CALIBRATION_BYTES = 4L << 30;

    /** The state of one run. */
    private static final class Run {
        private final Graph dense;
        private final FcptsConfig c;
        private final Backend backend;
        private final ProgressListener listener;
        private final List<Node> prunable;
        private final Budget budget;
        private final CalibrationSampler sampler;
        private final List<PrunableLayer> hostLayers = new ArrayList<>();
        private final SegmentLayout layout;
        private final long[] sizes;
        private final double[] share;
        private final float[] w;
        private final long start = System.nanoTime();

        Run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend, ProgressListener listener,
            List<Node> prunable, Budget budget) {
            this.dense = dense;
            this.c = c;
            this.backend = backend;
            this.listener = listener;
            this.prunable = prunable;
            this.budget = budget;
            this.sampler = new CalibrationSampler(calibration, c.schedule().calibrationSamples(), c.schedule().batch(), c.schedule().seed(), true);
            int layers = prunable.size();
            List<String> names = new ArrayList<>();
            sizes = new long[layers];
            for (int l = 0; l < layers; l++) {
                TensorData wl = dense.initializer(prunable.get(l).input(1)).orElseThrow();
                names.add(prunable.get(l).name());
                sizes[l] = wl.size();
                hostLayers.add(new PrunableLayer(prunable.get(l).name(), wl.dims(), wl.floats()));
            }
            budget.validate(hostLayers);
            layout = SegmentLayout.of(names, sizes);
            w = new float[Math.toIntExact(layout.total())];
            double allCost = 0;
            share = new double[layers];
            for (int l = 0; l < layers; l++) {
                System.arraycopy(hostLayers.get(l).weights(), 0, w, (int) layout.offset(l), (int) sizes[l]);
                share[l] = budget.cost(l) * sizes[l];
                allCost += share[l];
            }
            for (int l = 0; l < layers; l++) {
                share[l] /= allCost;
            }
        }

        Outcome execute(Masks fixedMask) {
            int layers = prunable.size(), total = w.length, iterations = c.schedule().iterations();
            Masks initial = fixedMask != null ? fixedMask : Allocations.baseline(c.thresholds().init(), hostLayers, budget);
            double[] t0 = new double[layers];
            for (int l = 0; l < layers; l++) {
                t0[l] = Allocations.thresholdPruning(hostLayers.get(l).weights(), (int) initial.prunedCount(l));
            }
            LogThresholds theta = new LogThresholds(t0);
            boolean bounded = budget.minSparsity() != null;

            String input = dense.inputs().get(0).name(), output = dense.outputs().get(0).name();
            int warmup = Math.min(sampler.batchesPerPass(), Math.max(1, iterations / 10));
            CosineSchedule schedule = new CosineSchedule(c.schedule().weightLr(), warmup, Math.max(iterations, warmup + 1));
            double[] recCurve = new double[iterations], sparsityCurve = new double[iterations];
            NetworkKernels k = backend.network();
            Set<String> features = featureValues();
            boolean trainingBatchNorm = c.objective().batchNorm() == FcptsConfig.BatchNormMode.TRAIN;
            List<String> batchNormParams = c.objective().batchNorm().learnsAffine() ? batchNormTensors(1, 2) : List.of();
            List<String> batchNormChanged = new ArrayList<>(batchNormParams);
            if (trainingBatchNorm) {
                batchNormChanged.addAll(batchNormTensors(3, 4));
            }
            Masks frozen = fixedMask;
            int polishFrom = fixedMask != null ? 0 : iterations - c.schedule().polishIterations();
            Graph tunedBase = dense;
            try (TensorScope scope = new TensorScope();
                 NetworkExecutor teacher = scope.track(NetworkExecutor.compile(dense, backend,
                         Map.of(input, sampler.batchShape()), false, features));
                 NetworkExecutor student = scope.track(NetworkExecutor.compile(dense, backend,
                         Map.of(input, sampler.batchShape()), true, features))) {
                teacher.setTraining(trainingBatchNorm);
                student.setTraining(trainingBatchNorm);
                Tensor weights = scope.upload(backend, w, total);
                Tensor grads = scope.allocate(backend, total), masked = scope.allocate(backend, total);
                Tensor velocity = scope.allocate(backend, total);
                Tensor batch = scope.allocate(backend, sampler.batchShape());
                Tensor calibration = deviceCalibration(scope);
                Tensor featureScale = scope.upload(backend, new float[] {(float) c.objective().featureWeight()}, 1);
                Tensor keep = null;
                List<Tensor> bnVelocity = new ArrayList<>();
                for (String p : batchNormParams) {
                    bnVelocity.add(scope.allocate(backend, student.shape(p)));
                }
                int classes = (int) teacher.shape(output)[1];
                Tensor lossGrad = scope.allocate(backend, c.schedule().batch(), classes);
                Map<String, Tensor> featureGrads = new java.util.LinkedHashMap<>();
                for (String f : features) {
                    featureGrads.put(f, scope.allocate(backend, student.shape(f)));
                }
                KdeKernel kde = scope.track(backend.kdeKernel(layout));
                float[] t = new float[layers], h = new float[layers];
                for (int l = 0; l < layers; l++) {
                    t[l] = (float) theta.threshold(l);
                    h[l] = 1f;
                }
                KdeSums sums = kde.forward(weights, t, h);
                for (int l = 0; l < layers; l++) {
                    h[l] = (float) KdeBridge.silvermanBandwidth(sums, l);
                }
                float[] images = new float[c.schedule().batch() * sampler.sampleSize()], g = new float[total];
                boolean gaussian = c.thresholds().density() == FcptsConfig.DensityEstimate.KDE;
                Map<String, Tensor> seeds = new java.util.LinkedHashMap<>();
                seeds.put(output, lossGrad);
                seeds.putAll(featureGrads);
                for (int it = 0; it < iterations; it++) {
                    if (frozen == null && it == polishFrom) {
                        weights.read(0, w, 0, total);
                        frozen = Allocations.project(trainedLayers(), theta.thresholds(), budget);
                    }
                    if (frozen != null && keep == null) {
                        keep = scope.upload(backend, keepMask(frozen), total);
                    }
                    if (bounded && frozen == null && it % sampler.batchesPerPass() == 0) {
                        weights.read(0, w, 0, total);
                        boundThresholds(theta, t);
                    }
                    if (calibration != null) {
                        gatherBatch(k, calibration, batch, sampler.nextIndices());
                    } else {
                        sampler.next(images);
                        batch.copyFrom(images);
                    }
                    teacher.runFromTensors(Map.of(input, batch));
                    loadStudentWeights(k, student, weights, keep, t);
                    student.runFromTensors(Map.of(input, batch));
                    double rec = reconstruction(k, student, teacher, output, classes, lossGrad, featureGrads,
                            featureScale);
                    student.backwardFromTensors(seeds);
                    float lr = schedule.at(it);
                    for (int p = 0; p < batchNormParams.size(); p++) {
                        k.sgdStep(student.value(batchNormParams.get(p)), student.gradientTensor(batchNormParams.get(p)),
                                bnVelocity.get(p), null, lr, c.schedule().momentum(), 0f);
                    }
                    double constraint = 0, smooth, hard;
                    if (frozen != null) {
                        gatherGradients(k, student, keep, masked);
                        k.sgdStep(weights, masked, velocity, null, lr, c.schedule().momentum(), 0f);
                        smooth = hard = weightedSparsity(frozen);
                    } else {
                        gatherGradients(k, student, null, grads);
                        if (!gaussian) {
                            weights.read(0, w, 0, total);
                            grads.read(0, g, 0, total);
                        }
                        sums = kde.fused(weights, grads, masked, t, h);
                        smooth = 0;
                        hard = 0;
                        for (int l = 0; l < layers; l++) {
                            smooth += KdeBridge.smoothSparsity(sums, l) * share[l];
                            hard += KdeBridge.hardSparsity(sums, l) * share[l];
                        }
                        double gap = smooth - c.target().sparsity();
                        constraint = c.objective().absoluteConstraint() ? c.objective().lambda() * Math.abs(gap) : c.objective().lambda() * gap * gap;
                        double dConstraint = c.objective().absoluteConstraint() ? c.objective().lambda() * Math.signum(gap)
                                : 2 * c.objective().lambda() * gap;
                        double[] dTheta = new double[layers], slope = new double[layers];
                        for (int l = 0; l < layers; l++) {
                            int off = (int) layout.offset(l), n = (int) sizes[l];
                            double density = gaussian ? KdeBridge.density(sums, l, h[l])
                                    : HardCountBridge.density(w, off, n, t[l], h[l]);
                            double dt = dConstraint * share[l] * density;
                            if (c.thresholds().straightThrough()) {
                                dt += gaussian ? KdeBridge.straightThroughThresholdGradient(sums, l, h[l])
                                        : HardCountBridge.straightThroughThresholdGradient(w, g, off, n, t[l], h[l]);
                            }
                            dTheta[l] = dt * t[l];
                            slope[l] = share[l] * density * t[l];
                        }
                        double[] moved = theta.adamStep(dTheta, c.thresholds().lr(),
                                c.thresholds().scale() == FcptsConfig.ThresholdScale.SHARED);
                        if (c.thresholds().projectEachStep()) {
                            theta.shift(restoringShift(hard, moved, slope));
                        }
                        for (int l = 0; l < layers; l++) {
                            t[l] = (float) theta.threshold(l);
                            h[l] = (float) KdeBridge.silvermanBandwidth(sums, l);
                        }
                        k.sgdStep(weights, masked, velocity, null, lr, c.schedule().momentum(), c.schedule().weightDecay());
                    }
                    recCurve[it] = rec;
                    sparsityCurve[it] = hard;
                    IterationStats stats = new IterationStats(it + 1, iterations, rec, constraint, smooth, hard,
                            frozen != null && fixedMask == null, seconds());
                    if (!listener.onIteration(stats)) {
                        throw new FcptsException(ErrorCode.CANCELLED, "pruning of '" + dense.name()
                                + "' cancelled by the progress listener at iteration " + (it + 1) + " of "
                                + iterations);
                    }
                }
                weights.read(0, w, 0, total);
                if (!batchNormChanged.isEmpty()) {
                    Graph current = student.currentGraph();
                    for (String p : batchNormChanged) {
                        tunedBase = tunedBase.withInitializer(p, current.initializer(p).orElseThrow());
                    }
                }
            }
            double[] thresholds = theta.thresholds();
            Masks masks = frozen != null ? frozen : Allocations.project(trainedLayers(), thresholds, budget);
            Graph pruned = masks.applyTo(tunedBase, prunable, trainedLayers());
            if (c.objective().reestimateBatchNorm()) {
                pruned = BatchNormRecalibration.run(pruned, backend, sampler.batchShape(),
                        sampler.batchesPerPass(), new float[c.schedule().batch() * sampler.sampleSize()],
                        (images, b) -> sampler.next(images));
            }
            return new Outcome(pruned, masks, thresholds, recCurve, sparsityCurve, seconds());
        }

        private double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }

        /**
         * The common shift of all theta_l that puts the first-order prediction of the hard
         * global sparsity after this step's threshold moves back on S* (0 when no layer has
         * density at its threshold); limited to +-0.5 (a factor 1.65 on every threshold).
         */
        private double restoringShift(double hard, double[] moved, double[] slope) {
            double predicted = hard, sumSlope = 0;
            for (int l = 0; l < moved.length; l++) {
                predicted += slope[l] * moved[l];
                sumSlope += slope[l];
            }
            if (!(sumSlope > 0)) {
                return 0;
            }
            return Math.max(-0.5, Math.min(0.5, (c.target().sparsity() - predicted) / sumSlope));
        }

        /** Per-layer sparsity bounds as threshold bounds at the current weights. */
        private void boundThresholds(LogThresholds theta, float[] t) {
            for (int l = 0; l < prunable.size(); l++) {
                float[] wl = new float[(int) sizes[l]];
                System.arraycopy(w, (int) layout.offset(l), wl, 0, wl.length);
                theta.bound(l, Allocations.thresholdPruning(wl, budget.minPruned(l, wl.length)),
                        Allocations.thresholdPruning(wl, budget.maxPruned(l, wl.length)));
                t[l] = (float) theta.threshold(l);
            }
        }

        private double weightedSparsity(Masks m) {
            double s = 0;
            for (int l = 0; l < m.layers(); l++) {
                s += share[l] * m.sparsity(l);
            }
            return s;
        }

        private double reconstruction(NetworkKernels k, NetworkExecutor student, NetworkExecutor teacher,
                                      String output, int classes, Tensor lossGrad, Map<String, Tensor> featureGrads,
                                      Tensor featureScale) {
            double rec = c.objective().loss() == FcptsConfig.ReconstructionLoss.KL
                    ? k.klDistill(student.value(output), teacher.value(output), c.schedule().batch(), classes, c.objective().temperature(),
                    lossGrad)
                    : k.mse(student.value(output), teacher.value(output), c.schedule().batch(), classes, lossGrad);
            for (Map.Entry<String, Tensor> f : featureGrads.entrySet()) {
                long perSample = f.getValue().size() / c.schedule().batch();
                rec += c.objective().featureWeight() * k.mse(student.value(f.getKey()), teacher.value(f.getKey()), c.schedule().batch(),
                        perSample, f.getValue());
                long[] flat = {f.getValue().size()};
                k.binary(NetworkKernels.Binary.MUL, f.getValue(), flat, featureScale, new long[] {1}, f.getValue(),
                        flat);
            }
            return rec;
        }

        /**
         * The whole calibration set on the backend, uploaded once, when batches need no host-side augmentation
         * and it takes at most {@link #DEVICE_CALIBRATION_BYTES}: each iteration then gathers its batch on the
         * backend from the sampler's indices instead of uploading it. Null otherwise.
         */
        private Tensor deviceCalibration(TensorScope scope) {
            int pixels = sampler.sampleSize();
            if (sampler.augments() || (long) sampler.samples() * pixels * Float.BYTES > DEVICE_CALIBRATION_BYTES) {
                return null;
            }
            long[] shape = sampler.batchShape();
            shape[0] = sampler.samples();
            Tensor all = scope.allocate(backend, shape);
            float[] sample = new float[pixels];
            for (int i = 0; i < sampler.samples(); i++) {
                sampler.readSample(i, sample, 0);
                all.write((long) i * pixels, sample, 0, pixels);
            }
            return all;
        }

        /** batch[b] = calibration[indices[b]], sample by sample on the backend. */
        private void gatherBatch(NetworkKernels k, Tensor calibration, Tensor batch, int[] indices) {
            long pixels = sampler.sampleSize();
            for (int b = 0; b < indices.length; b++) {
                k.maskedCopy(calibration, indices[b] * pixels, batch, b * pixels, pixels, -1f, null, 0);
            }
        }

        /** Student weights w 1[|w| > t_l] (or w times the frozen mask) out of the flat weight vector. */
        private void loadStudentWeights(NetworkKernels k, NetworkExecutor student, Tensor weights, Tensor keep,
                                        float[] t) {
            for (int l = 0; l < prunable.size(); l++) {
                long off = layout.offset(l);
                k.maskedCopy(weights, off, student.value(prunable.get(l).input(1)), 0, sizes[l],
                        keep != null ? -1f : t[l], keep, off);
            }
        }

        /** Each prunable layer's weight gradient into its segment of {@code into} (times the frozen mask). */
        private void gatherGradients(NetworkKernels k, NetworkExecutor student, Tensor keep, Tensor into) {
            for (int l = 0; l < prunable.size(); l++) {
                long off = layout.offset(l);
                k.maskedCopy(student.gradientTensor(prunable.get(l).input(1)), 0, into, off, sizes[l], -1f, keep,
                        off);
            }
        }

        /** 1 for a kept weight, 0 for a pruned one, over the flat layout. */
        private float[] keepMask(Masks m) {
            float[] out = new float[Math.toIntExact(layout.total())];
            for (int l = 0; l < prunable.size(); l++) {
                int off = (int) layout.offset(l);
                for (int i = 0; i < sizes[l]; i++) {
                    out[off + i] = m.isPruned(l, i) ? 0f : 1f;
                }
            }
            return out;
        }

        private List<PrunableLayer> trainedLayers() {
            List<PrunableLayer> out = new ArrayList<>();
            for (int l = 0; l < prunable.size(); l++) {
                float[] lw = new float[(int) sizes[l]];
                System.arraycopy(w, (int) layout.offset(l), lw, 0, lw.length);
                out.add(new PrunableLayer(hostLayers.get(l).name(), hostLayers.get(l).dims(), lw));
            }
            return out;
        }

        /** Feature-MSE values: node names resolve to their output, value names stand for themselves. */
        private Set<String> featureValues() {
            Set<String> out = new LinkedHashSet<>();
            for (String f : c.objective().featureLayers()) {
                String value = dense.nodes().stream().filter(n -> n.name().equals(f)).map(Node::output).findFirst()
                        .orElseGet(() -> dense.nodes().stream().anyMatch(n -> n.output().equals(f)) ? f : null);
                if (value == null) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "feature layer '" + f + "' is neither a "
                            + "node nor a node output of '" + dense.name() + "'");
                }
                if (dense.outputs().stream().noneMatch(o -> o.name().equals(value))) {
                    out.add(value);
                }
            }
            return out;
        }

        /**
         * Inputs {@code first..last} of every BatchNorm: 1-2 are scale and bias, 3-4 the running mean and
         * variance (FCPTS.md section 2).
         */
        private List<String> batchNormTensors(int first, int last) {
            List<String> out = new ArrayList<>();
            for (Node n : dense.nodes()) {
                if (n.op() == OpType.BATCH_NORMALIZATION) {
                    for (int i = first; i <= last; i++) {
                        out.add(n.input(i));
                    }
                }
            }
            return out;
        }
    }
}
