package io.github.fcpts4j.eval;

/**
 * Text recognition scores over a set of lines, decoded text against the truth, counted in Unicode code
 * points:
 * <ul>
 * <li>character accuracy = 1 - (sum of Levenshtein distances) / (sum of truth lengths), 1 - CER: every
 *     insertion, deletion and substitution costs 1; below 0 when the decoded lines are far longer than the
 *     truth;</li>
 * <li>line accuracy: the share of lines decoded exactly.</li>
 * </ul>
 * Truth is a label, or the reference model's decoded text for agreement ({@link OcrEvaluator}). Sums are
 * kept exactly in longs; {@link #add} accumulates, {@link #levenshtein} is the distance itself.
 */
public final class TextAccuracy {
    private long lines, exact, edits, truthChars;

    /** The numbers so far. */
    public record Score(long lines, long exact, long edits, long truthChars) {

        /** 1 - edits / truth characters (1 when both are 0, 0 for edits against an empty truth). */
        public double charAccuracy() {
            return truthChars == 0 ? (edits == 0 ? 1 : 0) : 1 - (double) edits / truthChars;
        }

        /** Lines decoded exactly, as a share (0 for no lines). */
        public double lineAccuracy() {
            return lines == 0 ? 0 : (double) exact / lines;
        }
    }

    /** Adds one line; returns its distance. */
    public int add(String truth, String decoded) {
        int d = levenshtein(truth, decoded);
        lines++;
        exact += d == 0 ? 1 : 0;
        edits += d;
        truthChars += truth.codePointCount(0, truth.length());
        return d;
    }

    public Score score() {
        return new Score(lines, exact, edits, truthChars);
    }

    /**
     * The Levenshtein distance between {@code a} and {@code b} over code points: the fewest insertions,
     * deletions and substitutions of one code point that turn one into the other (two rows, O(|a| |b|)).
     */
    public static int levenshtein(String a, String b) {
        int[] x = a.codePoints().toArray(), y = b.codePoints().toArray();
        int[] previous = new int[y.length + 1], current = new int[y.length + 1];
        for (int j = 0; j <= y.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length; i++) {
            current[0] = i;
            for (int j = 1; j <= y.length; j++) {
                int substitute = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[y.length];
    }
}
