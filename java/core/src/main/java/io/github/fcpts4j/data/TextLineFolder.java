package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Data spec {@code textlines:DIR} (or {@code textlines:FILE}): text-line images with their transcriptions in
 * PaddleOCR's recognition label format, the file {@code DIR/labels.txt} (or FILE itself) holding one line
 * per image:
 * <pre>
 * images/line_0001.png&lt;TAB&gt;Hello world
 * </pre>
 * the image path (relative to the label file's folder, or absolute), one tab, the text (UTF-8, kept as
 * written: spaces are characters; a trailing CR is dropped). Blank lines are skipped. A line without a tab
 * or with a second one, an image that is not there and a text that is empty or only spaces are errors
 * naming the label file and the line number, all found when the set is opened; images are decoded and
 * preprocessed ({@link ImageSamples}, PaddleOCR's {@link Preprocessing#paddleOcrRec} by default) when
 * read. As calibration data the texts are unused.
 */
public final class TextLineFolder extends PreprocessedImageFiles implements LabeledTextLines {
    /** The label file read in a folder given as the spec's location. */
    public static final String LABELS = "labels.txt";

    private final Path labels;
    private final List<String> texts;

    /** A label file's images and texts, entry for entry. */
    private record Entries(Path labels, List<Path> files, List<String> texts) {
    }

    /**
     * Reads {@code location}'s label file ({@code location/labels.txt}, or {@code location} when it is a file)
     * and checks every entry.
     *
     * @throws FcptsException INVALID_ARGUMENT naming the label file and line for a malformed entry, a missing
     *                        image or an empty text, or the location when there is no label file
     */
    public TextLineFolder(Path location, Preprocessing preprocessing) {
        this(read(location), preprocessing);
    }

    private TextLineFolder(Entries entries, Preprocessing preprocessing) {
        super(entries.files(), preprocessing);
        this.labels = entries.labels();
        this.texts = List.copyOf(entries.texts());
    }

    private static Entries read(Path location) {
        List<Path> files = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        Path labels = Files.isDirectory(location) ? location.resolve(LABELS) : location;
        if (!Files.isRegularFile(labels)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "text lines " + location + ": " + (Files.isDirectory(
                    location) ? "no label file " + labels : "not a folder or a label file") + " (one "
                    + "'relative/path.png<TAB>text' per line, PaddleOCR's recognition label format)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(labels, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "label file " + labels + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "label file " + labels + " cannot be read: " + e, e);
        }
        Path base = labels.toAbsolutePath().getParent();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (n == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            String at = "label file " + labels + " line " + (n + 1) + ": ";
            int tab = line.indexOf('\t');
            if (tab < 0 || line.indexOf('\t', tab + 1) >= 0) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, at + (tab < 0 ? "no tab" : "more than one tab")
                        + " in '" + line + "'; expected 'relative/path.png<TAB>text'");
            }
            String name = line.substring(0, tab), text = line.substring(tab + 1);
            if (name.isBlank()) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, at + "no image path before the tab");
            }
            if (text.isBlank()) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, at + "the text of " + name + " is empty");
            }
            Path file;
            try {
                file = base.resolve(name);
            } catch (InvalidPathException e) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, at + "'" + name + "' is not a path", e);
            }
            if (!Files.isRegularFile(file)) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, at + "image " + file + " does not exist");
            }
            files.add(file);
            texts.add(text);
        }
        if (files.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "label file " + labels + " holds no entries "
                    + "(one 'relative/path.png<TAB>text' per line)");
        }
        return new Entries(labels, files, texts);
    }

    /** The label file read. */
    public Path labels() {
        return labels;
    }

    @Override
    public String text(int i) {
        return texts.get(i);
    }

    @Override
    public String source(int i) {
        return file(i).toString();
    }

    @Override
    int label(int i) {
        return -1;
    }
}
