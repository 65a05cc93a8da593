package io.github.fcpts4j.prune;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ErrorCode;
import java.util.Locale;

/**
 * One term of FCPTS's net-wise reconstruction loss L_rec: the graph output it stands for, the value whose
 * student and teacher copies it compares, and how ({@link ReconstructionPlan} says which output gets which).
 * <pre>
 *   KL    T^2 KL(softmax(teacher / T) || softmax(student / T)) over the last axis, the mean over the
 *         rows = (elements / last dimension) of the value; scale 1
 *   MSE   scale (1 / N) sum_i ||student_i - teacher_i||^2 over the N samples of the batch; normalized:
 *         scale = 1 / ((1 / M) sum_j ||teacher_j||^2) over the M calibration samples (set before the first
 *         step, so the term is the squared error relative to the teacher's mean square), else scale 1
 * </pre>
 *
 * @param output     the graph output this term reconstructs
 * @param value      the value compared: the output itself, or the logits a Softmax output is computed from
 * @param loss       KL or MSE
 * @param normalized MSE divided by the teacher's mean square (false for KL and for {@code --loss mse} logits)
 * @param scale      the factor on the term (NaN while a normalized term's scale is not yet measured)
 * @param sameAs     the output of an earlier term comparing the same value (this one then adds nothing), or null
 */
public record ReconstructionTerm(String output, String value, Loss loss, boolean normalized, double scale,
                                 String sameAs) {

    /** The distance a term uses. */
    public enum Loss {
        /** distillation KL at temperature T over the last axis */
        KL,
        /** squared error */
        MSE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ReconstructionTerm {
        FcptsException.requireNonNull(output, "output");
        FcptsException.requireNonNull(value, "value");
        FcptsException.requireNonNull(loss, "loss");
    }

    /** This term with its scale measured. */
    ReconstructionTerm withScale(double s) {
        return new ReconstructionTerm(output, value, loss, normalized, s, sameAs);
    }

    /**
     * How run summaries name the term, e.g. {@code probs: kl on softmax input 'reshape_7_out'} or
     * {@code offsets: mse / teacher mean square (x 0.0812)}.
     */
    public String describe() {
        StringBuilder s = new StringBuilder(output).append(": ").append(loss.label());
        if (!value.equals(output)) {
            s.append(" on softmax input '").append(value).append('\'');
        }
        if (normalized) {
            s.append(" / teacher mean square");
            if (!Double.isNaN(scale)) {
                s.append(String.format(Locale.ROOT, " (x %.4g)", scale));
            }
        }
        if (sameAs != null) {
            s.append(" (the term of '").append(sameAs).append("')");
        }
        return s.toString();
    }
}
