package io.github.fcpts4j.bench;

import io.github.fcpts4j.data.TextLineRenderer;
import io.github.fcpts4j.eval.CtcDictionary;
import io.github.fcpts4j.eval.OcrEvaluator;
import io.github.fcpts4j.eval.OrtModel;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Renders a labelled {@code textlines:} folder ({@link TextLineRenderer}) in the characters a CTC recognizer
 * can read: its dictionary from the model's {@code character} metadata (or {@code --dict}), the space where
 * its output has the extra class. Used by bench/run-ocr-accuracy.sh for calibration and test lines.
 * <p>
 * Usage: {@code RenderTextLines --model REC.onnx --out DIR --count N --seed S [--dict FILE]}
 */
public final class RenderTextLines {
    private static final String USAGE = "RenderTextLines --model REC.onnx --out DIR --count N --seed S [--dict FILE]";

    private RenderTextLines() {
    }

    public static void main(String[] argv) {
        Map<String, String> a = Args.parse(argv, USAGE);
        Path out = Path.of(a.get("out"));
        int count = Integer.parseInt(a.get("count"));
        long seed = Long.parseLong(a.get("seed"));
        try (OrtModel m = OrtModel.open(Path.of(a.get("model")))) {
            CtcDictionary d = a.containsKey("dict") ? CtcDictionary.fromFile(Path.of(a.get("dict")))
                    : CtcDictionary.fromModel(m).orElseThrow(() -> new IllegalArgumentException(m.file()
                    + " has no 'character' metadata: pass --dict FILE"));
            String output = OcrEvaluator.ctcOutput(m, d).orElseThrow(() -> new IllegalArgumentException(
                    "no output of " + m.file() + " fits the " + d.size() + "-entry dictionary"));
            List<TextLineRenderer.Line> lines = TextLineRenderer.render(out, count, seed,
                    TextLineRenderer.allowing(d.codePoints(m.outputs().get(output)[2])));
            System.out.printf("%d lines (seed %d) in %s, e.g. '%s'%n", lines.size(), seed, out, lines.get(0).text());
        }
    }
}
