package io.github.fcpts4j.eval;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.LabeledImages;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Scores ONNX files with ONNX Runtime ({@link OrtModel}), independently of
 * fcpts4j's own engine, over an image set fed as [batch, sample shape] floats
 * as the set prepares them (IDX sets give [0, 1] pixels; image folders apply
 * their {@code Preprocessing}): top-1 / top-5 of a classifier against labels,
 * and, against a reference model on the same inputs, {@link Fidelity} for any
 * model (detectors and segmenters included).
 */
public final class OrtEvaluator {

    /** Accuracy over {@code samples} images. */
    public record Accuracy(int samples, double top1, double top5) {
    }

    /**
     * One pass of a model and its reference: fidelity per output, and where the data has labels and the first
     * output is classifier-like, both models' accuracy.
     */
    public record Comparison(int samples, List<Fidelity.Output> fidelity, Optional<Accuracy> accuracy,
                             Optional<Accuracy> referenceAccuracy) {
    }

    private OrtEvaluator() {
    }

    /**
     * Top-1 / top-5 of a classifier (first output [N, classes]).
     *
     * @throws FcptsException INVALID_ARGUMENT when the data has no labels or the model is no classifier
     */
    public static Accuracy evaluate(Path model, LabeledImages data, int batch) {
        try (OrtModel m = OrtModel.open(model)) {
            return evaluate(m, data, batch);
        }
    }

    /** {@link #evaluate(Path, LabeledImages, int)} on a model already open. */
    public static Accuracy evaluate(OrtModel model, LabeledImages data, int batch) {
        if (!data.labelled()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the data has no labels, so there is no accuracy; "
                    + "compare against a reference model instead (fcpts eval --reference DENSE.onnx)");
        }
        Ranks ranks = new Ranks(model.file());
        forEachBatch(data, model.batchFor(batch), (x, shape, labels) -> ranks.add(model.run(model.imageInput(), x,
                shape), labels));
        return ranks.accuracy(true).orElseThrow();
    }

    /** Runs {@code model} and {@code reference} on every sample of {@code data} in batches of {@code batch}. */
    public static Comparison compare(Path model, Path reference, LabeledImages data, int batch) {
        try (OrtModel p = OrtModel.open(model); OrtModel d = OrtModel.open(reference)) {
            return compare(p, d, data, batch);
        }
    }

    /** {@link #compare(Path, Path, LabeledImages, int)} on models already open. */
    public static Comparison compare(OrtModel model, OrtModel reference, LabeledImages data, int batch) {
        return compare(model, reference, data, batch, List.of());
    }

    /**
     * As above, with the agreement of the thresholded outputs {@code thresholds} name ({@link Fidelity}).
     *
     * @throws FcptsException INVALID_ARGUMENT when a threshold names an output the model does not have
     */
    public static Comparison compare(OrtModel model, OrtModel reference, LabeledImages data, int batch,
                                     List<OutputThreshold> thresholds) {
        Fidelity fidelity = new Fidelity(thresholds);
        Ranks mine = new Ranks(model.file()), theirs = new Ranks(reference.file());
        forEachBatch(data, reference.batchFor(model.batchFor(batch)), (x, shape, labels) -> {
            List<OrtModel.Output> p = model.run(model.imageInput(), x, shape);
            List<OrtModel.Output> d = reference.run(reference.imageInput(), x, shape);
            fidelity.add(p, d, labels.length);
            if (data.labelled()) {
                mine.add(p, labels);
                theirs.add(d, labels);
            }
        });
        return new Comparison(data.size(), fidelity.result(), mine.accuracy(false), theirs.accuracy(false));
    }

    /** One batch: the inputs [b, sample shape] and the labels of samples start .. start + b - 1. */
    interface BatchBody {
        void accept(float[] x, long[] shape, int[] labels);
    }

    /** Reads {@code data} in batches of {@code batch} (the last one shorter) and hands each to {@code body}. */
    static void forEachBatch(LabeledImages data, int batch, BatchBody body) {
        if (batch < 1) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--batch must be >= 1, got " + batch);
        }
        long[] sample = data.sampleShape();
        int pixels = Math.toIntExact(sample[0] * sample[1] * sample[2]);
        for (int start = 0; start < data.size(); start += batch) {
            int b = Math.min(batch, data.size() - start);
            float[] x = new float[b * pixels];
            int[] labels = new int[b];
            for (int i = 0; i < b; i++) {
                labels[i] = data.read(start + i, x, i * pixels);
            }
            body.accept(x, new long[] {b, sample[0], sample[1], sample[2]}, labels);
        }
    }

    /** Rank of the label among the first output's scores, per sample. */
    private static final class Ranks {
        private final Path model;
        private int top1, top5, samples;
        private boolean classifier = true;

        Ranks(Path model) {
            this.model = model;
        }

        void add(List<OrtModel.Output> outputs, int[] labels) {
            OrtModel.Output logits = outputs.get(0);
            long[] s = logits.shape();
            int b = labels.length, classes = logits.values().length / b;
            if (!(s.length == 2 || (s.length == 4 && s[2] == 1 && s[3] == 1)) || s[0] != b || classes < 2) {
                classifier = false;
                return;
            }
            for (int i = 0; i < b; i++) {
                if (labels[i] < 0 || labels[i] >= classes) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "label " + labels[i] + " of sample "
                            + (samples + i) + " is outside the " + classes + " classes of " + model
                            + "'s output '" + logits.name() + "'");
                }
                int higher = 0;
                float[] v = logits.values();
                for (int k = 0; k < classes; k++) {
                    // a NaN compares false with everything, so it would rank every label first: refuse it
                    if (!Float.isFinite(v[i * classes + k])) {
                        throw new FcptsException(ErrorCode.NON_FINITE_INPUT, model + "'s output '" + logits.name()
                                + "' is " + v[i * classes + k] + " for sample " + (samples + i) + " (class " + k
                                + "): the model's weights or the data hold non-finite values, so it has no accuracy");
                    }
                }
                for (int k = 0; k < classes; k++) {
                    higher += v[i * classes + k] > v[i * classes + labels[i]] ? 1 : 0;
                }
                top1 += higher == 0 ? 1 : 0;
                top5 += higher < 5 ? 1 : 0;
            }
            samples += b;
        }

        Optional<Accuracy> accuracy(boolean required) {
            if (!classifier || samples == 0) {
                if (required) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, model + " is not a classifier (its first "
                            + "output is not [N, classes]); compare it against a reference model instead");
                }
                return Optional.empty();
            }
            return Optional.of(new Accuracy(samples, (double) top1 / samples, (double) top5 / samples));
        }
    }
}
