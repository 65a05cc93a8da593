package io.github.fcpts4j.eval;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.LabeledTextLines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scores a CTC text-line recognizer (PP-OCR rec and the like) with ONNX Runtime: every line of the data is
 * run in batches, its [N, T, C] output decoded greedily ({@link CtcDecoder}, the classes named by a
 * {@link CtcDictionary}), and the texts scored ({@link TextAccuracy}): against the labels of
 * {@link LabeledTextLines} data (character accuracy = 1 - CER, line accuracy), and with a reference model
 * (the dense one) on the same inputs both the reference's accuracy, the agreement of the two models' texts
 * (the reference's text as truth) and the {@link Fidelity} of every output. Called by {@code fcpts eval}.
 */
public final class OcrEvaluator {
    /** How many differing lines a result keeps as examples. */
    public static final int EXAMPLES = 10;

    /** A line the model read differently from its truth (the label, or the reference's text). */
    public record Line(int index, String source, String truth, String decoded, Optional<String> referenceDecoded) {
    }

    /**
     * The scores of one run.
     *
     * @param lines             lines scored
     * @param output            the CTC output decoded
     * @param classes           its class count C (blank + dictionary + space when {@code space})
     * @param accuracy          the model against the labels (text-line data only)
     * @param referenceAccuracy the reference against the labels (with a reference and labels)
     * @param agreement         the model's texts against the reference's (with a reference)
     * @param fidelity          per output, the model against the reference (with a reference; else empty)
     * @param texts             the model's text of every line, in data order
     * @param mistakes          the first {@link #EXAMPLES} lines read differently from their truth
     */
    public record Result(int lines, String output, int classes, boolean space, CtcDictionary dictionary,
                         Optional<TextAccuracy.Score> accuracy, Optional<TextAccuracy.Score> referenceAccuracy,
                         Optional<TextAccuracy.Score> agreement, List<Fidelity.Output> fidelity, List<String> texts,
                         List<Line> mistakes) {
    }

    private OcrEvaluator() {
    }

    /**
     * The output a dictionary decodes: the first one ONNX Runtime declares as [N, T, C] with C = K + 1 or
     * K + 2, or symbolic (checked when it runs).
     */
    public static Optional<String> ctcOutput(OrtModel model, CtcDictionary dictionary) {
        for (Map.Entry<String, long[]> e : model.outputs().entrySet()) {
            long[] s = e.getValue();
            if (s.length == 3 && (s[2] < 0 || dictionary.fits(s[2]))) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code model} (and {@code reference}, when not null) on every line of {@code data}, in batches of
     * {@code batch}, decoding {@code output} of each with {@code dictionary}.
     *
     * @throws FcptsException INVALID_ARGUMENT when there is nothing to score (no text labels and no reference),
     *                        when {@code output} is missing or not [N, T, C] with a class count the dictionary
     *                        fits; NON_FINITE_INPUT for a NaN or infinite score
     */
    public static Result evaluate(OrtModel model, OrtModel reference, LabeledImages data, CtcDictionary dictionary,
                                  String output, int batch) {
        LabeledTextLines text = data instanceof LabeledTextLines t ? t : null;
        if (text == null && reference == null) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the data has no text labels (use textlines:DIR), "
                    + "so there is no character accuracy; compare against a reference model instead (fcpts eval "
                    + "--reference DENSE.onnx)");
        }
        TextAccuracy mine = new TextAccuracy(), theirs = new TextAccuracy(), agree = new TextAccuracy();
        Fidelity fidelity = new Fidelity();
        List<String> texts = new ArrayList<>();
        List<Line> mistakes = new ArrayList<>();
        CtcDecoder[] decoder = new CtcDecoder[1];
        int runs = reference == null ? model.batchFor(batch) : reference.batchFor(model.batchFor(batch));
        OrtEvaluator.forEachBatch(data, runs, (x, shape, labels) -> {
            int start = texts.size(), b = labels.length;
            List<OrtModel.Output> p = model.run(model.imageInput(), x, shape);
            String[] read = decode(model, p, output, dictionary, b, start, decoder);
            String[] ref = null;
            if (reference != null) {
                List<OrtModel.Output> d = reference.run(reference.imageInput(), x, shape);
                fidelity.add(p, d, b);
                ref = decode(reference, d, output, dictionary, b, start, decoder);
            }
            for (int i = 0; i < b; i++) {
                int at = start + i;
                texts.add(read[i]);
                String truth = text != null ? text.text(at) : ref[i];
                if (text != null) {
                    mine.add(truth, read[i]);
                    if (ref != null) {
                        theirs.add(truth, ref[i]);
                    }
                }
                if (ref != null) {
                    agree.add(ref[i], read[i]);
                }
                if (!truth.equals(read[i]) && mistakes.size() < EXAMPLES) {
                    mistakes.add(new Line(at, text != null ? text.source(at) : "sample " + at, truth, read[i],
                            ref != null ? Optional.of(ref[i]) : Optional.empty()));
                }
            }
        });
        return new Result(texts.size(), output, decoder[0].classes(), decoder[0].space(), dictionary,
                text != null ? Optional.of(mine.score()) : Optional.empty(),
                text != null && reference != null ? Optional.of(theirs.score()) : Optional.empty(),
                reference != null ? Optional.of(agree.score()) : Optional.empty(),
                reference != null ? fidelity.result() : List.of(), List.copyOf(texts), List.copyOf(mistakes));
    }

    private static String[] decode(OrtModel model, List<OrtModel.Output> outputs, String name,
                                   CtcDictionary dictionary, int batch, int start, CtcDecoder[] decoder) {
        OrtModel.Output o = outputs.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                new FcptsException(ErrorCode.INVALID_ARGUMENT, model.file() + " has no output '" + name + "' (its "
                        + "outputs: " + outputs.stream().map(OrtModel.Output::name).toList() + ")"));
        long[] s = o.shape();
        if (s.length != 3 || s[0] != batch) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, model.file() + "'s output '" + name + "' is "
                    + Arrays.toString(s) + " for a batch of " + batch + "; CTC decoding needs [N, T, C]");
        }
        if (decoder[0] == null || decoder[0].classes() != s[2]) {
            decoder[0] = new CtcDecoder(dictionary, s[2]);
        }
        int steps = Math.toIntExact(s[1]), classes = Math.toIntExact(s[2]);
        String[] out = new String[batch];
        for (int i = 0; i < batch; i++) {
            out[i] = decoder[0].decode(o.values(), i * steps * classes, steps, model.file() + "'s output '" + name
                    + "', sample " + (start + i));
        }
        return out;
    }
}
