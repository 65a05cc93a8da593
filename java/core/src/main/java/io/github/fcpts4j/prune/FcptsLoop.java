package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.data.CalibrationSampler;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.engine.BatchNormRecalibration;
import io.github.fcpts4j.engine.CosineSchedule;
import io.github.fcpts4j.engine.ExecutorOptions;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ops.OpDefinition;
import io.github.fcpts4j.ir.ops.Ops;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.KdeBridge;
import io.github.fcpts4j.sparsity.Masks;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The FCPTS optimization (FCPTS.md sections 2 to 7) on one backend: per-layer
 * log-thresholds theta_l, the weights and the BatchNorm affine parameters are
 * learned jointly against the dense teacher on calibration batches.
 * <pre>
 *   forward:   student weights = w * 1[|w| > t_l], teacher = dense model; by default both with BatchNorm in
 *              training mode (batch statistics, running averages updated: the pruned model keeps the
 *              student's), as the published code does, unless the dense model with statistics re-estimated on
 *              the calibration data measurably is not the dense model ({@link BatchNormChoice},
 *              {@link FcptsConfig.BatchNormMode})
 *   loss:      L = L_rec + lambda (S - S*)^2,  S = sum_l c_l N_l s_l(t_l) / sum_l c_l N_l
 *              L_rec = sum over the reconstructed outputs of T^2 KL(teacher / T || student / T) on logits
 *              (or logits MSE) or the MSE relative to the teacher's mean square ({@link ReconstructionPlan},
 *              {@link Reconstruction}) + feature MSE terms
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
 * Thresholds start at an allocation (ERK by default; uniform, global or LAMP) projected onto the budget, so
 * training starts at the target. One step: {@link PhaseControl} says whether it learns the thresholds or runs
 * at a fixed mask (polish, baseline), teacher and student run forward and the student backward, then
 * {@link WeightStep} moves the weights and BatchNorm parameters and, outside a fixed mask,
 * {@link ThresholdStep} the thresholds. An iteration keeps everything on the backend: the batch is
 * gathered from the calibration set kept on the backend (uploaded once; with host-side augmentation the batch
 * is uploaded instead, once for teacher and student), the student's weights are masked out of the flat weight
 * vector ({@link NetworkKernels#maskedCopy}, layout in {@link FlatLayers}), gradients are gathered back the
 * same way, and only the loss value and the per-layer KDE sums (7 doubles a layer) come back to the host. The
 * host copy of the weights is refreshed only when an allocation step reads it (bounds, polish, the end).
 */
public final class FcptsLoop {
    /**
     * A step whose reconstruction loss exceeds this multiple of step 1's (or is not finite) has diverged:
     * reconstruction starts from the dense network's outputs, so a healthy run's loss stays near or below
     * where it started; a model without BatchNorm whose outputs are large (box regressors in pixels) can
     * blow up at the published weight lr instead. A run with a sparsity ramp starts near the dense model
     * with a loss near 0, so its reference is the larger of step 1's loss and the loss of the allocation at
     * S*, measured once before step 1.
     */
    static final double DIVERGENCE = 1e3;

    /** A run that diverges starts over with the weight lr divided by 10, at most this many times. */
    static final int RETRIES = 3;

    /**
     * What a run produced; {@code reconstruction} lists the loss term of every reconstructed output, scales
     * measured (empty when nothing was reconstructed); {@code batchNorm} the BatchNorm mode the run used and
     * why (null when nothing was reconstructed); {@code weightLr} the weights' peak learning rate the run used
     * (after any restart; NaN when nothing was reconstructed).
     */
    public record Outcome(Graph pruned, Masks masks, double[] thresholds, double[] reconstructionCurve,
                          double[] sparsityCurve, double seconds, List<ReconstructionTerm> reconstruction,
                          BatchNormChoice batchNorm, float weightLr) {
        public Outcome {
            reconstruction = List.copyOf(reconstruction);
        }

        /** An outcome without reconstruction terms (a baseline that was not reconstructed). */
        public Outcome(Graph pruned, Masks masks, double[] thresholds, double[] reconstructionCurve,
                       double[] sparsityCurve, double seconds) {
            this(pruned, masks, thresholds, reconstructionCurve, sparsityCurve, seconds, List.of(), null,
                    Float.NaN);
        }

        /** The same outcome with {@code graph} as the pruned graph (the same weights in another structure). */
        public Outcome onGraph(Graph graph) {
            return new Outcome(graph, masks, thresholds, reconstructionCurve, sparsityCurve, seconds, reconstruction,
                    batchNorm, weightLr);
        }
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
        long[] shape = calibration.sampleShape();
        long[] sample = {1, shape[0], shape[1], shape[2]};
        return run(dense, calibration, c, backend, listener, fixedMask, prunable,
                TargetBudget.resolve(dense, prunable, c.target(), sample));
    }

    /** As above, with the budget already resolved for {@code prunable} ({@link TargetBudget}). */
    public static Outcome run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend,
                              ProgressListener listener, Masks fixedMask, List<Node> prunable, Budget budget) {
        if (prunable.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "graph '" + dense.name() + "' has no prunable layer");
        }
        FcptsConfig attempt = c;
        for (int restart = 0; ; restart++) {
            Run run = new Run(dense, calibration, attempt, backend, listener, prunable, budget);
            try {
                return run.execute(fixedMask);
            } catch (FcptsException e) {
                if (e.code() != ErrorCode.DIVERGED || restart == RETRIES) {
                    throw e;
                }
                // a tenth of the decimal the user reads (0.001 -> 1.0E-4, not the float 1.00000005E-4)
                float lr = (float) (Double.parseDouble(Float.toString(run.weightLr)) / 10);
                listener.onRestart(e.getMessage().replaceFirst("^DIVERGED: ", "") + "; starting over with weight lr "
                        + lr);
                attempt = attempt.toBuilder().weightLr(lr).build();
            }
        }
    }

    /** Largest calibration set kept on the backend for the whole run (1,024 ImageNet images take 616 MB). */
    static final long DEVICE_CALIBRATION_BYTES = 4L << 30;

    /** The state of one run. */
    private static final class Run {
        private final Graph dense;
        private final FcptsConfig c;
        private final Backend backend;
        private final ProgressListener listener;
        private final Budget budget;
        private final CalibrationSampler sampler;
        private final FlatLayers flat;
        private final long start = System.nanoTime();
        /** The weights' peak learning rate, once the BatchNorm mode is known ({@link ScheduleSettings#weightLrFor}). */
        private float weightLr = Float.NaN;

        Run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend, ProgressListener listener,
            List<Node> prunable, Budget budget) {
            this.dense = dense;
            this.c = c;
            this.backend = backend;
            this.listener = listener;
            this.budget = budget;
            ScheduleSettings s = c.schedule();
            this.sampler = new CalibrationSampler(calibration, s.calibrationSamples(), s.batch(), s.seed(), true);
            this.flat = new FlatLayers(dense, prunable, budget);
        }

        Outcome execute(Masks fixedMask) {
            int layers = flat.layers(), batchSize = c.schedule().batch(), iterations = c.schedule().iterations();
            List<PrunableLayer> hostLayers = flat.dense();
            ThresholdStep thresholdStep = new ThresholdStep(c, flat.share);
            SparsityRamp ramp = new SparsityRamp(c, iterations - c.schedule().polishIterations());
            // with a ramp the thresholds start at the allocation of the ramp's first target, else at S*
            Masks initial = fixedMask != null ? fixedMask
                    : Allocations.baseline(c.thresholds().init(), hostLayers, ramp.budgetAt(budget, 0));
            double[] t0 = new double[layers];
            // a ramped run starts near the dense model, so its divergence reference is the loss at S* instead
            float[] atTarget = fixedMask == null && ramp.ramps() ? new float[layers] : null;
            Masks targetInit = atTarget != null ? Allocations.baseline(c.thresholds().init(), hostLayers, budget)
                    : null;
            for (int l = 0; l < layers; l++) {
                t0[l] = Allocations.thresholdPruning(hostLayers.get(l).weights(), (int) initial.prunedCount(l));
                if (atTarget != null) {
                    atTarget[l] = (float) Allocations.thresholdPruning(hostLayers.get(l).weights(),
                            (int) targetInit.prunedCount(l));
                }
            }
            LogThresholds theta = new LogThresholds(t0);

            String input = dense.inputs().get(0).name();
            ReconstructionPlan.requireOutputs(dense, c.objective().decisions().keySet(), "decision threshold output");
            List<ReconstructionTerm> planned = ReconstructionPlan.of(dense,
                    ShapeInference.infer(dense, Map.of(input, sampler.batchShape())), c.objective().outputs(),
                    c.objective().loss());
            double[] recCurve = new double[iterations], sparsityCurve = new double[iterations];
            NetworkKernels k = backend.network();
            Set<String> features = featureValues();
            planned.forEach(term -> features.remove(term.value()));
            Set<String> observed = Reconstruction.observed(dense, planned, features);
            int measured = Math.max(1, Math.min(BatchNormChoice.MEASURED_SAMPLES, sampler.samples()) / batchSize);
            BatchNormChoice batchNormChoice = BatchNormChoice.resolve(c.objective().batchNorm(), dense, backend,
                    input, sampler.batchShape(), measured, (images, b) -> {
                        for (int i = 0; i < batchSize; i++) {
                            sampler.readSample((b * batchSize + i) % sampler.samples(), images,
                                    i * sampler.sampleSize());
                        }
                    }, planned);
            FcptsConfig.BatchNormMode batchNorm = batchNormChoice.used();
            boolean trainingBatchNorm = batchNorm == FcptsConfig.BatchNormMode.TRAIN;
            List<String> batchNormParams = batchNorm.learnsAffine()
                    ? normalizationInputs(OpDefinition::affineInputs) : List.of();
            List<String> batchNormChanged = new ArrayList<>(batchNormParams);
            List<String> runningStatistics = normalizationInputs(OpDefinition::runningStatisticInputs);
            if (trainingBatchNorm) {
                batchNormChanged.addAll(runningStatistics);
            }
            weightLr = c.schedule().weightLrFor(trainingBatchNorm && !runningStatistics.isEmpty());
            int warmup = Math.min(sampler.batchesPerPass(), Math.max(1, iterations / 10));
            CosineSchedule schedule = new CosineSchedule(weightLr, warmup, Math.max(iterations, warmup + 1));
            Graph tunedBase = dense;
            PhaseControl phase;
            List<ReconstructionTerm> terms;
            try (TensorScope scope = new TensorScope();
                 NetworkExecutor teacher = scope.track(NetworkExecutor.compile(dense, backend,
                         Map.of(input, sampler.batchShape()), ExecutorOptions.inference().observing(observed)));
                 NetworkExecutor student = scope.track(NetworkExecutor.compile(dense, backend,
                         Map.of(input, sampler.batchShape()), ExecutorOptions.training().observing(observed)))) {
                teacher.setTraining(trainingBatchNorm);
                student.setTraining(trainingBatchNorm);
                WeightStep weights = new WeightStep(scope, backend, flat, c, student, batchNormParams);
                phase = new PhaseControl(flat, budget, weights, scope, backend, fixedMask, c.schedule(),
                        sampler.batchesPerPass());
                Tensor batch = scope.allocate(backend, sampler.batchShape());
                Tensor calibration = deviceCalibration(scope);
                Reconstruction reconstruction = new Reconstruction(scope, backend, planned, features, c.objective(),
                        batchSize, student, c.objective().decisions());
                float[] images = new float[batchSize * sampler.sampleSize()];
                if (reconstruction.needsNormalization()) {
                    reconstruction.normalize(teacher, sampler.batchesPerPass(), b -> {
                        for (int i = 0; i < batchSize; i++) {
                            sampler.readSample((b * batchSize + i) % sampler.samples(), images,
                                    i * sampler.sampleSize());
                        }
                        batch.copyFrom(images);
                        teacher.runFromTensors(Map.of(input, batch));
                    });
                }
                terms = reconstruction.terms();
                float[] t = new float[layers], h = new float[layers];
                for (int l = 0; l < layers; l++) {
                    t[l] = (float) theta.threshold(l);
                    h[l] = 1f;
                }
                KdeSums sums = weights.kdeForward(t, h);
                for (int l = 0; l < layers; l++) {
                    h[l] = (float) KdeBridge.silvermanBandwidth(sums, l);
                }
                double reference = 0;
                if (atTarget != null) {
                    // the first samples in order, BatchNorm in inference mode: no running average moves
                    for (int i = 0; i < batchSize; i++) {
                        sampler.readSample(i % sampler.samples(), images, i * sampler.sampleSize());
                    }
                    batch.copyFrom(images);
                    teacher.setTraining(false);
                    student.setTraining(false);
                    teacher.runFromTensors(Map.of(input, batch));
                    weights.loadStudent(student, null, atTarget);
                    student.runFromTensors(Map.of(input, batch));
                    reference = reconstruction.compute(k, student, teacher);
                    teacher.setTraining(trainingBatchNorm);
                    student.setTraining(trainingBatchNorm);
                }
                for (int it = 0; it < iterations; it++) {
                    phase.beforeStep(it, theta, t);
                    if (calibration != null) {
                        gatherBatch(k, calibration, batch, sampler.nextIndices());
                    } else {
                        sampler.next(images);
                        batch.copyFrom(images);
                    }
                    teacher.runFromTensors(Map.of(input, batch));
                    weights.loadStudent(student, phase.keep(), t);
                    student.runFromTensors(Map.of(input, batch));
                    double rec = reconstruction.compute(k, student, teacher);
                    double base = it == 0 ? rec : Math.max(recCurve[0], reference);
                    if (it > 0 && !(rec <= DIVERGENCE * Math.max(base, 1e-12))) {
                        throw new FcptsException(ErrorCode.DIVERGED, "pruning of '" + dense.name() + "' diverged at "
                                + "step " + (it + 1) + ": reconstruction loss " + rec + " from " + base
                                + (reference > recCurve[0] ? " at the target sparsity" : " at step 1")
                                + " with weight lr " + weightLr);
                    }
                    student.backwardFromTensors(reconstruction.seeds());
                    float lr = schedule.at(it);
                    weights.updateBatchNorm(student, lr);
                    double constraint = 0, smooth, hard;
                    if (phase.fixed()) {
                        weights.updateAtFixedMask(student, phase.keep(), lr);
                        smooth = hard = flat.weightedSparsity(phase.frozen());
                    } else if (ramp.active(it)) {
                        sums = weights.fusedPass(student, t, h);
                        double[] s = SparsityRamp.sparsity(sums, flat.share);
                        smooth = s[0];
                        hard = s[1];
                        weights.update(lr);
                        weights.readHost();
                        theta = new LogThresholds(ramp.thresholdsAt(flat.trained(), budget, it + 1));
                        for (int l = 0; l < layers; l++) {
                            t[l] = (float) theta.threshold(l);
                            h[l] = (float) KdeBridge.silvermanBandwidth(sums, l);
                        }
                    } else {
                        sums = weights.fusedPass(student, t, h);
                        ThresholdStep.Result r = thresholdStep.apply(theta, sums, flat.w, weights.hostGradients(),
                                t, h);
                        constraint = r.constraint();
                        smooth = r.smooth();
                        hard = r.hard();
                        weights.update(lr);
                    }
                    recCurve[it] = rec;
                    sparsityCurve[it] = hard;
                    IterationStats stats = new IterationStats(it + 1, iterations, rec, constraint, smooth, hard,
                            phase.polishing(), seconds());
                    if (!listener.onIteration(stats)) {
                        throw new FcptsException(ErrorCode.CANCELLED, "pruning of '" + dense.name()
                                + "' cancelled by the progress listener at iteration " + (it + 1) + " of "
                                + iterations);
                    }
                }
                weights.readHost();
                if (!batchNormChanged.isEmpty()) {
                    Graph current = student.currentGraph();
                    for (String p : batchNormChanged) {
                        tunedBase = tunedBase.withInitializer(p, current.initializer(p).orElseThrow());
                    }
                }
            }
            double[] thresholds = theta.thresholds();
            Masks masks = phase.finalMasks(thresholds);
            Graph pruned = masks.applyTo(tunedBase, flat.prunable, flat.trained());
            if (c.objective().reestimateBatchNorm()) {
                pruned = BatchNormRecalibration.run(pruned, backend, sampler.batchShape(),
                        sampler.batchesPerPass(), new float[batchSize * sampler.sampleSize()],
                        (images, b) -> sampler.next(images));
            }
            return new Outcome(pruned, masks, thresholds, recCurve, sparsityCurve, seconds(), terms, batchNormChoice,
                    weightLr);
        }

        private double seconds() {
            return (System.nanoTime() - start) / 1e9;
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
         * The normalization tensors of every node whose op declares them ({@code role}: BatchNorm's scale and
         * bias, or its running mean and variance; FCPTS.md section 2).
         */
        private List<String> normalizationInputs(Function<OpDefinition, List<Integer>> role) {
            List<String> out = new ArrayList<>();
            for (Node n : dense.nodes()) {
                for (int i : role.apply(Ops.of(n.op()))) {
                    out.add(n.input(i));
                }
            }
            return out;
        }
    }
}
