package io.github.fcpts4j.testing;

import ai.onnx.proto.OnnxMl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tiny CTC "recognizers" for tests: the input x reshaped to y [N, T, C] (T x C = the input's elements per
 * sample), so the test chooses the scores, and hence the decoded text, through the input itself; optionally
 * class 1 of y lowered by 10 (a reference that never reads class 1, whether the scores are probabilities or
 * +-1) and the dictionary in
 * {@code metadata_props} under {@code character}, as RapidOCR's PP-OCR files carry it.
 */
public final class CtcModels {
    private CtcModels() {
    }

    private static OnnxMl.ValueInfoProto value(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    /**
     * Writes x [N, input...] -> y [N, steps, classes].
     *
     * @param input      the input's dimensions after the batch (symbolic batch "N")
     * @param dropFirst  y's class 1 minus 10
     * @param dictionary the {@code character} metadata, or null for none
     */
    public static Path write(Path file, long[] input, int steps, int classes, boolean dropFirst, String dictionary)
            throws IOException {
        return write(file, input, steps, classes, dropFirst, dictionary, false);
    }

    /**
     * As above; with {@code conv} a 1 x 1 convolution over the input's C = input[0] channels comes first (weights
     * 1 on the diagonal, 0.01 elsewhere: prunable, and too small to change any arg-max of +-1 scores).
     */
    public static Path write(Path file, long[] input, int steps, int classes, boolean dropFirst, String dictionary,
                             boolean conv) throws IOException {
        long[] x = new long[input.length + 1];
        x[0] = -1;
        System.arraycopy(input, 0, x, 1, input.length);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("ctc")
                .addInput(value("x", x)).addOutput(value("y", -1, steps, classes))
                .addInitializer(OnnxMl.TensorProto.newBuilder().setName("shape").addDims(3).setDataType(7)
                        .addInt64Data(0).addInt64Data(steps).addInt64Data(classes))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Reshape").addInput(conv ? "c" : "x")
                        .addInput("shape").addOutput(dropFirst ? "r" : "y"));
        if (conv) {
            int c = Math.toIntExact(input[0]);
            OnnxMl.TensorProto.Builder w = OnnxMl.TensorProto.newBuilder().setName("w").addDims(c).addDims(c)
                    .addDims(1).addDims(1).setDataType(1);
            for (int o = 0; o < c; o++) {
                for (int i = 0; i < c; i++) {
                    w.addFloatData(o == i ? 1f : 0.01f);
                }
            }
            g.addInitializer(w);
            g.addNode(0, OnnxMl.NodeProto.newBuilder().setOpType("Conv").addInput("x").addInput("w").addOutput("c")
                    .build());
        }
        if (dropFirst) {
            OnnxMl.TensorProto.Builder bias = OnnxMl.TensorProto.newBuilder().setName("bias").addDims(classes)
                    .setDataType(1);
            for (int c = 0; c < classes; c++) {
                bias.addFloatData(c == 1 ? -10 : 0);
            }
            g.addInitializer(bias);
            g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").addInput("r").addInput("bias").addOutput("y"));
        }
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g);
        if (dictionary != null) {
            m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("character").setValue(dictionary));
        }
        Files.write(file, m.build().toByteArray());
        return file;
    }
}
