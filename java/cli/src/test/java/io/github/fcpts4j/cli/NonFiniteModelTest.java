package io.github.fcpts4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.prune.Pruner;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose BatchNorm gamma holds one NaN and whose classifier bias holds one +Inf: pruning (library and
 * CLI), export and bench refuse it naming the gamma (not the first conv, whose gradients the NaN would poison),
 * and inspect lists both tensors with their readers, counts and first index.
 */
class NonFiniteModelTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static String gamma;
    private static String gammaReader;
    private static String bias;

    @BeforeAll
    static void poisonAModel() {
        OnnxModel onnx = OnnxImporter.read(Path.of("../../examples/models/resnet20_fashion_mnist.onnx"));
        Graph g = onnx.graph();
        Node bn = g.nodes().stream().filter(n -> n.describe().startsWith("BatchNormalization")).skip(2).findFirst()
                .orElseThrow();
        gamma = bn.input(1);
        gammaReader = bn.describe() + " input 1";
        Graph dense = g;
        Node classifier = g.nodes().stream().filter(n -> n.describe().startsWith("Gemm")
                && dense.initializer(n.input(2)).isPresent()).findFirst().orElseThrow();
        bias = classifier.input(2);
        g = g.withInitializer(gamma, poisoned(g.initializer(gamma).orElseThrow(), 3, Float.NaN));
        g = g.withInitializer(bias, poisoned(g.initializer(bias).orElseThrow(), 0, Float.POSITIVE_INFINITY));
        model = dir.resolve("poisoned.onnx");
        OnnxExporter.write(onnx.withGraph(g), model);
    }

    private static TensorData poisoned(TensorData t, int index, float value) {
        float[] v = t.floats();
        v[index] = value;
        return TensorData.ofFloats(t.dims(), v);
    }

    @Test
    void pruningRefusesTheModelNamingTheGamma() {
        FcptsException e = assertThrows(FcptsException.class, () -> Pruner.builder().model(model)
                .calibration("embedded:fashion-mnist").build());
        assertEquals(ErrorCode.NON_FINITE_INPUT, e.code());
        assertTrue(e.getMessage().contains("tensor '" + gamma + "' (read by " + gammaReader + ") holds 1 NaN of"),
                e.getMessage());
        assertTrue(e.getMessage().contains("the first at index 3"), e.getMessage());
        assertFalse(e.getMessage().contains("layer 'conv"), "not blamed on a conv: " + e.getMessage());
    }

    @Test
    void pruneExportAndBenchSayWhichTensor() {
        String named = "tensor '" + gamma + "'";
        for (String[] args : new String[][] {
                {"prune", "--model", model.toString(), "--out", dir.resolve("p.onnx").toString(), "--no-eval"},
                {"export", "--model", model.toString(), "--out", dir.resolve("s.onnx").toString()},
                {"bench", "--model", model.toString(), "--batch", "1", "--runs", "1", "--warmup", "0"}}) {
            RealDataCommandsTest.Result r = RealDataCommandsTest.run(args);
            assertEquals(1, r.code(), args[0] + ": " + r.err());
            assertTrue(r.err().contains("NON_FINITE_INPUT") && r.err().contains(named), args[0] + ": " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        }
        assertFalse(dir.resolve("p.onnx").toFile().exists() || dir.resolve("s.onnx").toFile().exists(),
                "nothing written");
    }

    @Test
    void inspectListsEveryNonFiniteTensor() {
        RealDataCommandsTest.Result r = RealDataCommandsTest.run("inspect", "--model", model.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonArray found = r.json().getAsJsonArray("non_finite_tensors");
        assertEquals(2, found.size(), found.toString());
        JsonObject first = found.get(0).getAsJsonObject();
        JsonObject nan = first.get("tensor").getAsString().equals(gamma) ? first : found.get(1).getAsJsonObject();
        assertEquals(gamma, nan.get("tensor").getAsString());
        assertEquals(1, nan.get("nan").getAsLong());
        assertEquals(0, nan.get("infinite").getAsLong());
        assertEquals(3, nan.get("first_index").getAsLong());
        assertEquals(gammaReader, nan.getAsJsonArray("readers").get(0).getAsString());
        JsonObject inf = nan == first ? found.get(1).getAsJsonObject() : first;
        assertEquals(bias, inf.get("tensor").getAsString());
        assertEquals(1, inf.get("infinite").getAsLong());
        assertEquals(0, inf.get("first_index").getAsLong());
        assertTrue(r.err().contains("warning: tensor '" + gamma + "'"), r.err());
        RealDataCommandsTest.Result clean = RealDataCommandsTest.run("inspect", "--model",
                "../../examples/models/resnet20_fashion_mnist.onnx", "--json");
        assertEquals(0, clean.json().getAsJsonArray("non_finite_tensors").size(), "the shipped model is finite");
    }
}
