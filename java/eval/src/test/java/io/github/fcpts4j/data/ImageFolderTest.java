package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.eval.OrtEvaluator;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxExporter;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** imagefolder: data on generated PNGs: labels by sorted class folder, torchvision preprocessing, ORT scoring. */
class ImageFolderTest {

    private static void png(Path file, int w, int h, Color color) throws Exception {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, w, h);
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    private static Path folder(Path dir) throws Exception {
        png(dir.resolve("b_blue/1.png"), 300, 200, Color.BLUE);
        png(dir.resolve("b_blue/2.png"), 64, 90, new Color(20, 30, 240));
        png(dir.resolve("a_red/1.png"), 250, 250, Color.RED);
        png(dir.resolve("a_red/2.png"), 40, 33, new Color(230, 10, 10));
        png(dir.resolve("a_red/3.png"), 500, 120, new Color(200, 40, 60));
        Files.writeString(dir.resolve("a_red/notes.txt"), "not an image");
        return dir;
    }

    @Test
    void labelsFollowSortedClassFoldersAndPixelsAreNormalized(@TempDir Path dir) throws Exception {
        ImageFolder f = new ImageFolder(folder(dir), Preprocessing.imagenet()
                .withResize(new Preprocessing.ShorterSide(32, 24)));
        assertEquals(List.of("a_red", "b_blue"), f.classes());
        assertEquals(5, f.size());
        float[] img = new float[3 * 24 * 24];
        assertEquals(0, f.read(0, img, 0));
        assertEquals((1f - 0.485f) / 0.229f, img[0], 1e-5f, "red channel of a pure red image");
        assertEquals((0f - 0.406f) / 0.225f, img[2 * 24 * 24 + 100], 1e-5f, "blue channel");
        assertEquals(1, f.read(3, img, 0));
    }

    @Test
    void onnxRuntimeScoresAColourClassifierOnTheFolder(@TempDir Path dir) throws Exception {
        NetBuilder b = new NetBuilder("colour", 1, NetBuilder.Init.TRAINING);
        String pooled = b.node(OpType.FLATTEN, Attributes.of("axis", 1L),
                b.node(OpType.GLOBAL_AVERAGE_POOL, Attributes.empty(), b.input("image", 3, 24, 24)));
        String logits = b.node(OpType.GEMM, Attributes.of("transB", 1L), pooled,
                b.constant("w", TensorData.ofFloats(new long[] {2, 3}, new float[] {1, 0, -1, -1, 0, 1})));
        b.output(logits, -1, 2);
        Graph g = b.build();
        Path model = dir.resolve("colour.onnx");
        OnnxExporter.write(g, model);
        LabeledImages images = DataSpec.open("imagefolder:" + folder(dir.resolve("images")),
                DataSpec.Role.EVALUATION, Preprocessing.imagenet().withResize(new Preprocessing.ShorterSide(32, 24)));
        OrtEvaluator.Accuracy a = OrtEvaluator.evaluate(model, images, 2);
        assertEquals(5, a.samples());
        assertEquals(1.0, a.top1(), 0.0);
    }

    @Test
    void folderWithoutClassesIsAnError(@TempDir Path dir) {
        assertThrows(FcptsException.class, () -> new ImageFolder(dir, Preprocessing.imagenet()));
    }
}
