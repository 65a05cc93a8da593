package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

import javax.imageio.ImageIO;

/**
 * Renders a labelled {@code textlines:} folder for tests and benchmarks: {@code DIR/labels.txt} and
 * {@code DIR/images/line_NNNNN.png}, each line one to four English words and numbers (integers, decimals,
 * prices, percentages, dates, times) drawn in a DejaVu font (Sans, Serif or Sans Mono, plain or bold, 28 to
 * 40 px, anti-aliased, dark gray to black on light gray to white, a few pixels of margin), its label known by
 * construction. Only tokens made of characters the recognizer can output are used (a predicate over code
 * points, e.g. a CTC dictionary's), and words are joined by spaces only where a space is allowed. A line
 * stops growing before its width passes {@code maxAspect} times its height (PaddleOCR's 320 / 48 by
 * default), so the pad-right resize never squeezes it. The same seed gives the same labels on every machine
 * and the same pixels where the same fonts are installed (headless AWT; {@code -Djava.awt.headless=true}).
 */
public final class TextLineRenderer {
    /** The DejaVu families drawn in (fonts-dejavu-core). */
    public static final List<String> FONTS = List.of("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono");

    private static final String[] WORDS = ("the of and to in is for on that with as it at by from this be are or "
            + "was not have one all new more can time year page data model line text file price total order date "
            + "name city road north south east west river house water paper light green black white small large "
            + "first second third report market number value table image sample result energy garden "
            + "window station village summer winter spring autumn morning evening letter doctor engine signal "
            + "bridge coffee ticket airport hotel museum office school bank card phone email account invoice "
            + "Monday Tuesday Friday Sunday January March June October December London Paris Berlin Tokyo Boston "
            + "Total Price Date Name Page Model Street Avenue Hello World OCR CTC PDF USB WiFi ID No").split(" ");

    private TextLineRenderer() {
    }

    /** One rendered line: its image (relative to the folder) and its text. */
    public record Line(String image, String text) {
    }

    /**
     * Renders {@code count} lines into {@code dir} (created if missing; existing files of the same names are
     * replaced) with aspect ratio at most 320 / 48.
     *
     * @param allowed the code points the recognizer can read; tokens with any other are not drawn
     * @throws FcptsException INVALID_ARGUMENT when the DejaVu fonts are not installed, when {@code allowed}
     *                        admits no token, or naming the file that cannot be written
     */
    public static List<Line> render(Path dir, int count, long seed, IntPredicate allowed) {
        return render(dir, count, seed, allowed, 320.0 / 48);
    }

    /** {@link #render(Path, int, long, IntPredicate)} with the widest line as {@code maxAspect} x its height. */
    public static List<Line> render(Path dir, int count, long seed, IntPredicate allowed, double maxAspect) {
        if (count < 1 || !(maxAspect >= 1)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "render " + count + " lines with aspect "
                    + maxAspect + ": expected at least one line and an aspect >= 1");
        }
        requireFonts();
        boolean space = allowed.test(' ');
        SplittableRandom random = new SplittableRandom(seed);
        List<Line> lines = new ArrayList<>();
        StringBuilder labels = new StringBuilder();
        try {
            Files.createDirectories(dir.resolve("images"));
            for (int i = 0; i < count; i++) {
                Font font = new Font(FONTS.get(random.nextInt(FONTS.size())), random.nextInt(4) == 0 ? Font.BOLD
                        : Font.PLAIN, 28 + random.nextInt(13));
                int pad = 2 + random.nextInt(7), ink = random.nextInt(60), paper = 200 + random.nextInt(56);
                Graphics2D probe = hinted(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
                FontMetrics fm = probe.getFontMetrics(font);
                int height = fm.getAscent() + fm.getDescent() + 2 * pad;
                String text = line(random, allowed, space, fm, (int) (maxAspect * height) - 2 * pad);
                probe.dispose();
                int width = fm.stringWidth(text) + 2 * pad;
                BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = hinted(image);
                g.setColor(new Color(paper, paper, paper));
                g.fillRect(0, 0, width, height);
                g.setColor(new Color(ink, ink, ink));
                g.setFont(font);
                g.drawString(text, pad, pad + fm.getAscent());
                g.dispose();
                String name = String.format(Locale.ROOT, "images/line_%05d.png", i);
                Path file = dir.resolve(name);
                if (!ImageIO.write(image, "png", file.toFile())) {
                    throw new FcptsException(ErrorCode.INTERNAL, "no PNG writer for " + file);
                }
                lines.add(new Line(name, text));
                labels.append(name).append('\t').append(text).append('\n');
            }
            Files.writeString(dir.resolve(TextLineFolder.LABELS), labels, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot write the text lines into " + dir + ": "
                    + e, e);
        }
        return List.copyOf(lines);
    }

    private static Graphics2D hinted(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        return g;
    }

    /** A set of code points as the predicate {@link #render} takes. */
    public static IntPredicate allowing(Set<Integer> codePoints) {
        Set<Integer> copy = Set.copyOf(codePoints);
        return copy::contains;
    }

    /** Tokens joined while the line fits {@code room} pixels (at least one token). */
    private static String line(SplittableRandom random, IntPredicate allowed, boolean space, FontMetrics fm,
                               int room) {
        int words = space ? 1 + random.nextInt(4) : 1;
        StringBuilder text = new StringBuilder(token(random, allowed));
        for (int w = 1; w < words; w++) {
            String next = text + " " + token(random, allowed);
            if (fm.stringWidth(next) > room) {
                break;
            }
            text.setLength(0);
            text.append(next);
        }
        // a single token wider than the room (a long word in a large font) is cut to fit
        while (text.length() > 1 && fm.stringWidth(text.toString()) > room) {
            text.setLength(text.length() - 1);
        }
        return text.toString().strip().isEmpty() ? token(random, allowed) : text.toString().strip();
    }

    /** A word or a number whose every code point is allowed (giving up after many draws). */
    private static String token(SplittableRandom random, IntPredicate allowed) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            String t = random.nextInt(3) == 0 ? number(random) : WORDS[random.nextInt(WORDS.length)];
            if (t.codePoints().allMatch(allowed)) {
                return t;
            }
        }
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the recognizer's characters admit none of the "
                + "renderer's English words and numbers (tried 1000)");
    }

    private static String number(SplittableRandom r) {
        return switch (r.nextInt(7)) {
            case 0 -> Integer.toString(r.nextInt(100000));
            case 1 -> String.format(Locale.ROOT, "%d.%02d", r.nextInt(1000), r.nextInt(100));
            case 2 -> String.format(Locale.ROOT, "$%d.%02d", r.nextInt(500), r.nextInt(100));
            case 3 -> String.format(Locale.ROOT, "%d%%", r.nextInt(101));
            case 4 -> String.format(Locale.ROOT, "%04d-%02d-%02d", 1990 + r.nextInt(40), 1 + r.nextInt(12), 1 + r.nextInt(28));
            case 5 -> String.format(Locale.ROOT, "%02d:%02d", r.nextInt(24), r.nextInt(60));
            default -> String.format(Locale.ROOT, "No.%d", r.nextInt(1000));
        };
    }

    private static void requireFonts() {
        List<String> installed = Arrays.asList(GraphicsEnvironment.getLocalGraphicsEnvironment()
                .getAvailableFontFamilyNames());
        List<String> missing = FONTS.stream().filter(f -> !installed.contains(f)).toList();
        if (!missing.isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the text-line renderer draws in " + FONTS
                    + ", but " + missing + " are not installed (Debian: fonts-dejavu-core)");
        }
    }
}
