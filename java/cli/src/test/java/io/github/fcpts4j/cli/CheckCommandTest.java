package io.github.fcpts4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.testing.ImageModels;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * {@code fcpts check} as a user sees it: the shipped ResNet-20 passes; the same file fails (exit 1, ok false,
 * a large max_abs) when our engine is given one changed weight that ONNX Runtime does not see, so a check
 * that skipped the comparison would fail here; usage errors exit 2 naming --input-shape; --help; JSON fields.
 */
class CheckCommandTest {
    private static final String RESNET = "../../examples/models/resnet20_fashion_mnist.onnx";

    /** Runs the CLI with {@code check} built around {@code engineModel} (what our engine runs). */
    private static RealDataCommandsTest.Result run(UnaryOperator<OnnxModel> engineModel, String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == CheckCommand.class ? cls.cast(new CheckCommand(engineModel))
                        : CommandLine.defaultFactory().create(cls);
            }
        };
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = FcptsCli.run(factory, args);
            return new RealDataCommandsTest.Result(code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static RealDataCommandsTest.Result run(String... args) {
        return RealDataCommandsTest.run(args);
    }

    /** Adds 0.5 to the first weight of the first prunable layer, for our engine only. */
    private static OnnxModel oneWeightChanged(OnnxModel m) {
        Graph g = m.graph();
        String w = g.prunableNodes().get(0).input(1);
        TensorData t = g.initializer(w).orElseThrow();
        float[] v = t.floats().clone();
        v[0] += 0.5f;
        return m.withGraph(g.withInitializer(w, TensorData.ofFloats(t.dims(), v)));
    }

    @Test
    void shippedModelPassesWithSmallErrors() {
        RealDataCommandsTest.Result r = run("check", "--model", RESNET, "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = r.json();
        assertTrue(j.get("ok").getAsBoolean(), r.out());
        assertEquals(RESNET, j.get("model").getAsString());
        assertEquals(1, j.get("seed").getAsLong());
        JsonArray inputs = j.getAsJsonArray("inputs");
        assertEquals("[1,1,28,28]", inputs.get(0).getAsJsonObject().get("shape").toString(), "batch defaults to 1");
        JsonArray outputs = j.getAsJsonArray("outputs");
        assertEquals(1, outputs.size(), r.out());
        JsonObject o = outputs.get(0).getAsJsonObject();
        for (String field : new String[] {"name", "shape", "max_abs", "max_rel", "ok"}) {
            assertTrue(o.has(field), field + " in " + o);
        }
        assertEquals("[1,10]", o.get("shape").toString());
        assertTrue(o.get("ok").getAsBoolean());
        double maxAbs = o.get("max_abs").getAsDouble();
        assertTrue(maxAbs < 1e-4, "max_abs " + maxAbs);
        assertTrue(o.get("max_rel").getAsDouble() >= 0);

        RealDataCommandsTest.Result text = run("check", "--model", RESNET, "--seed", "7", "--input-shape",
                "image=3,1,28,28");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("[3,10]"), "the given batch is used: " + text.out());
        assertTrue(text.out().contains("ok: 1 of 1 outputs within"), text.out());
    }

    @Test
    void aWeightOnlyOurEngineSeesFailsWithExitCode1() {
        RealDataCommandsTest.Result same = run(UnaryOperator.identity(), "check", "--model", RESNET, "--json");
        assertEquals(0, same.code(), "control: the seam itself changes nothing: " + same.err());

        RealDataCommandsTest.Result r = run(CheckCommandTest::oneWeightChanged, "check", "--model", RESNET,
                "--json");
        assertEquals(1, r.code(), r.out() + r.err());
        JsonObject j = r.json();
        assertFalse(j.get("ok").getAsBoolean(), r.out());
        JsonObject o = j.getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertFalse(o.get("ok").getAsBoolean());
        assertTrue(o.get("max_abs").getAsDouble() > 1e-3, "a changed conv weight moves the logits: " + o);
        assertTrue(o.get("mismatches").getAsLong() > 0, o.toString());
        assertTrue(o.get("message").getAsString().contains("worst ["), o.toString());

        RealDataCommandsTest.Result text = run(CheckCommandTest::oneWeightChanged, "check", "--model", RESNET);
        assertEquals(1, text.code());
        assertTrue(text.out().contains("FAIL: ") && text.out().contains("FAILED: 0 of 1 outputs"), text.out());
    }

    @Test
    void usageErrorsExit2NamingTheOption(@TempDir Path dir) {
        Path model = ImageModels.classifier(dir.resolve("m.onnx"), 3, ImageModels.nearIdentity(3, 1),
                RealDataCommandsTest.RGB_CLASSES, false);
        String m = model.toString();
        assertUsage("give --input-shape x=D1,D2,...", "check", "--model", m);
        assertUsage("--input-shape y: the model has no input 'y'; its inputs: x", "check", "--model", m,
                "--input-shape", "y=1,3,48,192");
        assertUsage("--input-shape 'x=1,3,a': expected NAME=D1,D2,...", "check", "--model", m, "--input-shape",
                "x=1,3,a");
        assertUsage("--input-shape x=1,4,48,192: dimension 1 is fixed to 3", "check", "--model", m,
                "--input-shape", "x=1,4,48,192");
        assertUsage("--input-shape x=1,3,48 has 3 dimensions", "check", "--model", m, "--input-shape", "x=1,3,48");
        assertUsage("--model " + dir.resolve("none.onnx") + ": no such file", "check", "--model",
                dir.resolve("none.onnx").toString());
        assertUsage("Unknown options: '--sed'", "check", "--model", m, "--sed", "3");

        RealDataCommandsTest.Result ok = run("check", "--model", m, "--input-shape", "x=2,3,48,64", "--json");
        assertEquals(0, ok.code(), ok.err());
        assertEquals("[2,3,48,64]", ok.json().getAsJsonArray("inputs").get(0).getAsJsonObject().get("shape")
                .toString());
        assertEquals("[2,4]", ok.json().getAsJsonArray("outputs").get(0).getAsJsonObject().get("shape").toString());
    }

    @Test
    void aModelTheImporterRefusesIsATypedErrorWithItsMessage(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("unsupported.onnx");
        ai.onnx.proto.OnnxMl.ModelProto.Builder b = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(
                java.nio.file.Files.readAllBytes(Path.of(RESNET))).toBuilder();
        // an op ONNX Runtime runs and the importer does not know: a final Hardmax over the logits
        ai.onnx.proto.OnnxMl.GraphProto.Builder g = b.getGraphBuilder();
        String logits = g.getOutput(0).getName();
        g.addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setName("hm").setOpType("Hardmax")
                .addInput(logits).addOutput("hard"));
        g.setOutput(0, g.getOutput(0).toBuilder().setName("hard"));
        java.nio.file.Files.write(model, b.build().toByteArray());
        RealDataCommandsTest.Result r = run("check", "--model", model.toString(), "--json");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("UNSUPPORTED_MODEL") && r.err().contains("'hm' (Hardmax"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        JsonObject j = r.json();
        assertFalse(j.get("ok").getAsBoolean());
        assertEquals("UNSUPPORTED_MODEL", j.getAsJsonObject("error").get("code").getAsString());
    }

    @Test
    void helpWorks() {
        for (String flag : new String[] {"-h", "--help"}) {
            RealDataCommandsTest.Result r = run("check", flag);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("Usage: fcpts check"), r.out());
            assertTrue(r.out().contains("--input-shape=NAME=D1,D2,...") && r.out().contains("--seed")
                    && r.out().contains("--device") && r.out().contains("--json"), r.out());
        }
    }

    private static void assertUsage(String expected, String... args) {
        RealDataCommandsTest.Result r = run(args);
        assertEquals(2, r.code(), String.join(" ", args) + ": " + r.out() + r.err());
        assertTrue(r.err().contains(expected), String.join(" ", args) + ": " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}
