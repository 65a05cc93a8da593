package io.github.fcpts4j.eval;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.Arrays;

/**
 * Greedy (best-path) CTC decoding, PaddleOCR's {@code CTCLabelDecode}: per time step the arg-max class (the
 * first maximum on ties, as numpy's argmax), then repeats of the same class in consecutive steps collapsed to
 * one, then blanks (class 0) dropped, so "a a - a" (- the blank) reads "aa" and "a a a" reads "a". The
 * classes' texts come from a {@link CtcDictionary}. Scores may be probabilities or logits (the arg-max is
 * the same); one sequence is {@code steps} x {@code classes} floats, row-major, as an [N, T, C] output holds
 * them.
 */
public final class CtcDecoder {
    private final String[] symbols;

    /** A decoder for a model output of {@code classes} classes, with {@code dictionary}'s mapping. */
    public CtcDecoder(CtcDictionary dictionary, long classes) {
        this.symbols = dictionary.symbols(classes);
    }

    public int classes() {
        return symbols.length;
    }

    /** Whether the last class is PaddleOCR's space ({@code use_space_char}). */
    public boolean space() {
        return symbols.length >= 2 && symbols[symbols.length - 1].equals(" ");
    }

    /**
     * The text of one sequence: {@code steps} rows of {@link #classes()} scores from {@code offset}.
     *
     * @throws FcptsException NON_FINITE_INPUT for a NaN or infinite score, naming the step and class
     */
    public String decode(float[] scores, int offset, int steps) {
        return decode(scores, offset, steps, "CTC scores");
    }

    /** {@link #decode(float[], int, int)}, its messages starting with {@code where} (the model, output, sample). */
    public String decode(float[] scores, int offset, int steps, String where) {
        StringBuilder text = new StringBuilder();
        for (int k : path(scores, offset, steps, symbols.length, where)) {
            text.append(symbols[k]);
        }
        return text.toString();
    }

    /**
     * The collapsed best path: the arg-max class per step, repeats merged, blanks (0) dropped.
     *
     * @throws FcptsException NON_FINITE_INPUT for a NaN or infinite score (a NaN would lose every comparison
     *                        and read as class 0)
     */
    public static int[] path(float[] scores, int offset, int steps, int classes, String where) {
        int[] out = new int[steps];
        int n = 0, previous = -1;
        for (int t = 0; t < steps; t++) {
            int row = offset + t * classes, best = 0;
            for (int c = 0; c < classes; c++) {
                float v = scores[row + c];
                if (!Float.isFinite(v)) {
                    throw new FcptsException(ErrorCode.NON_FINITE_INPUT, where + ": score " + v + " at time step "
                            + t + ", class " + c + "; the model's weights or the data hold non-finite values");
                }
                best = v > scores[row + best] ? c : best;
            }
            if (best != previous && best != 0) {
                out[n++] = best;
            }
            previous = best;
        }
        return Arrays.copyOf(out, n);
    }
}
