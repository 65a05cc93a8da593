package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.data.Augment;
import io.github.fcpts4j.data.Shuffle;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.engine.CosineSchedule;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.KdeBridge;
import io.github.fcpts4j.sparsity.Masks;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The FCPTS optimization (FCPTS.md sections 2 to 7) on one backend: per-layer
 * log-thresholds theta_l and the dense weights are learned jointly against
 * the dense teacher on calibration batches.
 * <pre>
 *   forward:   student weights = w * 1[|w| > t_l], teacher = dense model (inference BatchNorm)
 *   loss:      L = T^2 KL(teacher / T || student / T) + lambda (S - S*)^2,  S = sum_l N_l s_l(t_l) / N
 *   gradients: the student's backward gives g = dL_rec / d(masked weight); one fused KDE pass gives
 *              the masked weight gradient and, per layer, s_l, ds_l/dt and the straight-through term;
 *              dL/dtheta_l = t_l (dL_c/dS N_l/N ds_l/dt - (1/h_l) sum g w phi)
 *   updates:   weights SGD (momentum, decay, warm-up + cosine), thresholds Adam, bandwidth Silverman
 *   finish:    exact projection to round(S* N) zeros (Allocations.project)
 * </pre>
 * Thresholds start at the ERK allocation for S*, so training starts at the target.
 * Weights and masks are assembled on the host each step (fine for the CPU and
 * for models of a few million weights; the device-resident loop is the CUDA work).
 */
public final class FcptsLoop {

    /** Observes progress. */
    public interface Listener {
        void step(int iteration, int total, double reconstruction, double constraint, double smoothSparsity,
                  double hardSparsity);
    }

    /** What a run produced. */
    public record Outcome(Graph pruned, Masks masks, double[] thresholds, double[] reconstructionCurve,
                          double[] sparsityCurve) {
    }

    private FcptsLoop() {
    }

    public static Outcome run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend,
                              Listener listener) {
        return run(dense, calibration, c, backend, listener, null, dense.prunableNodes());
    }

    public static Outcome run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend,
                              Listener listener, Masks fixedMask) {
        return run(dense, calibration, c, backend, listener, fixedMask, dense.prunableNodes());
    }

    /**
     * With {@code fixedMask} set, the allocation is that mask (a baseline) and only
     * the net-wise reconstruction runs: the same teacher, loss, schedule and weight
     * updates, thresholds untouched, pruned weights frozen at zero (as in POT), so
     * allocation and reconstruction effects can be told apart. Only the layers in
     * {@code prunable} are pruned (see {@link PrunableSelection}); the others keep
     * their dense weights and count neither in N nor in S.
     */
    public static Outcome run(Graph dense, LabeledImages calibration, FcptsConfig c, Backend backend,
                              Listener listener, Masks fixedMask, List<Node> prunable) {
        if (prunable.isEmpty()) {
            throw new IllegalArgumentException("graph '" + dense.name() + "' has no prunable layer");
        }
        int layers = prunable.size();
        List<String> names = new ArrayList<>();
        long[] sizes = new long[layers];
        List<PrunableLayer> hostLayers = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            TensorData w = dense.initializer(prunable.get(l).input(1)).orElseThrow();
            names.add(prunable.get(l).name());
            sizes[l] = w.size();
            hostLayers.add(new PrunableLayer(prunable.get(l).name(), w.dims(), w.floats()));
        }
        SegmentLayout layout = SegmentLayout.of(names, sizes);
        int total = Math.toIntExact(layout.total());
        float[] w = new float[total];
        for (int l = 0; l < layers; l++) {
            System.arraycopy(hostLayers.get(l).weights(), 0, w, (int) layout.offset(l), (int) sizes[l]);
        }
        double[] erk = Allocations.erkDensities(hostLayers, c.targetSparsity());
        double[] theta = new double[layers];
        for (int l = 0; l < layers; l++) {
            theta[l] = Math.log(Allocations.quantileThreshold(hostLayers.get(l).weights(), 1 - erk[l]));
        }

        String input = dense.inputs().get(0).name(), output = dense.outputs().get(0).name();
        int channels = calibration.channels(), rows = calibration.rows(), cols = calibration.cols();
        int pixels = channels * rows * cols, samples = Math.min(c.calibrationSamples(), calibration.size());
        long[] shape = {c.batch(), channels, rows, cols};
        SplittableRandom rng = new SplittableRandom(c.seed());
        int[] order = new int[samples];
        for (int i = 0; i < samples; i++) {
            order[i] = i;
        }
        int perPass = Math.max(1, samples / c.batch());
        CosineSchedule schedule = new CosineSchedule(c.weightLr(), Math.min(perPass, Math.max(1, c.iterations() / 10)),
                Math.max(c.iterations(), Math.min(perPass, Math.max(1, c.iterations() / 10)) + 1));
        double[] recCurve = new double[c.iterations()], sparsityCurve = new double[c.iterations()];
        NetworkKernels k = backend.network();
        double[] adamM = new double[layers], adamV = new double[layers];
        try (TensorScope scope = new TensorScope();
             NetworkExecutor teacher = scope.track(NetworkExecutor.compile(dense, backend, Map.of(input, shape)));
             NetworkExecutor student = scope.track(NetworkExecutor.compile(dense, backend, Map.of(input, shape),
                     true))) {
            Tensor weights = scope.upload(backend, w, total);
            Tensor grads = scope.allocate(backend, total), masked = scope.allocate(backend, total);
            Tensor velocity = scope.allocate(backend, total);
            int classes = (int) teacher.shape(output)[1];
            Tensor lossGrad = scope.allocate(backend, c.batch(), classes);
            KdeKernel kde = scope.track(backend.kdeKernel(layout));
            float[] t = new float[layers], h = new float[layers];
            for (int l = 0; l < layers; l++) {
                t[l] = (float) Math.exp(theta[l]);
                h[l] = 1f;
            }
            KdeSums sums = kde.forward(weights, t, h);
            for (int l = 0; l < layers; l++) {
                h[l] = (float) KdeBridge.silvermanBandwidth(sums, l);
            }
            float[] images = new float[c.batch() * pixels], g = new float[total];
            for (int it = 0; it < c.iterations(); it++) {
                if (it % perPass == 0) {
                    Shuffle.inPlace(order, rng);
                }
                int start = (it % perPass) * c.batch();
                for (int b = 0; b < c.batch(); b++) {
                    calibration.read(order[(start + b) % samples], images, b * pixels);
                    if (channels == 1) {
                        Augment.cropAndFlip(images, b * pixels, rows, cols, 2, rng);
                    }
                }
                teacher.run(Map.of(input, images));
                for (int l = 0; l < layers; l++) {
                    float[] layerW = new float[(int) sizes[l]];
                    int off = (int) layout.offset(l);
                    for (int i = 0; i < layerW.length; i++) {
                        float v = w[off + i];
                        boolean kept = fixedMask == null ? Math.abs(v) > t[l] : !fixedMask.isPruned(l, i);
                        layerW[i] = kept ? v : 0f;
                    }
                    student.value(prunable.get(l).input(1)).copyFrom(layerW);
                }
                student.run(Map.of(input, images));
                double rec = k.klDistill(student.value(output), teacher.value(output), c.batch(), classes,
                        c.temperature(), lossGrad);
                student.backward(Map.of(output, lossGrad.toArray()));
                for (int l = 0; l < layers; l++) {
                    float[] gl = student.gradient(prunable.get(l).input(1));
                    if (fixedMask != null) {
                        for (int i = 0; i < gl.length; i++) {
                            gl[i] = fixedMask.isPruned(l, i) ? 0f : gl[i];
                        }
                    }
                    System.arraycopy(gl, 0, g, (int) layout.offset(l), gl.length);
                }
                if (fixedMask != null) {
                    masked.copyFrom(g);
                    k.sgdStep(weights, masked, velocity, null, schedule.at(it), c.momentum(), 0f);
                    weights.read(0, w, 0, total);
                    recCurve[it] = rec;
                    sparsityCurve[it] = fixedMask.sparsity();
                    listener.step(it + 1, c.iterations(), rec, 0, fixedMask.sparsity(), fixedMask.sparsity());
                    continue;
                }
                grads.copyFrom(g);
                sums = kde.fused(weights, grads, masked, t, h);

                double smooth = 0, hard = 0;
                for (int l = 0; l < layers; l++) {
                    smooth += KdeBridge.smoothSparsity(sums, l) * sizes[l] / total;
                    hard += KdeBridge.hardSparsity(sums, l) * sizes[l] / total;
                }
                double gap = smooth - c.targetSparsity();
                double constraint = c.absoluteConstraint() ? c.lambda() * Math.abs(gap) : c.lambda() * gap * gap;
                double dConstraint = c.absoluteConstraint() ? c.lambda() * Math.signum(gap) : 2 * c.lambda() * gap;
                for (int l = 0; l < layers; l++) {
                    double dt = dConstraint * sizes[l] / total * KdeBridge.density(sums, l, h[l]);
                    if (c.straightThrough()) {
                        dt += KdeBridge.straightThroughThresholdGradient(sums, l, h[l]);
                    }
                    double dTheta = dt * t[l];
                    adamM[l] = 0.9 * adamM[l] + 0.1 * dTheta;
                    adamV[l] = 0.999 * adamV[l] + 0.001 * dTheta * dTheta;
                    double mHat = adamM[l] / (1 - Math.pow(0.9, it + 1)), vHat = adamV[l] / (1 - Math.pow(0.999, it + 1));
                    theta[l] -= c.thresholdLr() * mHat / (Math.sqrt(vHat) + 1e-12);
                    t[l] = (float) Math.exp(theta[l]);
                    h[l] = (float) KdeBridge.silvermanBandwidth(sums, l);
                }
                k.sgdStep(weights, masked, velocity, null, schedule.at(it), c.momentum(), c.weightDecay());
                weights.read(0, w, 0, total);
                recCurve[it] = rec;
                sparsityCurve[it] = hard;
                listener.step(it + 1, c.iterations(), rec, constraint, smooth, hard);
            }
        }
        List<PrunableLayer> trained = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            float[] lw = new float[(int) sizes[l]];
            System.arraycopy(w, (int) layout.offset(l), lw, 0, lw.length);
            trained.add(new PrunableLayer(names.get(l), hostLayers.get(l).dims(), lw));
        }
        double[] thresholds = new double[layers];
        for (int l = 0; l < layers; l++) {
            thresholds[l] = Math.exp(theta[l]);
        }
        Masks masks = fixedMask != null ? fixedMask : Allocations.project(trained, thresholds, c.targetSparsity());
        return new Outcome(masks.applyTo(dense, prunable, trained), masks, thresholds, recCurve, sparsityCurve);
    }

}
