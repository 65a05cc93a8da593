package io.github.fcpts4j.eval;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How closely a model p follows a reference d on the same inputs, per output,
 * accumulated batch by batch (in double):
 * <ul>
 * <li>relative L2 error ||p - d|| / ||d|| over the whole set (all samples' values as one vector);</li>
 * <li>mean over samples of the cosine similarity p_i . d_i / (||p_i|| ||d_i||) (1 when both are zero,
 *     0 when one is);</li>
 * <li>for classifier-like outputs ([N, K] or [N, K, 1, 1] with K >= 2): the share of samples whose
 *     arg-max class agrees (first maximum on ties);</li>
 * <li>for an output given an {@link OutputThreshold} (a detector's probability map or anchor scores): the
 *     agreement of the two positive sets P = {p > t} and D = {d > t} over all its elements,
 *     F1 = 2 |P and D| / (|P| + |D|) (the reference as truth; 1 when both are empty), with
 *     IoU = |P and D| / |P or D|, the share of elements on the same side, and both counts.</li>
 * </ul>
 * An output whose first dimension is not the batch is one "sample" per batch. Used by
 * {@link OrtEvaluator#compare} (fcpts eval --reference, and fcpts prune's report).
 */
public final class Fidelity {

    /**
     * One output's numbers; {@code top1Agreement} is empty for outputs that are not classifier-like, and
     * {@code thresholded} for outputs without a threshold.
     */
    public record Output(String name, long samples, double relL2, double cosine, OptionalDouble top1Agreement,
                         Optional<Positives> thresholded) {

        /** An output without a threshold. */
        public Output(String name, long samples, double relL2, double cosine, OptionalDouble top1Agreement) {
            this(name, samples, relL2, cosine, top1Agreement, Optional.empty());
        }

        /**
         * {@code {"name", "rel_l2", "cosine", "top1_agreement"?, "threshold"?: {"value", "positive_agreement",
         * "iou", "element_agreement", "model_positives", "reference_positives", "both_positive", "elements"}}}
         * for the JSON reports.
         */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("rel_l2", relL2);
            m.put("cosine", cosine);
            top1Agreement.ifPresent(a -> m.put("top1_agreement", a));
            thresholded.ifPresent(t -> m.put("threshold", t.toMap()));
            return m;
        }
    }

    /**
     * The thresholded elements of one output over the whole set: {@code model} above the threshold in the model,
     * {@code reference} in the reference, {@code both} in both, out of {@code elements}.
     */
    public record Positives(OutputThreshold threshold, long model, long reference, long both, long elements) {

        /** F1 of the model's positives against the reference's: 2 both / (model + reference); 1 when both are 0. */
        public double agreement() {
            return model + reference == 0 ? 1 : 2.0 * both / (model + reference);
        }

        /** Intersection over union of the two positive sets; 1 when both are empty. */
        public double iou() {
            long union = model + reference - both;
            return union == 0 ? 1 : (double) both / union;
        }

        /** Share of the elements on the same side of the threshold in both models. */
        public double elementAgreement() {
            return elements == 0 ? 1 : (double) (elements - (model - both) - (reference - both)) / elements;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("value", threshold.describe());
            m.put("positive_agreement", agreement());
            m.put("iou", iou());
            m.put("element_agreement", elementAgreement());
            m.put("model_positives", model);
            m.put("reference_positives", reference);
            m.put("both_positive", both);
            m.put("elements", elements);
            return m;
        }
    }

    private static final class Sums {
        double diff2, ref2, cosine;
        long samples, agree;
        long positives, referencePositives, bothPositive, elements;
        boolean classifier = true;
    }

    private final Map<String, Sums> sums = new LinkedHashMap<>();
    private final Map<String, OutputThreshold> thresholds = new LinkedHashMap<>();

    /** Fidelity without thresholds. */
    public Fidelity() {
        this(List.of());
    }

    /**
     * Fidelity with the thresholded agreement of the outputs {@code thresholds} name.
     *
     * @throws FcptsException INVALID_ARGUMENT when two thresholds name the same output
     */
    public Fidelity(List<OutputThreshold> thresholds) {
        for (OutputThreshold t : thresholds) {
            if (this.thresholds.put(t.output(), t) != null) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "output '" + t.output() + "' has two thresholds");
            }
        }
    }

    /** Adds one batch of {@code batch} samples: the model's outputs and the reference's, matched by name. */
    public void add(List<OrtModel.Output> model, List<OrtModel.Output> reference, int batch) {
        Map<String, OrtModel.Output> ref = new LinkedHashMap<>();
        reference.forEach(o -> ref.put(o.name(), o));
        for (String t : thresholds.keySet()) {
            if (model.stream().noneMatch(o -> o.name().equals(t))) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "threshold for output '" + t + "': the model "
                        + "has no such output; its outputs: " + model.stream().map(OrtModel.Output::name).toList());
            }
        }
        for (OrtModel.Output p : model) {
            OrtModel.Output d = ref.get(p.name());
            if (d == null) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "output '" + p.name() + "' of the model is not "
                        + "an output of the reference (its outputs: " + ref.keySet() + ")");
            }
            if (!Arrays.equals(p.shape(), d.shape())) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "output '" + p.name() + "' is "
                        + Arrays.toString(p.shape()) + " for the model but " + Arrays.toString(d.shape())
                        + " for the reference on the same input");
            }
            Sums s = sums.computeIfAbsent(p.name(), k -> new Sums());
            accumulate(s, p.values(), d.values(), p.shape(), batch);
            OutputThreshold t = thresholds.get(p.name());
            if (t != null) {
                count(s, p.values(), d.values(), t.raw());
            }
        }
    }

    private static void count(Sums s, float[] p, float[] d, double t) {
        for (int k = 0; k < p.length; k++) {
            boolean a = p[k] > t, b = d[k] > t;
            s.positives += a ? 1 : 0;
            s.referencePositives += b ? 1 : 0;
            s.bothPositive += a && b ? 1 : 0;
        }
        s.elements += p.length;
    }

    private static void accumulate(Sums s, float[] p, float[] d, long[] shape, int batch) {
        int n = shape.length > 0 && shape[0] == batch ? batch : 1, per = p.length / Math.max(1, n);
        boolean classifier = n == batch && per >= 2 && (shape.length == 2
                || (shape.length == 4 && shape[2] == 1 && shape[3] == 1));
        s.classifier &= classifier;
        for (int i = 0; i < n; i++) {
            double dot = 0, pp = 0, dd = 0;
            for (int k = i * per; k < (i + 1) * per; k++) {
                double a = p[k], b = d[k];
                dot += a * b;
                pp += a * a;
                dd += b * b;
                s.diff2 += (a - b) * (a - b);
            }
            s.ref2 += dd;
            s.cosine += pp == 0 && dd == 0 ? 1 : pp == 0 || dd == 0 ? 0 : dot / Math.sqrt(pp * dd);
            if (classifier) {
                s.agree += argmax(p, i * per, per) == argmax(d, i * per, per) ? 1 : 0;
            }
        }
        s.samples += n;
    }

    /** Index of the first maximum of {@code v[offset .. offset + n)}. */
    static int argmax(float[] v, int offset, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) {
            best = v[offset + k] > v[offset + best] ? k : best;
        }
        return best;
    }

    /** The numbers so far, one entry per output in the model's output order. */
    public List<Output> result() {
        List<Output> out = new ArrayList<>();
        sums.forEach((name, s) -> out.add(new Output(name, s.samples,
                s.ref2 > 0 ? Math.sqrt(s.diff2 / s.ref2) : s.diff2 == 0 ? 0 : Double.POSITIVE_INFINITY,
                s.cosine / s.samples, s.classifier ? OptionalDouble.of((double) s.agree / s.samples)
                : OptionalDouble.empty(), Optional.ofNullable(thresholds.get(name)).map(t -> new Positives(t,
                s.positives, s.referencePositives, s.bothPositive, s.elements)))));
        return out;
    }
}
