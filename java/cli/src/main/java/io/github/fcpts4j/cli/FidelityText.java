package io.github.fcpts4j.cli;

import io.github.fcpts4j.eval.Fidelity;
import io.github.fcpts4j.eval.OrtEvaluator;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** The fidelity block of eval's and prune's reports: JSON {"outputs": [...]} and a text table. */
final class FidelityText {
    private FidelityText() {
    }

    static Map<String, Object> json(OrtEvaluator.Comparison c) {
        return Map.of("outputs", c.fidelity().stream().map(Fidelity.Output::toMap).toList());
    }

    /** The table, then the top-1 of the model and of the reference (called {@code referenceName}) where labelled. */
    static void print(PrintWriter out, OrtEvaluator.Comparison c, String referenceName) {
        List<Fidelity.Output> rows = c.fidelity();
        out.printf("  %-24s %12s %10s %16s%n", "output", "rel. L2", "cosine", "top-1 agreement");
        for (Fidelity.Output o : rows) {
            out.printf("  %-24s %12.3e %10.6f %16s%n", o.name(), o.relL2(), o.cosine(), o.top1Agreement().isPresent()
                    ? String.format("%.2f%%", 100 * o.top1Agreement().getAsDouble()) : "-");
        }
        for (Fidelity.Output o : rows) {
            o.thresholded().ifPresent(t -> out.printf("  %s %s %s: positives agree F1 %.2f%% (IoU %.2f%%), %.4f%% of "
                    + "elements on the same side; positives %d (model) / %d (%s) of %d%n", o.name(),
                    t.threshold().sigmoid() ? "sigmoid >" : ">", t.threshold().value(), 100 * t.agreement(),
                    100 * t.iou(), 100 * t.elementAgreement(), t.model(), t.reference(), referenceName,
                    t.elements()));
        }
        c.accuracy().ifPresent(a -> out.printf("  top-1 %.2f%% (%s %.2f%%), top-5 %.2f%%%n", 100 * a.top1(),
                referenceName, 100 * c.referenceAccuracy().orElseThrow().top1(), 100 * a.top5()));
    }
}
