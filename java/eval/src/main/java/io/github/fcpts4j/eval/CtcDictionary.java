package io.github.fcpts4j.eval;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The character dictionary of a CTC text-line recognizer, in PaddleOCR's format: one entry per line (UTF-8,
 * a trailing CR or LF dropped, the entries kept as written, so an empty line is an entry and indices never
 * shift), entry k naming class k + 1. RapidOCR's PP-OCR ONNX files carry it in their metadata under
 * {@code character} ({@link #fromMetadata}); PaddleOCR ships it as a file ({@code ppocr_keys_v1.txt},
 * {@link #fromFile}). The model's class count C fixes the rest of PaddleOCR's mapping
 * ({@link #symbols}): class 0 is the CTC blank, classes 1..K the K entries, and class K + 1 a space when
 * C = K + 2 ({@code use_space_char}).
 *
 * @param entries the dictionary lines
 * @param source  where they come from, for messages ("metadata 'character' of rec.onnx", a file)
 */
public record CtcDictionary(List<String> entries, String source) {
    /** The metadata key RapidOCR's recognizers keep the dictionary under. */
    public static final String METADATA_KEY = "character";

    public CtcDictionary {
        entries = List.copyOf(FcptsException.requireNonNull(entries, "entries"));
        FcptsException.requireNonNull(source, "source");
        if (entries.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the CTC dictionary from " + source + " is empty");
        }
    }

    /** The dictionary written as text: lines split after each LF (a final empty piece is no entry). */
    public static CtcDictionary parse(String text, String source) {
        List<String> entries = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (entries.get(entries.size() - 1).isEmpty()) {
            entries.remove(entries.size() - 1);
        }
        entries.replaceAll(e -> e.endsWith("\r") ? e.substring(0, e.length() - 1) : e);
        return new CtcDictionary(entries, source);
    }

    /**
     * A dictionary file, one entry per line.
     *
     * @throws FcptsException INVALID_ARGUMENT naming the file when it is missing, unreadable, not UTF-8 or empty
     */
    public static CtcDictionary fromFile(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            return parse(text.startsWith("\uFEFF") ? text.substring(1) : text, "dictionary file " + file);
        } catch (CharacterCodingException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "dictionary file " + file + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "dictionary file " + file + " cannot be read: " + e,
                    e);
        }
    }

    /** The dictionary a model carries in its metadata ({@link #METADATA_KEY}), if it does. */
    public static Optional<CtcDictionary> fromMetadata(Map<String, String> metadata, String model) {
        String text = metadata.get(METADATA_KEY);
        return text == null || text.isEmpty() ? Optional.empty()
                : Optional.of(parse(text, "metadata '" + METADATA_KEY + "' of " + model));
    }

    /** {@link #fromMetadata} of an open model. */
    public static Optional<CtcDictionary> fromModel(OrtModel model) {
        return fromMetadata(model.metadata(), model.file().toString());
    }

    /** K. */
    public int size() {
        return entries.size();
    }

    /** Whether a model with {@code classes} classes fits this dictionary: C = K + 1, or K + 2 with a space. */
    public boolean fits(long classes) {
        return classes == size() + 1L || classes == size() + 2L;
    }

    /**
     * The text of each of {@code classes} classes: "" for the blank (class 0), the entries, and " " for class
     * K + 1 when {@code classes} is K + 2.
     *
     * @throws FcptsException INVALID_ARGUMENT when {@code classes} is neither K + 1 nor K + 2
     */
    public String[] symbols(long classes) {
        if (!fits(classes)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the " + size() + "-entry CTC dictionary from "
                    + source + " does not fit an output of " + classes + " classes: expected " + (size() + 1)
                    + " (blank + entries) or " + (size() + 2) + " (blank + entries + space)");
        }
        String[] s = new String[Math.toIntExact(classes)];
        s[0] = "";
        for (int k = 0; k < size(); k++) {
            s[k + 1] = entries.get(k);
        }
        if (classes == size() + 2L) {
            s[size() + 1] = " ";
        }
        return s;
    }

    /** Every character (code point) the recognizer can output with {@code classes} classes. */
    public Set<Integer> codePoints(long classes) {
        Set<Integer> out = new TreeSet<>();
        for (String s : symbols(classes)) {
            s.codePoints().forEach(out::add);
        }
        return out;
    }
}
