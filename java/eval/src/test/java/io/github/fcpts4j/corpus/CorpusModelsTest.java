package io.github.fcpts4j.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.RandomImages;
import io.github.fcpts4j.eval.EngineCheck;
import io.github.fcpts4j.eval.OrtModel;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.prune.PruneResult;
import io.github.fcpts4j.prune.Pruner;
import io.github.fcpts4j.testing.CorpusModels;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corpus model ({@link CorpusModels}: PP-OCR detectors and recognizer, M-LSD, BlazeFace), one test per
 * model and property, so the report says which model fails and why (the importer's list of unsupported
 * nodes, a check's worst output, a pruning error):
 * <ol>
 * <li>it imports with the table's input shape and our engine matches ONNX Runtime on seeded inputs
 *     ({@link EngineCheck}, |ours - ref| <= 1e-4 + 1e-4 |ref| on every output);</li>
 * <li>a short FCPTS run (20 steps of batch 2, target 0.5, 8 seeded random calibration images in the model's
 *     input layout; the files that fix their batch at 1 are relaxed for it) exports exactly round(0.5 N) zeros
 *     over the N prunable weights with the input declared as in the original, and the exported file runs in
 *     ONNX Runtime with all outputs finite.</li>
 * </ol>
 * Tagged {@code corpus}, part of {@code mvn -B verify}; {@code -Dfcpts.excludedGroups=slow,corpus} leaves it
 * out, and {@code mvn -B -pl java/eval -am test -Dtest=CorpusModelsTest -Dsurefire.failIfNoSpecifiedTests=false}
 * runs just this class.
 */
@Tag("corpus")
class CorpusModelsTest {
    static final double TARGET = 0.5;

    @TempDir
    Path dir;

    static List<CorpusModels.Model> models() {
        return CorpusModels.ALL;
    }

    @ParameterizedTest(name = "{0}: imports and our engine matches ONNX Runtime")
    @MethodSource("models")
    void engineMatchesOnnxRuntime(CorpusModels.Model m) {
        named(m, () -> engineMatches(m));
    }

    private static void engineMatches(CorpusModels.Model m) {
        Path file = CorpusModels.path(m);
        OnnxModel onnx = OnnxImporter.read(file, m.inputShapes());
        EngineCheck.Result r = EngineCheck.compare(file, onnx, EngineCheck.Settings.defaults()
                .withInputShapes(m.inputShapes()).withInputRange(m.low(), m.high()));
        assertEquals(m.outputs(), r.outputs().size(), m.id() + " outputs: " + describe(r));
        assertTrue(r.ok(), m.id() + ": " + describe(r));
    }

    @ParameterizedTest(name = "{0}: a short FCPTS run at 0.5 is exact and its export runs in ONNX Runtime")
    @MethodSource("models")
    void shortFcptsRunIsExactAndRunsInOnnxRuntime(CorpusModels.Model m) {
        named(m, () -> shortRun(m));
    }

    private void shortRun(CorpusModels.Model m) {
        Path file = CorpusModels.path(m);
        // batch 2: the M-LSD and BlazeFace files fix their batch at 1, so their run goes through BatchRelaxation
        PruneResult r = Pruner.builder().model(file, m.inputShapes()).calibration(randomImages(m, 8, 3))
                .backend("cpu").seed(1).iterations(20).batch(2).calibrationSamples(8).targetSparsity(TARGET)
                .build().run();
        Path out = dir.resolve(m.id() + ".p50.onnx");
        r.export(out);

        Graph g = OnnxImporter.read(out, m.inputShapes()).graph();
        assertArrayEquals(OnnxImporter.read(file, m.inputShapes()).graph().inputs().get(0).shape(),
                g.inputs().get(0).shape(), m.id() + ": the export declares the input as the original does");
        long zeros = 0, total = 0;
        for (Node n : g.prunableNodes()) {
            TensorData w = g.initializer(n.input(1)).orElseThrow();
            zeros += w.zeros();
            total += w.size();
        }
        assertEquals(Math.round(TARGET * total), zeros, m.id() + ": zeros over " + total + " prunable weights");
        assertEquals(zeros, r.prunedWeights(), m.id() + ": the result counts what the file holds");

        Map<String, long[]> shapes = Map.of(m.input(), m.shape());
        try (OrtModel ort = OrtModel.open(out)) {
            List<OrtModel.Output> outputs = ort.run(EngineCheck.inputs(shapes, 2, m.low(), m.high()), shapes);
            assertEquals(m.outputs(), outputs.size(), m.id() + " outputs");
            for (OrtModel.Output o : outputs) {
                for (int i = 0; i < o.values().length; i++) {
                    float v = o.values()[i];
                    assertTrue(Float.isFinite(v), m.id() + ": output " + o.name() + " [" + i + "] = " + v);
                }
            }
        }
    }

    /** Runs {@code body}; an error it throws becomes a failure whose message starts with the model's id. */
    private static void named(CorpusModels.Model m, Runnable body) {
        try {
            body.run();
        } catch (AssertionError e) {
            throw e.getMessage() != null && e.getMessage().contains(m.id()) ? e
                    : new AssertionError(m.id() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new AssertionError(m.id() + " (" + m.task() + "): " + e.getMessage(), e);
        }
    }

    private static String describe(EngineCheck.Result r) {
        return r.outputs().stream().map(o -> o.name() + " " + Arrays.toString(o.shape()) + " max abs " + o.maxAbs()
                + ", max rel " + o.maxRel() + ": " + o.describe()).collect(Collectors.joining("; "));
    }

    /** Seeded random calibration images in the model's input range and layout. */
    private static LabeledImages randomImages(CorpusModels.Model m, int count, long seed) {
        return new RandomImages(m.sampleShape(), m.layout().equals("nhwc"), count, seed, m.low(), m.high());
    }
}
