package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.FcptsException;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text-line renderer writes a folder that {@code textlines:} reads back with the same labels, draws
 * only allowed characters (and no spaces where a space is not allowed), keeps every line within its aspect
 * limit, and is reproducible from its seed (same labels and the same PNG bytes on one machine).
 */
class TextLineRendererTest {

    @Test
    void rendersAFolderTextLinesReadsBack(@TempDir Path dir) throws Exception {
        List<TextLineRenderer.Line> lines = TextLineRenderer.render(dir, 30, 3, cp -> cp < 128);
        TextLineFolder folder = new TextLineFolder(dir, Preprocessing.paddleOcrRec());
        assertEquals(30, folder.size());
        boolean spaced = false;
        for (int i = 0; i < 30; i++) {
            assertEquals(lines.get(i).text(), folder.text(i));
            assertEquals(dir.resolve(lines.get(i).image()).toAbsolutePath(), folder.file(i));
            BufferedImage im = ImageIO.read(folder.file(i).toFile());
            assertTrue(im.getWidth() <= 320.0 / 48 * im.getHeight() + 1e-9, lines.get(i) + ": " + im.getWidth()
                    + " x " + im.getHeight());
            assertTrue(im.getHeight() >= 30 && im.getHeight() <= 70, "28 to 40 px fonts plus margins");
            assertEquals(lines.get(i).text().strip(), lines.get(i).text(), "no leading or trailing space");
            spaced |= lines.get(i).text().contains(" ");
        }
        assertTrue(spaced, "some lines hold several words");
    }

    @Test
    void theSeedFixesLabelsAndPixels(@TempDir Path dir) throws Exception {
        List<TextLineRenderer.Line> a = TextLineRenderer.render(dir.resolve("a"), 8, 11, cp -> cp < 128);
        List<TextLineRenderer.Line> b = TextLineRenderer.render(dir.resolve("b"), 8, 11, cp -> cp < 128);
        assertEquals(a, b);
        for (TextLineRenderer.Line l : a) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(l.image())),
                    Files.readAllBytes(dir.resolve("b").resolve(l.image())), l.image());
        }
        assertNotEquals(a, TextLineRenderer.render(dir.resolve("c"), 8, 12, cp -> cp < 128));
    }

    @Test
    void onlyAllowedCharactersAreDrawn(@TempDir Path dir) {
        for (TextLineRenderer.Line l : TextLineRenderer.render(dir.resolve("digits"), 20, 1,
                cp -> cp >= '0' && cp <= '9')) {
            assertTrue(l.text().matches("[0-9]+"), l.text());
        }
        for (TextLineRenderer.Line l : TextLineRenderer.render(dir.resolve("letters"), 20, 1,
                cp -> Character.isLetter(cp))) {
            assertTrue(l.text().matches("\\p{L}+"), "no space allowed, so one word a line: " + l.text());
        }
        String none = assertThrows(FcptsException.class, () -> TextLineRenderer.render(dir.resolve("x"), 1, 1,
                cp -> cp == 'Q')).getMessage();
        assertTrue(none.contains("admit none of the renderer's English words and numbers"), none);
        assertThrows(FcptsException.class, () -> TextLineRenderer.render(dir.resolve("y"), 0, 1, cp -> true));
    }
}
