package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greedy CTC decoding and PaddleOCR's class mapping on hand-made score sequences: each step is a one-hot-ish
 * row (0.9 on the chosen class, the rest shared), so the expected text is known by construction; repeats,
 * blanks between repeats, the space class, ties and non-finite scores; and the dictionary's parsing (entries
 * kept as written, so indices never shift) and its fit to the class count.
 */
class CtcDecoderTest {
    /** a, b, c: classes 0 blank, 1 a, 2 b, 3 c, 4 space. */
    private static final CtcDictionary ABC = CtcDictionary.parse("a\nb\nc\n", "test");

    /** One row per step, 0.9 on the given class and 0.1 / (C - 1) elsewhere. */
    private static float[] steps(int classes, int... path) {
        float[] v = new float[path.length * classes];
        for (int t = 0; t < path.length; t++) {
            for (int c = 0; c < classes; c++) {
                v[t * classes + c] = c == path[t] ? 0.9f : 0.1f / (classes - 1);
            }
        }
        return v;
    }

    private static String decode(int classes, int... path) {
        return new CtcDecoder(ABC, classes).decode(steps(classes, path), 0, path.length);
    }

    @Test
    void repeatsCollapseAndBlanksSeparate() {
        assertEquals("abc", decode(5, 1, 2, 3));
        assertEquals("abc", decode(5, 1, 1, 2, 2, 2, 3), "repeats in consecutive steps are one character");
        assertEquals("aa", decode(5, 1, 0, 1), "a blank between two a's keeps both");
        assertEquals("a", decode(5, 0, 1, 1, 0, 0), "leading and trailing blanks vanish");
        assertEquals("", decode(5, 0, 0, 0));
        assertEquals("", decode(5));
        assertEquals("ab c", decode(5, 1, 2, 4, 4, 3), "class K + 1 is the space when C = K + 2");
        assertEquals("a a", decode(5, 1, 4, 1));
        assertEquals("cab", decode(4, 3, 0, 1, 2), "C = K + 1: no space class");
    }

    @Test
    void tiesGoToTheFirstMaximumAndOffsetsAreHonoured() {
        float[] v = {0.5f, 0.5f, 0, 0, 0, /* step 2 */ 0, 0.3f, 0.3f, 0.3f, 0};
        assertArrayEquals(new int[] {}, CtcDecoder.path(v, 0, 1, 5, "t"), "blank and a tie: blank, as argmax");
        assertArrayEquals(new int[] {1}, CtcDecoder.path(v, 5, 1, 5, "t"));
        float[] two = new float[15];
        System.arraycopy(steps(5, 3, 3, 2), 0, two, 0, 15);
        assertEquals("cb", new CtcDecoder(ABC, 5).decode(two, 0, 3));
        float[] logits = {-3, 2, -1, 0, 1, /* */ 5, -2, -2, -2, -2, /* */ -1, 4, 0, 0, 0};
        assertEquals("aa", new CtcDecoder(ABC, 5).decode(logits, 0, 3), "logits decode as probabilities do");
    }

    @Test
    void nonFiniteScoresAreRefusedNamingTheStep() {
        float[] v = steps(5, 1, 2);
        v[5 + 3] = Float.NaN;
        FcptsException e = assertThrows(FcptsException.class, () -> new CtcDecoder(ABC, 5).decode(v, 0, 2,
                "m.onnx's output 'y', sample 7"));
        assertEquals(ErrorCode.NON_FINITE_INPUT, e.code());
        assertTrue(e.getMessage().contains("m.onnx's output 'y', sample 7: score NaN at time step 1, class 3"),
                e.getMessage());
    }

    @Test
    void dictionaryMappingFollowsPaddleOcr() {
        assertArrayEquals(new String[] {"", "a", "b", "c", " "}, ABC.symbols(5));
        assertArrayEquals(new String[] {"", "a", "b", "c"}, ABC.symbols(4));
        assertTrue(new CtcDecoder(ABC, 5).space());
        assertFalse(new CtcDecoder(ABC, 4).space());
        assertTrue(ABC.fits(4) && ABC.fits(5) && !ABC.fits(3) && !ABC.fits(6));
        String wrong = assertThrows(FcptsException.class, () -> ABC.symbols(6)).getMessage();
        assertTrue(wrong.contains("the 3-entry CTC dictionary from test does not fit an output of 6 classes: "
                + "expected 4 (blank + entries) or 5 (blank + entries + space)"), wrong);
        assertEquals(List.of((int) ' ', (int) 'a', (int) 'b', (int) 'c'), List.copyOf(ABC.codePoints(5)));
    }

    @Test
    void dictionaryEntriesAreKeptAsWritten(@TempDir Path dir) throws Exception {
        assertEquals(List.of("a", "b"), CtcDictionary.parse("a\nb", "s").entries(), "no final newline");
        assertEquals(List.of("a", "b"), CtcDictionary.parse("a\r\nb\r\n", "s").entries(), "CRLF");
        assertEquals(List.of("a", "", "b"), CtcDictionary.parse("a\n\nb\n", "s").entries(),
                "an empty line is an entry: dropping it would shift every later class");
        assertEquals(List.of("𣇉", " ", "x"), CtcDictionary.parse("𣇉\n \nx\n", "s").entries());
        Path file = Files.writeString(dir.resolve("keys.txt"), "\uFEFF0\n1\n", StandardCharsets.UTF_8);
        CtcDictionary d = CtcDictionary.fromFile(file);
        assertEquals(List.of("0", "1"), d.entries());
        assertEquals("dictionary file " + file, d.source());
        assertTrue(CtcDictionary.fromMetadata(Map.of("other", "x"), "m").isEmpty());
        assertEquals(List.of("x", "y"), CtcDictionary.fromMetadata(Map.of("character", "x\ny"), "m.onnx")
                .orElseThrow().entries());
        String missing = assertThrows(FcptsException.class, () -> CtcDictionary.fromFile(dir.resolve("none.txt")))
                .getMessage();
        assertTrue(missing.contains("dictionary file " + dir.resolve("none.txt") + " cannot be read"), missing);
        Files.write(file, new byte[] {(byte) 0xc3, '\n'});
        assertTrue(assertThrows(FcptsException.class, () -> CtcDictionary.fromFile(file)).getMessage()
                .contains("is not UTF-8 text"));
        Files.writeString(file, "");
        assertTrue(assertThrows(FcptsException.class, () -> CtcDictionary.fromFile(file)).getMessage()
                .contains("is empty"));
    }
}
