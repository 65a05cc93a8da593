package io.github.fcpts4j.eval;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How closely a model p follows a reference d on the same inputs, per output,
 * accumulated batch by batch (in double):
 * <ul>
 * <li>relative L2 error ||p - d|| / ||d|| over the whole set (all samples' values as one vector);</li>
 * <li>mean over samples of the cosine similarity p_i . d_i / (||p_i|| ||d_i||) (1 when both are zero,
 *     0 when one is);</li>
 * <li>for classifier-like outputs ([N, K] or [N, K, 1, 1] with K >= 2): the share of samples whose
 *     arg-max class agrees (first maximum on ties).</li>
 * </ul>
 * An output whose first dimension is not the batch is one "sample" per batch. Used by
 * {@link OrtEvaluator#compare} (fcpts eval --reference, and fcpts prune's report).
 */
public final class Fidelity {

    /** One output's numbers; {@code top1Agreement} is empty for outputs that are not classifier-like. */
    public record Output(String name, long samples, double relL2, double cosine, OptionalDouble top1Agreement) {

        /** {@code {"name", "rel_l2", "cosine", "top1_agreement"?}} for the JSON reports. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("rel_l2", relL2);
            m.put("cosine", cosine);
            top1Agreement.ifPresent(a -> m.put("top1_agreement", a));
            return m;
        }
    }

    private static final class Sums {
        double diff2, ref2, cosine;
        long samples, agree;
        boolean classifier = true;
    }

    private final Map<String, Sums> sums = new LinkedHashMap<>();

    /** Adds one batch of {@code batch} samples: the model's outputs and the reference's, matched by name. */
    public void add(List<OrtModel.Output> model, List<OrtModel.Output> reference, int batch) {
        Map<String, OrtModel.Output> ref = new LinkedHashMap<>();
        reference.forEach(o -> ref.put(o.name(), o));
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
            accumulate(sums.computeIfAbsent(p.name(), k -> new Sums()), p.values(), d.values(), p.shape(), batch);
        }
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
                : OptionalDouble.empty())));
        return out;
    }
}
