package io.github.fcpts4j.cli;

import io.github.fcpts4j.eval.Fidelity;
import io.github.fcpts4j.eval.OcrEvaluator;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCR block of eval's report ({@link OcrEvaluator.Result}): JSON
 * {@code {"output", "dictionary", "dictionary_size", "classes", "space", "lines", "char_accuracy",
 * "line_accuracy", "edit_distance", "label_chars", "reference_char_accuracy", "reference_line_accuracy",
 * "agreement": {"char", "line"}, "mistakes": [{"source", "label", "decoded", "reference_decoded"}]}} (the
 * accuracy fields where the data has text labels, the reference ones and the agreement with a reference)
 * and the same as text.
 */
final class OcrText {
    private OcrText() {
    }

    static Map<String, Object> json(OcrEvaluator.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", r.output());
        m.put("dictionary", r.dictionary().source());
        m.put("dictionary_size", r.dictionary().size());
        m.put("classes", r.classes());
        m.put("space", r.space());
        m.put("lines", r.lines());
        r.accuracy().ifPresent(a -> {
            m.put("char_accuracy", a.charAccuracy());
            m.put("line_accuracy", a.lineAccuracy());
            m.put("edit_distance", a.edits());
            m.put("label_chars", a.truthChars());
        });
        r.referenceAccuracy().ifPresent(a -> {
            m.put("reference_char_accuracy", a.charAccuracy());
            m.put("reference_line_accuracy", a.lineAccuracy());
        });
        r.agreement().ifPresent(a -> m.put("agreement", Map.of("char", a.charAccuracy(), "line", a.lineAccuracy())));
        boolean labelled = r.accuracy().isPresent();
        m.put("mistakes", r.mistakes().stream().map(l -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("source", l.source());
            e.put(labelled ? "label" : "reference_decoded", l.truth());
            e.put("decoded", l.decoded());
            if (labelled) {
                l.referenceDecoded().ifPresent(t -> e.put("reference_decoded", t));
            }
            return e;
        }).toList());
        return m;
    }

    static void print(PrintWriter out, OcrEvaluator.Result r, String referenceName) {
        out.printf("  CTC greedy decoding of output '%s' (%d classes: blank, the %d-entry dictionary from %s%s)%n",
                r.output(), r.classes(), r.dictionary().size(), r.dictionary().source(), r.space() ? ", space" : "");
        r.accuracy().ifPresent(a -> out.printf("  character accuracy %.2f%% (%d edits over %d label characters), "
                + "line accuracy %.2f%%%n", 100 * a.charAccuracy(), a.edits(), a.truthChars(), 100 * a.lineAccuracy()));
        r.referenceAccuracy().ifPresent(a -> out.printf("  %s: character accuracy %.2f%%, line accuracy %.2f%%%n",
                referenceName, 100 * a.charAccuracy(), 100 * a.lineAccuracy()));
        r.agreement().ifPresent(a -> out.printf("  agreement of the texts with the %s: characters %.2f%%, lines "
                + "%.2f%%%n", referenceName, 100 * a.charAccuracy(), 100 * a.lineAccuracy()));
        if (!r.fidelity().isEmpty()) {
            fidelity(out, r.fidelity());
        }
        if (!r.mistakes().isEmpty()) {
            out.printf("  first lines read differently from the %s:%n", r.accuracy().isPresent() ? "label"
                    : referenceName);
        }
        for (OcrEvaluator.Line l : r.mistakes()) {
            out.printf("    %s: '%s' read as '%s'%n", l.source(), l.truth(), l.decoded());
        }
    }

    static void fidelity(PrintWriter out, List<Fidelity.Output> rows) {
        out.printf("  %-24s %12s %10s%n", "output", "rel. L2", "cosine");
        for (Fidelity.Output o : rows) {
            out.printf("  %-24s %12.3e %10.6f%n", o.name(), o.relL2(), o.cosine());
        }
    }
}
