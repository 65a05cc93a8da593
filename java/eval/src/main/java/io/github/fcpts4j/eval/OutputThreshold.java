package io.github.fcpts4j.eval;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.Locale;

/**
 * A decision threshold on one model output, for the agreement of two models' thresholded maps or scores
 * ({@link Fidelity}): an element is positive when its value is above {@code value}, or, with
 * {@code sigmoid}, when sigmoid(x) &gt; value, i.e. x &gt; ln(value / (1 - value)) (a detector whose
 * output is logits: BlazeFace's scores at 0.75 are logits above ln 3).
 *
 * @param output  the output's name
 * @param value   the threshold (a probability in (0, 1) with {@code sigmoid})
 * @param sigmoid whether {@code value} applies to the sigmoid of the output
 */
public record OutputThreshold(String output, double value, boolean sigmoid) {
    private static final String FORM = "NAME=T or NAME=sigmoid:T";

    /**
     * @throws FcptsException INVALID_ARGUMENT for an empty name, a non-finite value, or a sigmoid value outside (0, 1)
     */
    public OutputThreshold {
        if (output == null || output.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "a threshold needs an output name (" + FORM + ")");
        }
        if (!Double.isFinite(value) || (sigmoid && !(value > 0 && value < 1))) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "threshold of output '" + output + "' must be "
                    + (sigmoid ? "a probability strictly between 0 and 1" : "a finite number") + ", got " + value);
        }
    }

    /** Parses {@code NAME=T} or {@code NAME=sigmoid:T}; the name is everything before the last '='. */
    public static OutputThreshold parse(String text) {
        int eq = text.lastIndexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "threshold '" + text + "' is not " + FORM);
        }
        String name = text.substring(0, eq), v = text.substring(eq + 1).trim();
        boolean sigmoid = v.toLowerCase(Locale.ROOT).startsWith("sigmoid:");
        String number = sigmoid ? v.substring("sigmoid:".length()).trim() : v;
        try {
            return new OutputThreshold(name, Double.parseDouble(number), sigmoid);
        } catch (NumberFormatException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "threshold '" + text + "': '" + number
                    + "' is not a number (" + FORM + ")");
        }
    }

    /** The threshold on the output's own values. */
    public double raw() {
        return sigmoid ? Math.log(value / (1 - value)) : value;
    }

    /** As written: {@code 0.3} or {@code sigmoid:0.75}. */
    public String describe() {
        return (sigmoid ? "sigmoid:" : "") + value;
    }
}
