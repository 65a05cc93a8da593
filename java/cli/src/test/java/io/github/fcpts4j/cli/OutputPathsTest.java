package io.github.fcpts4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output paths are checked against the inputs as files and against each other before any work: an input
 * reached through a symbolic or hard link is never overwritten, two outputs never share a file, and a
 * directory or a missing directory as an output is refused at once. Every case leaves the input bytes and
 * the directory as they were (nothing half-written). A plain prune of the model takes tens of seconds, so
 * each refusal also shows that no work was done before it.
 */
class OutputPathsTest {
    private static final Path MODEL = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");

    @TempDir
    Path dir;
    private Path model;
    private byte[] before;

    @BeforeEach
    void copyModel() throws Exception {
        model = dir.resolve("same.onnx");
        Files.copy(MODEL, model);
        before = Files.readAllBytes(model);
    }

    private void assertRefused(String expected, String... args) throws Exception {
        List<Path> listing;
        try (var s = Files.list(dir)) {
            listing = s.sorted().toList();
        }
        long start = System.nanoTime();
        RealDataCommandsTest.Result r = RealDataCommandsTest.run(args);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertArrayEquals(before, Files.readAllBytes(model), "the input model is untouched");
        try (var s = Files.list(dir)) {
            assertEquals(listing, s.sorted().toList(), "nothing written, no temp file left");
        }
        assertTrue(seconds < 20, "refused before the work (" + seconds + " s)");
    }

    @Test
    void anOutputThatIsTheInputThroughASymbolicLinkIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link.onnx"), model);
        assertRefused("is the input model", "prune", "--model", link.toString(), "--out", model.toString(),
                "--method", "global", "--no-eval");
        assertRefused("is the input model", "export", "--model", link.toString(), "--out", model.toString());
    }

    @Test
    void anOutputThatIsTheInputThroughAHardLinkIsRefused() throws Exception {
        Path hard = Files.createLink(dir.resolve("hard.onnx"), model);
        assertRefused("is the input model", "prune", "--model", model.toString(), "--out", hard.toString(),
                "--method", "global", "--no-eval");
    }

    @Test
    void aReportOrChartOnTheModelOrOnAnotherOutputIsRefused() throws Exception {
        Path out = dir.resolve("out.onnx");
        assertRefused("--report " + model + " is the input model", "prune", "--model", model.toString(), "--out",
                out.toString(), "--report", model.toString(), "--method", "global", "--no-eval");
        assertRefused("is the same file as --out", "prune", "--model", model.toString(), "--out", out.toString(),
                "--report", dir.resolve("./out.onnx").toString(), "--method", "global", "--no-eval");
        assertRefused("--chart", "prune", "--model", model.toString(), "--out", dir.resolve("c.layers.png").toString(),
                "--chart", dir.resolve("c").toString(), "--method", "global", "--no-eval");
        assertFalse(Files.exists(out));
    }

    @Test
    void aDirectoryOrAMissingDirectoryAsOutputIsRefusedBeforeTheWork() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertRefused("is a directory", "prune", "--model", model.toString(), "--out", sub.toString(),
                "--method", "global", "--no-eval");
        assertRefused("does not exist", "prune", "--model", model.toString(), "--out",
                dir.resolve("nowhere/out.onnx").toString(), "--method", "global", "--no-eval");
    }
}
