package io.github.fcpts4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.testing.TestNets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fp16 models: weights read into fp32 exactly, changed weights written back as fp16, rounded to nearest even. */
class Float16Test {

    @Test
    void everyHalfSurvivesTheRoundTripThroughFloat() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Float16.toFloat(h);
            int back = Float16.fromFloat(f) & 0xffff;
            if (Float.isNaN(f)) {
                assertTrue((back & 0x7c00) == 0x7c00 && (back & 0x3ff) != 0, "NaN " + Integer.toHexString(h));
            } else {
                assertEquals(h, back, "half 0x" + Integer.toHexString(h) + " = " + f);
            }
        }
    }

    @Test
    void floatsRoundToTheNearestHalfTiesToEven() {
        assertEquals(0x3c00, Float16.fromFloat(1f) & 0xffff);
        assertEquals(0x3c00, Float16.fromFloat(1f + 0x1p-11f) & 0xffff, "a tie rounds to the even 1.0");
        assertEquals(0x3c02, Float16.fromFloat(1f + 3 * 0x1p-11f) & 0xffff, "a tie rounds to the even 1+2^-9");
        assertEquals(0x3c01, Float16.fromFloat(1f + 0x1p-11f + 0x1p-20f) & 0xffff, "above the tie rounds up");
        assertEquals(0x7c00, Float16.fromFloat(70000f) & 0xffff, "overflow is infinity");
        assertEquals(0x0001, Float16.fromFloat(0x1p-24f) & 0xffff, "the smallest subnormal");
        assertEquals(0x0000, Float16.fromFloat(0x1p-26f) & 0xffff, "below half of it: zero");
        assertEquals(-1.5f, Float16.toFloat(Float16.fromFloat(-1.5f) & 0xffff));
    }

    @Test
    void fp16WeightsImportAsFloatsAndExportBackAsFp16(@TempDir Path dir) throws Exception {
        Path fp32 = dir.resolve("fp32.onnx");
        OnnxExporter.write(TestNets.resnet20(3), fp32);
        OnnxMl.ModelProto.Builder b = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(fp32)).toBuilder();
        OnnxMl.GraphProto.Builder g = b.getGraphBuilder();
        String name = g.getInitializer(0).getName();
        TensorData original = OnnxTensors.read(g.getInitializer(0), "test");
        g.setInitializer(0, OnnxTensors.write(name, original, Float16.ONNX_TYPE));
        OnnxModel model = OnnxImporter.fromProto(b.build(), "fp16 test", Map.of());
        assertTrue(model.float16Weights());
        float[] read = model.graph().initializer(name).orElseThrow().floats(), want = original.floats();
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float16.toFloat(Float16.fromFloat(want[i]) & 0xffff), read[i], 0f, "weight " + i);
        }
        float[] zeroed = read.clone();
        zeroed[0] = 0f;
        zeroed[1] = 0.1f;
        Graph changed = model.graph().withInitializer(name, TensorData.ofFloats(original.dims(), zeroed));
        Path out = dir.resolve("pruned.onnx");
        OnnxExporter.write(model.withGraph(changed), out);
        OnnxMl.TensorProto written = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out)).getGraph().getInitializerList()
                .stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
        assertEquals(Float16.ONNX_TYPE, written.getDataType(), "an fp16 weight stays fp16");
        float[] back = OnnxTensors.read(written, "test").floats();
        assertEquals(0f, back[0]);
        assertEquals(Float16.toFloat(Float16.fromFloat(0.1f) & 0xffff), back[1], 0f);
        assertArrayEquals(java.util.Arrays.copyOfRange(read, 2, read.length),
                java.util.Arrays.copyOfRange(back, 2, back.length), 0f);
        assertFalse(OnnxImporter.read(fp32).float16Weights());
    }
}
