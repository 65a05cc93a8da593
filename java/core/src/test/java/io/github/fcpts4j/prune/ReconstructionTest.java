package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.data.ChannelsLast;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.IdxDataset;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.engine.ExecutorOptions;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.onnx.OnnxImporter;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconstruction loss of any model ({@link ReconstructionPlan}, {@link Reconstruction}) on a two-head
 * graph with an NHWC input [N, 28, 28, 1]: a sequence head Softmax over the last axis of [N, 49, 6] (an OCR
 * recognizer's shape) and a regression map [N, 7, 7, 2] (NHWC, as M-LSD's). The plan gives KL on the
 * softmax's logits and the normalized MSE on the map; the loss and the gradient seeds equal a double
 * computation of the same formulas for one batch; {@code outputs} restricts the loss; an unknown output is
 * a typed error listing the outputs; a short prune on the embedded (CHW) data, seen NHWC, is exact. The
 * shipped classifiers keep exactly the loss they always had.
 */
class ReconstructionTest {
    private static final int BATCH = 8;

    @TempDir
    Path dir;

    /** x [N, 28, 28, 1] -> NCHW -> two stride-2 convs [N, 8, 7, 7] -> the two heads. */
    static Graph twoHeads(long seed) {
        NetBuilder b = new NetBuilder("two_heads", seed, NetBuilder.Init.RANDOM_STATISTICS);
        String x = b.input("x", 28, 28, 1);
        String nchw = b.node(OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 3, 1, 2}), x);
        String h = b.relu(b.batchNorm(b.conv(nchw, 1, 4, 3, 2, 1, false), 4));
        h = b.relu(b.conv(h, 4, 8, 3, 2, 1, true));
        String classes = b.conv(h, 8, 6, 1, 1, 1, true);
        String sequence = b.node(OpType.RESHAPE, Attributes.empty(), classes,
                b.constant("shape", TensorData.int64Vector(0, 6, 49)));
        String logits = b.node(OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 2, 1}), sequence);
        String probs = b.node(OpType.SOFTMAX, Attributes.of("axis", -1L), logits);
        b.output(probs, -1, 49, 6);
        String map = b.node(OpType.TRANSPOSE, Attributes.of("perm", new long[] {0, 2, 3, 1}),
                b.conv(h, 8, 2, 1, 1, 1, true));
        b.output(map, -1, 7, 7, 2);
        return b.build();
    }

    private static Map<String, long[]> shapes(Graph g, long... input) {
        return ShapeInference.infer(g, Map.of(g.inputs().get(0).name(), input));
    }

    private static List<ReconstructionTerm> plan(Graph g, List<String> outputs, FcptsConfig.ReconstructionLoss l) {
        return ReconstructionPlan.of(g, shapes(g, BATCH, 28, 28, 1), outputs, l);
    }

    private static String probs(Graph g) {
        return g.outputs().get(0).name();
    }

    private static String map(Graph g) {
        return g.outputs().get(1).name();
    }

    private static String logits(Graph g) {
        return g.producer(probs(g)).orElseThrow().input(0);
    }

    @Test
    void softmaxOutputGetsKlOnItsLogitsAndTheMapTheNormalizedMse() {
        Graph g = twoHeads(1);
        List<ReconstructionTerm> terms = plan(g, List.of(), FcptsConfig.ReconstructionLoss.KL);
        assertEquals(2, terms.size());
        ReconstructionTerm kl = terms.get(0), mse = terms.get(1);
        assertEquals(probs(g), kl.output());
        assertEquals(logits(g), kl.value(), "KL on the softmax's input, not on the probabilities");
        assertEquals(ReconstructionTerm.Loss.KL, kl.loss());
        assertEquals(1.0, kl.scale());
        assertEquals(false, kl.normalized());
        assertEquals(map(g), mse.output());
        assertEquals(map(g), mse.value());
        assertEquals(ReconstructionTerm.Loss.MSE, mse.loss());
        assertTrue(mse.normalized() && Double.isNaN(mse.scale()), "scale measured when the run starts");

        List<ReconstructionTerm> logitsMse = plan(g, List.of(), FcptsConfig.ReconstructionLoss.LOGITS_MSE);
        assertEquals(new ReconstructionTerm(probs(g), logits(g), ReconstructionTerm.Loss.MSE, false, 1.0, null),
                logitsMse.get(0), "--loss mse: the plain logits MSE on the same logits");
        assertEquals(mse, logitsMse.get(1));
    }

    @Test
    void logitsExposedNextToTheirSoftmaxShareOneTerm() {
        Graph g = twoHeads(1);
        List<io.github.fcpts4j.ir.ValueInfo> outputs = new java.util.ArrayList<>(g.outputs());
        outputs.add(new io.github.fcpts4j.ir.ValueInfo(logits(g), io.github.fcpts4j.ir.DataType.FLOAT,
                new long[] {-1, 49, 6}));
        Graph both = new Graph(g.name(), g.inputs(), outputs, g.nodes(), g.initializers());
        List<ReconstructionTerm> terms = plan(both, List.of(), FcptsConfig.ReconstructionLoss.KL);
        assertEquals(3, terms.size());
        assertEquals(new ReconstructionTerm(logits(g), logits(g), ReconstructionTerm.Loss.KL, false, 1.0, probs(g)),
                terms.get(2), "rule 2 (logits read by a softmax), the same value as the probabilities' term");
        assertNull(terms.get(0).sameAs());
    }

    /** The shipped models' output is Gemm logits [N, 10], their only output: KL on it, exactly as before. */
    @Test
    void shippedClassifiersKeepTodaysLoss() {
        for (String file : List.of("resnet20_fashion_mnist.onnx", "mobilenetv2_small_fashion_mnist.onnx")) {
            Graph g = OnnxImporter.read(Path.of("../../examples/models/" + file)).graph();
            assertEquals(1, g.outputs().size(), file);
            String out = g.outputs().get(0).name();
            Node producer = g.producer(out).orElseThrow();
            assertEquals(OpType.GEMM, producer.op(), file + " ends in a Gemm, not a Softmax");
            Map<String, long[]> shapes = shapes(g, 64, 1, 28, 28);
            assertEquals(List.of(64L, 10L), java.util.Arrays.stream(shapes.get(out)).boxed().toList());
            assertEquals(List.of(new ReconstructionTerm(out, out, ReconstructionTerm.Loss.KL, false, 1.0, null)),
                    ReconstructionPlan.of(g, shapes, List.of(), FcptsConfig.ReconstructionLoss.KL), file);
            assertEquals(List.of(new ReconstructionTerm(out, out, ReconstructionTerm.Loss.MSE, false, 1.0, null)),
                    ReconstructionPlan.of(g, shapes, List.of(), FcptsConfig.ReconstructionLoss.LOGITS_MSE), file);
            Set<String> observed = Reconstruction.observed(g, ReconstructionPlan.of(g, shapes, List.of(),
                    FcptsConfig.ReconstructionLoss.KL), Set.of());
            assertEquals(Set.of(), observed, "nothing extra observed: the executors compile as before");
        }
    }

    @Test
    void outputsRestrictTheTermsAndAnUnknownNameIsATypedError() throws Exception {
        Graph g = twoHeads(1);
        List<ReconstructionTerm> onlyMap = plan(g, List.of(map(g)), FcptsConfig.ReconstructionLoss.KL);
        assertEquals(List.of(map(g)), onlyMap.stream().map(ReconstructionTerm::output).toList());
        List<ReconstructionTerm> onlyProbs = plan(g, List.of(probs(g)), FcptsConfig.ReconstructionLoss.KL);
        assertEquals(List.of(ReconstructionTerm.Loss.KL), onlyProbs.stream().map(ReconstructionTerm::loss).toList());

        Path model = dir.resolve("two_heads.onnx");
        OnnxExporter.write(g, model);
        FcptsException e = assertThrows(FcptsException.class, () -> Pruner.builder().model(model)
                .calibration(DataSpec.DEFAULT).outputs("scores").build());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("'scores'") && e.getMessage().contains(probs(g))
                && e.getMessage().contains(map(g)), e.getMessage());
    }

    /**
     * One batch through teacher (dense) and student (two layers' weights scaled), against the formulas in
     * double: KL rows are the 8 x 49 sequence positions of 6 classes, dL/ds = (T / rows)(q - p); the map's
     * MSE is scale (1/N) sum (s - t)^2 with scale = 1 / mean over the 16 normalization samples of ||t_j||^2,
     * seed scale 2 (s - t) / N. Tolerance: the kernels compute in double from the same float values and
     * round each seed once to float (and the scaled one twice more: the float scale and the product), so
     * 1e-6 relative plus 1e-9 absolute on the seeds and 1e-9 relative on the loss.
     */
    @Test
    void lossAndSeedsMatchADoubleComputation() {
        Graph dense = twoHeads(3);
        List<Node> convs = dense.prunableNodes();
        Graph perturbed = dense;
        for (Node n : List.of(convs.get(1), convs.get(3))) {
            float[] w = dense.initializer(n.input(1)).orElseThrow().floats().clone();
            for (int i = 0; i < w.length; i++) {
                w[i] *= i % 3 == 0 ? 0f : 1.1f;
            }
            perturbed = perturbed.withInitializer(n.input(1), TensorData.ofFloats(
                    dense.initializer(n.input(1)).orElseThrow().dims(), w));
        }
        LabeledImages data = ChannelsLast.forInput(DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.CALIBRATION),
                dense.inputs().get(0).shape());
        long[] batchShape = {BATCH, 28, 28, 1};
        List<ReconstructionTerm> terms = plan(dense, List.of(), FcptsConfig.ReconstructionLoss.KL);
        ObjectiveSettings objective = FcptsConfig.defaults(0.5).objective();
        float temperature = objective.temperature();
        Set<String> observed = Reconstruction.observed(dense, terms, Set.of());
        assertEquals(Set.of(logits(dense)), observed);
        String in = dense.inputs().get(0).name(), lg = logits(dense), mp = map(dense);
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults());
             TensorScope scope = new TensorScope();
             NetworkExecutor teacher = NetworkExecutor.compile(dense, cpu, Map.of(in, batchShape),
                     ExecutorOptions.inference().observing(observed));
             NetworkExecutor student = NetworkExecutor.compile(perturbed, cpu, Map.of(in, batchShape),
                     ExecutorOptions.training().observing(observed))) {
            Reconstruction rec = new Reconstruction(scope, cpu, terms, Set.of(), objective, BATCH, student, Map.of());
            assertTrue(rec.needsNormalization());
            Tensor batch = scope.allocate(cpu, batchShape);
            float[] images = new float[BATCH * 28 * 28];
            double sumSquares = 0;
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < BATCH; i++) {
                    data.read(b * BATCH + i, images, i * 28 * 28);
                }
                batch.copyFrom(images);
                teacher.runFromTensors(Map.of(in, batch));
                for (float v : teacher.value(mp).toArray()) {
                    sumSquares += (double) v * v;
                }
            }
            double expectedScale = 1 / (sumSquares / (2 * BATCH));
            int[] pass = {0};
            rec.normalize(teacher, 2, b -> {
                for (int i = 0; i < BATCH; i++) {
                    data.read(b * BATCH + i, images, i * 28 * 28);
                }
                batch.copyFrom(images);
                teacher.runFromTensors(Map.of(in, batch));
                pass[0]++;
            });
            assertEquals(2, pass[0]);
            assertEquals(expectedScale, rec.terms().get(1).scale(), 1e-12 * expectedScale);
            assertEquals(Set.of(lg, mp), rec.seeds().keySet());

            for (int i = 0; i < BATCH; i++) {
                data.read(40 + i, images, i * 28 * 28);
            }
            batch.copyFrom(images);
            teacher.runFromTensors(Map.of(in, batch));
            student.runFromTensors(Map.of(in, batch));
            double loss = rec.compute(cpu.network(), student, teacher);

            float[] s = student.value(lg).toArray(), t = teacher.value(lg).toArray();
            float[] klSeed = rec.seeds().get(lg).toArray();
            int rows = BATCH * 49, classes = 6;
            double kl = 0;
            for (int r = 0; r < rows; r++) {
                double[] p = softmax(t, r * classes, classes, temperature);
                double[] q = softmax(s, r * classes, classes, temperature);
                for (int c = 0; c < classes; c++) {
                    kl += p[c] * (Math.log(p[c]) - Math.log(q[c]));
                    double ref = temperature / rows * (q[c] - p[c]);
                    assertClose(ref, klSeed[r * classes + c], "kl seed row " + r + " class " + c);
                }
            }
            kl *= (double) temperature * temperature / rows;

            float[] sm = student.value(mp).toArray(), tm = teacher.value(mp).toArray();
            float[] mseSeed = rec.seeds().get(mp).toArray();
            double mse = 0;
            for (int i = 0; i < sm.length; i++) {
                double d = (double) sm[i] - tm[i];
                mse += d * d;
                assertClose(expectedScale * 2 * d / BATCH, mseSeed[i], "mse seed " + i);
            }
            mse *= expectedScale / BATCH;
            assertTrue(kl > 1e-4 && mse > 1e-3, "both terms non-trivial: kl " + kl + ", mse " + mse);
            assertEquals(kl + mse, loss, 1e-9 * (kl + mse));
        }
    }

    private static double[] softmax(float[] z, int offset, int n, double temperature) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, z[offset + i] / temperature);
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.exp(z[offset + i] / temperature - max);
            sum += out[i];
        }
        for (int i = 0; i < n; i++) {
            out[i] /= sum;
        }
        return out;
    }

    private static void assertClose(double ref, float got, String what) {
        assertTrue(Math.abs(got - ref) <= 1e-9 + 1e-6 * Math.abs(ref), what + ": " + got + " vs " + ref);
    }

    /** FCPTS on the two-head graph, calibrated with the embedded CHW data seen NHWC: exact, terms reported. */
    @Test
    void shortPruneOfTheTwoHeadGraphIsExactAndReportsItsTerms() throws Exception {
        Graph g = twoHeads(5);
        Path model = dir.resolve("two_heads.onnx");
        OnnxExporter.write(g, model);
        Pruner.Builder b = Pruner.builder().model(model).calibration(DataSpec.DEFAULT).backend("cpu").iterations(6)
                .batch(BATCH).calibrationSamples(32).targetSparsity(0.6);
        PruneResult all = b.build().run();
        assertEquals(Math.round(0.6 * all.totalWeights()), all.prunedWeights());
        Path out = dir.resolve("pruned.onnx");
        all.export(out);
        long zeros = 0, total = 0;
        for (Node n : OnnxImporter.read(out).graph().prunableNodes()) {
            TensorData w = OnnxImporter.read(out).graph().initializer(n.input(1)).orElseThrow();
            zeros += w.zeros();
            total += w.size();
        }
        assertEquals(Math.round(0.6 * total), zeros, "exactly round(S* N) zeros in the exported file");
        for (double r : all.reconstructionCurve()) {
            assertTrue(Double.isFinite(r) && r > 0, "loss " + r);
        }
        JsonArray terms = JsonParser.parseString(all.toJson()).getAsJsonObject().getAsJsonArray(
                "reconstruction_terms");
        assertEquals(2, terms.size());
        JsonObject kl = terms.get(0).getAsJsonObject(), mse = terms.get(1).getAsJsonObject();
        assertEquals("kl", kl.get("loss").getAsString());
        assertEquals(logits(g), kl.get("value").getAsString());
        assertEquals(4.0, kl.get("temperature").getAsDouble());
        assertEquals("mse", mse.get("loss").getAsString());
        assertEquals("teacher_mean_square", mse.get("normalization").getAsString());
        double scale = mse.get("scale").getAsDouble();
        assertTrue(scale > 0 && Double.isFinite(scale), "scale " + scale);

        PruneResult onlyMap = b.outputs(map(g)).build().run();
        assertEquals(Math.round(0.6 * onlyMap.totalWeights()), onlyMap.prunedWeights());
        assertEquals(List.of(map(g)), onlyMap.reconstructionTerms().stream().map(ReconstructionTerm::output)
                .toList());
        assertEquals(scale, onlyMap.reconstructionTerms().get(0).scale(), 0.0, "same data, same scale");

        // a decision threshold weighs the map's squared error toward the decision (DecisionWeightingTest has
        // the formula): at step 1 (same masks, same batch) the loss is another number
        PruneResult decided = b.outputs(map(g)).configure(c -> c.decisions(Map.of(map(g), 0.3f))).build().run();
        JsonObject term = JsonParser.parseString(decided.toJson()).getAsJsonObject()
                .getAsJsonArray("reconstruction_terms").get(0).getAsJsonObject();
        assertEquals(0.3f, term.get("decision_threshold").getAsFloat());
        assertEquals("batch_weighted_teacher_mean_square", term.get("normalization").getAsString());
        double weighted = decided.reconstructionCurve()[0], plain = onlyMap.reconstructionCurve()[0];
        assertTrue(Double.isFinite(weighted) && Math.abs(weighted - plain) > 0.01 * plain, weighted + " against "
                + plain);
        assertEquals(Math.round(0.6 * decided.totalWeights()), decided.prunedWeights());
        FcptsException unknown = assertThrows(FcptsException.class, () -> Pruner.builder().model(model)
                .calibration(DataSpec.DEFAULT).configure(c -> c.decisions(Map.of("scores", 0.5f))).build());
        assertEquals(ErrorCode.INVALID_ARGUMENT, unknown.code());
        assertTrue(unknown.getMessage().contains("decision threshold output 'scores'"), unknown.getMessage());
    }
}
