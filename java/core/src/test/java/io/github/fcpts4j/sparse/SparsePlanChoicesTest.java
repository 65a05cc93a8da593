package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.GlobalPruning;
import io.github.fcpts4j.testing.TestData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plan choices saved, loaded and pinned: a FASTEST plan of ResNet-20 pruned to 90 % (timed), its choices saved
 * and loaded, and a build pinned to them makes the same decisions, gives bit-equal outputs and times nothing
 * (every layer's times and the network check are NaN, where the timed plan has numbers). Loading a missing,
 * malformed or other-version file, and pinning choices made for another model, backend, input shape or layer
 * set, fail with {@link ErrorCode#INVALID_ARGUMENT} naming the file and what differs.
 */
class SparsePlanChoicesTest extends CpuTest {
    private static final long[] SHAPE = {1, 1, 28, 28};
    private static final SparsePlan.Options TIMED = SparsePlan.Options.defaults().withTimingRuns(1);

    @TempDir
    Path dir;

    private Path pruned(double sparsity, String name) {
        OnnxModel m = OnnxImporter.read(SparsePlanServingTest.MODEL);
        Path file = dir.resolve(name);
        OnnxExporter.write(m.withGraph(GlobalPruning.prune(m.graph(), sparsity)), file);
        return file;
    }

    private static String inputOf(Path model) {
        return OnnxImporter.read(model).graph().inputs().get(0).name();
    }

    @Test
    void aPinnedBuildMakesTheSavedChoicesWithoutTimingAndTheSameOutputs() {
        Path model = pruned(0.9, "resnet20_90.onnx");
        String input = inputOf(model);
        float[] x = TestData.uniform(784, 3, 1.0);
        Path saved = dir.resolve("choices.json");
        float[] y;
        PlanChoices made;
        List<SparsePlan.LayerChoice> timed;
        try (SparsePlan plan = SparsePlan.build(model, cpu, Map.of(input, SHAPE), TIMED)) {
            timed = plan.choices();
            assertTrue(timed.stream().anyMatch(c -> !Double.isNaN(c.denseMs())), "the FASTEST plan timed layers");
            made = plan.planChoices();
            made.save(saved);
            y = plan.run(Map.of(input, x)).get(plan.outputNames().get(0));
        }
        PlanChoices loaded = PlanChoices.load(saved);
        assertEquals(saved.toString(), loaded.origin());
        assertEquals(List.of(made.model(), made.modelSha256(), made.backend(), made.inputShapes(), made.layers()),
                List.of(loaded.model(), loaded.modelSha256(), loaded.backend(), loaded.inputShapes(),
                        loaded.layers()));
        assertEquals("resnet20_90.onnx", loaded.model());
        assertEquals(timed.size(), loaded.layers().size());
        try (SparsePlan pinned = SparsePlan.build(model, cpu, Map.of(input, SHAPE), TIMED.pinnedTo(loaded))) {
            assertEquals(timed.stream().map(SparsePlan.LayerChoice::sparse).toList(),
                    pinned.choices().stream().map(SparsePlan.LayerChoice::sparse).toList());
            assertTrue(pinned.choices().stream().allMatch(c -> Double.isNaN(c.denseMs())
                    && Double.isNaN(c.sparseMs())), "nothing timed");
            assertTrue(Double.isNaN(pinned.networkCheck().denseMs()) && Double.isNaN(pinned.networkCheck().mixedMs()));
            assertFalse(pinned.networkCheck().fellBack());
            assertArrayEquals(y, pinned.run(Map.of(input, x)).get(pinned.outputNames().get(0)), "bit-equal");
        }
    }

    @Test
    void pinningChoicesThatDoNotFitNamesTheFileAndTheDifference() {
        Path model = pruned(0.9, "a.onnx");
        String input = inputOf(model);
        PlanChoices c;
        try (SparsePlan plan = SparsePlan.build(model, cpu, Map.of(input, SHAPE),
                SparsePlan.Options.defaults().withPolicy(SparsePlan.Policy.SPARSE))) {
            c = plan.planChoices();
        }
        List<PlanChoices.Layer> renamed = new ArrayList<>(c.layers());
        renamed.set(0, new PlanChoices.Layer("bogus", true));
        Path other = pruned(0.95, "b.onnx");
        assertMismatch(c, other, SHAPE, "SHA-256 " + c.modelSha256() + " (a.onnx)");
        assertMismatch(c, model, new long[] {2, 1, 28, 28}, "input shapes {" + input + "=[1, 1, 28, 28]}");
        assertMismatch(new PlanChoices(c.model(), c.modelSha256(), "cuda", c.inputShapes(), c.layers(), ""), model,
                SHAPE, "made on backend 'cuda', this plan runs on 'cpu'");
        assertMismatch(new PlanChoices(c.model(), c.modelSha256(), c.backend(), c.inputShapes(), renamed, ""), model,
                SHAPE, "no entry for layer '" + c.layers().get(0).node() + "'");
        List<PlanChoices.Layer> extra = new ArrayList<>(c.layers());
        extra.add(new PlanChoices.Layer("bogus", false));
        assertMismatch(new PlanChoices(c.model(), c.modelSha256(), c.backend(), c.inputShapes(), extra, ""), model,
                SHAPE, "name layer 'bogus', which this plan does not have");
    }

    /** Saves {@code choices}, loads them and pins them in a build of {@code model}: it fails naming both. */
    private void assertMismatch(PlanChoices choices, Path model, long[] shape, String expected) {
        Path file = dir.resolve("mismatch.json");
        choices.save(file);
        PlanChoices loaded = PlanChoices.load(file);
        FcptsException e = assertThrows(FcptsException.class, () -> SparsePlan.build(model, cpu,
                Map.of(inputOf(model), shape), SparsePlan.Options.defaults().pinnedTo(loaded)).close());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage() + " lacks " + expected);
    }

    @Test
    void loadingABadFileNamesItAndWhatIsWrong() throws Exception {
        assertLoadFails(dir.resolve("missing.json"), "does not exist");
        assertLoadFails(Files.writeString(dir.resolve("bad.json"), "{\"format\": "), "is not valid JSON");
        assertLoadFails(Files.writeString(dir.resolve("other.json"), "{\"model\": \"m.onnx\"}"),
                "not a plan choices file");
        String v2 = "{\"format\": \"fcpts4j-plan-choices\", \"version\": 2}";
        assertLoadFails(Files.writeString(dir.resolve("v2.json"), v2), "version 2; this fcpts4j reads version 1");
        String noLayers = "{\"format\": \"fcpts4j-plan-choices\", \"version\": 1, \"model\": \"m\", \"modelSha256\": "
                + "\"00\", \"backend\": \"cpu\", \"inputShapes\": {\"x\": [1, 2]}}";
        assertLoadFails(Files.writeString(dir.resolve("no_layers.json"), noLayers), "field layers is missing");
    }

    private static void assertLoadFails(Path file, String expected) {
        FcptsException e = assertThrows(FcptsException.class, () -> PlanChoices.load(file));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(expected), e.getMessage());
    }
}
