package io.github.fcpts4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.IdxDataset;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.models.Architectures;
import io.github.fcpts4j.models.Trainer;
import io.github.fcpts4j.onnx.OnnxExporter;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime (via DJL) and fcpts4j's own engine agree on the accuracy of the same file. */
class OrtEvaluatorTest {

    @Test
    void ortAccuracyEqualsTheEngineAccuracy(@TempDir Path dir) {
        Graph g = Architectures.build("mobilenetv2-small", 3);
        Path file = dir.resolve("m.onnx");
        OnnxExporter.write(g, file);
        IdxDataset calib = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.CALIBRATION);
        OrtEvaluator.Accuracy ort = OrtEvaluator.evaluate(file, calib, 256);
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            double ours = Trainer.accuracy(g, calib, cpu);
            // Trainer.accuracy scores whole batches of 500: the first 2000 of 2048 images
            OrtEvaluator.Accuracy ortFirst2000 = OrtEvaluator.evaluate(file, calib.head(2000), 500);
            assertEquals(ortFirst2000.top1(), ours, 1.0 / 2000 + 1e-12, "at most one arg-max tie may differ");
        }
        assertEquals(2048, ort.samples());
    }

    /** A NaN weight makes every score NaN, which ranks every label first: refused instead of a 100 % top-1. */
    @Test
    void nonFiniteOutputsAreRefusedNamingTheOutputAndSample(@TempDir Path dir) {
        Graph g = Architectures.build("resnet20", 1);
        String w = g.prunableNodes().get(0).input(1);
        float[] bad = g.initializer(w).orElseThrow().floats();
        java.util.Arrays.fill(bad, Float.NaN);
        Path file = dir.resolve("nan.onnx");
        OnnxExporter.write(g.withInitializer(w, io.github.fcpts4j.ir.TensorData.ofFloats(
                g.initializer(w).orElseThrow().dims(), bad)), file);
        IdxDataset test = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.TEST);
        FcptsException e = assertThrows(FcptsException.class, () -> OrtEvaluator.evaluate(file, test, 16));
        assertEquals(io.github.fcpts4j.ErrorCode.NON_FINITE_INPUT, e.code());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("for sample 0"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("output '"), e.getMessage());
    }

    /** One label past the classes among otherwise valid ones is named, not scored or thrown as an index error. */
    @Test
    void aLabelOutsideTheClassesIsATypedErrorNamingItsSample() {
        IdxDataset test = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.TEST);
        io.github.fcpts4j.data.LabeledImages oneBad = new io.github.fcpts4j.data.LabeledImages() {
            public int size() {
                return 8;
            }

            public int channels() {
                return test.channels();
            }

            public int rows() {
                return test.rows();
            }

            public int cols() {
                return test.cols();
            }

            public int read(int i, float[] dst, int offset) {
                int label = test.read(i, dst, offset);
                return i == 3 ? 10 : label;
            }
        };
        Path model = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");
        FcptsException e = assertThrows(FcptsException.class, () -> OrtEvaluator.evaluate(model, oneBad, 4));
        assertEquals(io.github.fcpts4j.ErrorCode.INVALID_ARGUMENT, e.code());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("label 10 of sample 3 is outside the 10 "
                + "classes"), e.getMessage());
    }

    @Test
    void missingModelIsATypedError(@TempDir Path dir) {
        IdxDataset calib = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.CALIBRATION);
        assertThrows(FcptsException.class, () -> OrtEvaluator.evaluate(dir.resolve("none.onnx"), calib, 10));
    }
}
