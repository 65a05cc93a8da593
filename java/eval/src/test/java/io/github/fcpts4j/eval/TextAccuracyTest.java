package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Levenshtein distance over code points on cases whose distance is known by hand, and the sums behind
 * character and line accuracy (exact: counts, so no tolerance beyond the one division).
 */
class TextAccuracyTest {

    @Test
    void levenshteinCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(3, TextAccuracy.levenshtein("kitten", "sitting"), "k->s, e->i, +g");
        assertEquals(3, TextAccuracy.levenshtein("", "abc"));
        assertEquals(3, TextAccuracy.levenshtein("abc", ""));
        assertEquals(0, TextAccuracy.levenshtein("", ""));
        assertEquals(0, TextAccuracy.levenshtein("same", "same"));
        assertEquals(2, TextAccuracy.levenshtein("ab", "ba"), "a swap is two edits, not one");
        assertEquals(1, TextAccuracy.levenshtein("Hello world", "Helloworld"), "a dropped space costs one");
        assertEquals(4, TextAccuracy.levenshtein("flaw", "lawn") + TextAccuracy.levenshtein("ab", "ba"));
        assertEquals(1, TextAccuracy.levenshtein("𣇉a", "a"), "a character outside the BMP is one code point");
        assertEquals(1, TextAccuracy.levenshtein("𣇉", "𣇊"), "and a substitution of it is one edit");
        assertEquals(TextAccuracy.levenshtein("saturday", "sunday"), TextAccuracy.levenshtein("sunday", "saturday"));
        assertEquals(3, TextAccuracy.levenshtein("saturday", "sunday"));
    }

    @Test
    void accuracyIsOneMinusEditsOverTruthCharacters() {
        TextAccuracy a = new TextAccuracy();
        assertEquals(0, a.add("hello", "hello"));
        assertEquals(1, a.add("world", "word"));
        assertEquals(3, a.add("𣇉ab", ""));
        TextAccuracy.Score s = a.score();
        assertEquals(3, s.lines());
        assertEquals(1, s.exact());
        assertEquals(4, s.edits());
        assertEquals(13, s.truthChars(), "5 + 5 + 3 code points");
        assertEquals(1 - 4.0 / 13, s.charAccuracy(), 1e-15);
        assertEquals(1.0 / 3, s.lineAccuracy(), 1e-15);
        a.add("a", "abcdefghijklmnop");
        assertEquals(1 - 19.0 / 14, a.score().charAccuracy(), 1e-15, "below 0 when the output is far too long");
        assertEquals(1, new TextAccuracy().score().charAccuracy());
        assertEquals(0, new TextAccuracy().score().lineAccuracy());
    }
}
