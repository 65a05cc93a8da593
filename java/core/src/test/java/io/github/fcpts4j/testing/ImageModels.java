package io.github.fcpts4j.testing;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxExporter;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import javax.imageio.ImageIO;

/**
 * Test fixtures for real-data commands: colour classifiers with a symbolic width (input x [N, C, 48, W]
 * or x [N, 48, W, C]) whose arg-max class is known for rendered text-line images, the images themselves
 * (java.awt, DejaVu Sans, headless), and a hand-written reference that feeds ONNX Runtime directly.
 */
public final class ImageModels {
    private ImageModels() {
    }

    /** One rendered image and its class index. */
    public record Sample(BufferedImage image, int label) {
    }

    /**
     * 1x1 conv (mixing matrix {@code mix}, C x C) -> global average pool -> Gemm ({@code classes} rows of C
     * weights, bias 0). With {@code nhwc} the input is [N, 48, W, C] and a Transpose feeds the conv.
     * Dimension W is symbolic (dim_param "W"), the batch is "N".
     */
    public static Path classifier(Path file, int channels, float[][] mix, float[][] classes, boolean nhwc) {
        NetBuilder b = new NetBuilder("text_line", 1, NetBuilder.Init.TRAINING);
        String x = nhwc ? b.input("x", 48, 192, channels) : b.input("x", channels, 48, 192);
        if (nhwc) {
            x = b.node(OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 3, 1, 2}), x);
        }
        String conv = b.node(OpType.CONV, Attributes.of("kernel_shape", new long[] {1, 1}, "strides",
                new long[] {1, 1}, "pads", new long[] {0, 0, 0, 0}, "group", 1L, "dilations", new long[] {1, 1}), x,
                b.constant("mix", TensorData.ofFloats(new long[] {channels, channels, 1, 1}, flat(mix))));
        String pooled = b.node(OpType.FLATTEN, Attributes.of("axis", 1L),
                b.node(OpType.GLOBAL_AVERAGE_POOL, Attributes.empty(), conv));
        String logits = b.node(OpType.GEMM, Attributes.of("transB", 1L), pooled,
                b.constant("fc", TensorData.ofFloats(new long[] {classes.length, channels}, flat(classes))),
                b.constant("fc_bias", TensorData.ofFloats(new long[] {classes.length}, new float[classes.length])));
        b.output(logits, -1, classes.length);
        OnnxExporter.write(b.build(), file);
        try {
            OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file)).toBuilder();
            OnnxMl.TensorShapeProto.Builder shape = m.getGraphBuilder().getInputBuilder(0).getTypeBuilder()
                    .getTensorTypeBuilder().getShapeBuilder();
            shape.getDimBuilder(nhwc ? 2 : 3).clearDimValue().setDimParam("W");
            Files.write(file, m.build().toByteArray());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    /** An identity-like C x C mixing matrix: 1 on the diagonal, small seeded noise elsewhere. */
    public static float[][] nearIdentity(int c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] m = new float[c][c];
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < c; j++) {
                m[i][j] = i == j ? 1f : (float) (0.04 * (rng.nextDouble() - 0.5));
            }
        }
        return m;
    }

    private static float[] flat(float[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        }
        return out;
    }

    /**
     * {@code perClass} images per class of {@code width} x {@code height}: a background of the class colour
     * (jittered), a line of text in a darker shade of it, and, where {@code distractor} is given, everything
     * outside the centre {@code height} x {@code height} square painted in the distractor's colour instead.
     * Written as PNGs to {@code dir/<class>/<i>.png} (with {@code labelled}) or {@code dir/<i % 3>/...}.
     */
    public static List<Sample> render(Path dir, Map<String, Color> colours, int perClass, int width, int height,
                                      Function<Integer, Color> distractor, boolean labelled) throws Exception {
        SplittableRandom rng = new SplittableRandom(7);
        List<Sample> out = new ArrayList<>();
        List<String> names = new ArrayList<>(colours.keySet());
        java.util.Collections.sort(names);
        for (int label = 0; label < names.size(); label++) {
            Color base = colours.get(names.get(label));
            for (int i = 0; i < perClass; i++) {
                BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = image.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                Color bg = jitter(base, rng);
                g.setColor(bg);
                g.fillRect(0, 0, width, height);
                if (distractor != null) {
                    g.setColor(distractor.apply(label));
                    int left = (width - height) / 2;
                    g.fillRect(0, 0, left, height);
                    g.fillRect(left + height, 0, width - left - height, height);
                }
                g.setColor(bg.darker());
                g.setFont(new Font("DejaVu Sans", Font.PLAIN, height / 2));
                g.drawString("Zeile " + rng.nextInt(1000), 4, height * 3 / 4);
                g.dispose();
                Path file = labelled ? dir.resolve(names.get(label)).resolve(i + ".png")
                        : dir.resolve("part" + (i % 3)).resolve(names.get(label) + "_" + i + ".png");
                Files.createDirectories(file.getParent());
                ImageIO.write(image, "png", file.toFile());
                out.add(new Sample(image, label));
            }
        }
        return out;
    }

    private static Color jitter(Color c, SplittableRandom rng) {
        return new Color(clamp(c.getRed() + rng.nextInt(-15, 16)), clamp(c.getGreen() + rng.nextInt(-15, 16)),
                clamp(c.getBlue() + rng.nextInt(-15, 16)));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /**
     * Top-1 of {@code model} in ONNX Runtime on tensors built by {@code tensor} (one sample's floats) with
     * {@code shape} (one sample, batch 1 prepended here).
     */
    public static double top1(Path model, List<Sample> samples, Function<BufferedImage, float[]> tensor, long[] shape)
            throws Exception {
        ai.djl.engine.Engine.getEngine("OnnxRuntime"); // DJL creates the one environment first (see eval.OrtModel)
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int hits = 0;
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            for (Sample sample : samples) {
                long[] full = {1, shape[0], shape[1], shape[2]};
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(tensor.apply(sample.image())), full);
                     OrtSession.Result r = s.run(Map.of("x", x))) {
                    float[] logits = ((float[][]) r.get(0).getValue())[0];
                    int best = 0;
                    for (int k = 1; k < logits.length; k++) {
                        best = logits[k] > logits[best] ? k : best;
                    }
                    hits += best == sample.label() ? 1 : 0;
                }
            }
        }
        return (double) hits / samples.size();
    }

    /** Channel c (0 = R, 1 = G, 2 = B) of pixel (x, y), 0..255. */
    public static int rgb(BufferedImage image, int x, int y, int c) {
        return (image.getRGB(x, y) >> (16 - 8 * c)) & 0xff;
    }
}
