package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.testing.TestNets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library API end to end on real ONNX files: exactness of FCPTS on several
 * models and targets (counted in the exported file read back), FLOPs mode and
 * per-layer bounds, BatchNorm options, the listener (progress and cancel),
 * export / report / charts, and the typed errors of the builder.
 */
class PrunerTest {
    private static final Path RESNET20 = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");
    private static final Path MOBILENET = Path.of("../../examples/models/mobilenetv2_small_fashion_mnist.onnx");

    @TempDir
    Path dir;

    private static Pruner.Builder quick(Path model) {
        return Pruner.builder().model(model).calibration(DataSpec.DEFAULT).backend("cpu").iterations(4).batch(8)
                .calibrationSamples(16);
    }

    private static List<float[]> randomSamples(int count, int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] s = new float[size];
            for (int j = 0; j < size; j++) {
                s[j] = (float) rng.nextGaussian();
            }
            out.add(s);
        }
        return out;
    }

    /** Zeros and weights over the prunable layers of an ONNX file. */
    private static long[] zerosAndTotal(Path file) {
        Graph g = OnnxImporter.read(file).graph();
        long zeros = 0, total = 0;
        for (Node n : g.prunableNodes()) {
            TensorData w = g.initializer(n.input(1)).orElseThrow();
            zeros += w.zeros();
            total += w.size();
        }
        return new long[] {zeros, total};
    }

    @Test
    void fcptsExportsExactlyRoundSNZerosOnSeveralModels() throws Exception {
        Path allOps = dir.resolve("all_ops.onnx");
        OnnxExporter.write(TestNets.allOpsNet(3), allOps);
        for (double s : new double[] {0.0, 0.5, 0.95, 0.99}) {
            List<PruneResult> results = List.of(
                    quick(RESNET20).targetSparsity(s).build().run(),
                    quick(MOBILENET).targetSparsity(s).build().run(),
                    Pruner.builder().model(allOps).calibration(randomSamples(16, 3 * 17 * 17, 5), 3, 17, 17)
                            .backend("cpu").iterations(4).batch(8).calibrationSamples(16).targetSparsity(s).build()
                            .run());
            for (PruneResult r : results) {
                Path out = dir.resolve("pruned.onnx");
                r.export(out);
                long[] counted = zerosAndTotal(out);
                assertEquals(Math.round(s * counted[1]), counted[0], r.model().graph().name() + " at " + s);
                assertEquals(counted[0], r.prunedWeights());
                assertTrue(Math.abs(r.achievedSparsity() - s) <= 1.0 / counted[1], "|S - S*| <= 1/N");
            }
        }
    }

    /**
     * With a ramp the thresholds follow the ERK allocation of the cubic target for the first 9 of the 18
     * threshold steps (each step's hard sparsity is its target, the weights training under that mask), then
     * learn from S*; the run does not mistake the rising loss for a divergence (its reference is the loss at
     * the S* allocation) and the export is exact.
     */
    @Test
    void aRampedRunFollowsTheCubicTargetAndEndsExact() {
        PruneResult r = quick(RESNET20).iterations(24).targetSparsity(0.9).configure(c -> c.sparsityRamp(0.5))
                .build().run();
        double[] s = r.sparsityCurve();
        String curve = java.util.Arrays.toString(s);
        for (int k = 0; k < 9; k++) {
            double target = 0.9 * (1 - Math.pow(1 - (k + 1) / 9.0, 3));
            assertEquals(target, s[k], 0.01, "step " + (k + 1) + " on the ramp: " + curve);
        }
        assertEquals(0.9, s[17], 0.03, "near S* at the last threshold step: " + curve);
        assertEquals(Math.round(0.9 * r.totalWeights()), r.prunedWeights(), "exact at the end");
    }

    @Test
    void flopsModeMeetsTheMacTargetAndAllocatesDifferently() {
        PruneResult flops = quick(RESNET20).targetSparsity(0.6)
                .configure(c -> c.costBasis(FcptsConfig.CostBasis.FLOPS)).build().run();
        double maxCost = 28 * 28, totalMacs = 0;
        for (PruneResult.Layer l : flops.layers()) {
            totalMacs += l.weights() * 28.0 * 28.0; // an upper bound on every layer's MACs per weight
        }
        assertTrue(Math.abs(flops.achievedMacSparsity() - 0.6) <= maxCost / totalMacs,
                "MAC sparsity " + flops.achievedMacSparsity());
        assertTrue(Math.abs(flops.achievedSparsity() - 0.6) > 0.01,
                "parameter sparsity " + flops.achievedSparsity() + " should differ from the MAC target");
    }

    @Test
    void perLayerBoundsHold() {
        Graph g = OnnxImporter.read(RESNET20).graph();
        String first = g.prunableNodes().get(0).name();
        PruneResult r = quick(RESNET20).targetSparsity(0.7).configure(c -> c.layerSparsityRange(0.3, 0.8)
                .layerBounds(List.of(new FcptsConfig.LayerBound(first, 0, 0.1)))).build().run();
        assertEquals(Math.round(0.7 * r.totalWeights()), r.prunedWeights());
        for (PruneResult.Layer l : r.layers()) {
            double lo = l.name().equals(first) ? 0 : 0.3, hi = l.name().equals(first) ? 0.1 : 0.8;
            assertTrue(l.sparsity() >= lo - 1.0 / l.weights() && l.sparsity() <= hi, l.name() + " " + l.sparsity());
        }
        FcptsException typo = assertThrows(FcptsException.class, () -> quick(RESNET20).configure(c -> c.layerBounds(
                List.of(new FcptsConfig.LayerBound("no_such_conv*", 0, 0.5)))).build().run());
        assertEquals(ErrorCode.INVALID_ARGUMENT, typo.code());
        assertTrue(typo.getMessage().contains("no_such_conv*"), typo.getMessage());
    }

    @Test
    void batchNormOptionsChangeOnlyBatchNormTensorsBesidesTheWeights() {
        Graph dense = OnnxImporter.read(RESNET20).graph();
        Node bn = dense.nodes().stream().filter(n -> n.op() == OpType.BATCH_NORMALIZATION).findFirst().orElseThrow();
        PruneResult frozen = quick(RESNET20).configure(c -> c.batchNorm(FcptsConfig.BatchNormMode.FROZEN)).build()
                .run();
        PruneResult affine = quick(RESNET20).configure(c -> c.batchNorm(FcptsConfig.BatchNormMode.FROZEN_AFFINE))
                .build().run();
        PruneResult reestimated = quick(RESNET20).configure(c -> c.batchNorm(FcptsConfig.BatchNormMode.FROZEN_AFFINE)
                .reestimateBatchNorm(true)).build().run();
        PruneResult training = quick(RESNET20).build().run();
        assertEquals(FcptsConfig.BatchNormMode.AUTO, FcptsConfig.defaults(0.5).objective().batchNorm());
        BatchNormChoice chosen = training.batchNorm().orElseThrow();
        assertEquals(FcptsConfig.BatchNormMode.TRAIN, chosen.used(), "ResNet-20 on its own data: the published mode");
        assertTrue(chosen.discrepancy() > 0 && chosen.discrepancy() <= BatchNormChoice.LIMIT, chosen.describe());
        assertTrue(chosen.agreement() < BatchNormChoice.AGREEMENT_LIMIT
                && chosen.noiseAgreement() < chosen.agreement(), "16 samples: the decisions re-estimation changes "
                + "are within the noise of re-estimating on 8: " + chosen.describe());
        assertEquals(FcptsConfig.BatchNormMode.FROZEN, frozen.batchNorm().orElseThrow().used());
        assertTrue(Double.isNaN(frozen.batchNorm().orElseThrow().discrepancy()), "an explicit mode measures nothing");
        // the weight lr follows the statistics: published 0.01 where BatchNorm trains, 0.001 where it is fixed
        assertTrue(training.weightLrAuto() && frozen.weightLrAuto());
        assertEquals(ScheduleSettings.BATCH_STATISTICS_LR, training.weightLr());
        assertEquals(ScheduleSettings.FIXED_STATISTICS_LR, frozen.weightLr());
        assertEquals(ScheduleSettings.FIXED_STATISTICS_LR, affine.weightLr());
        PruneResult given = quick(RESNET20).configure(c -> c.weightLr(0.02f)).build().run();
        assertTrue(!given.weightLrAuto() && given.weightLr() == 0.02f, "a given lr is used as it is");
        Graph f = frozen.model().graph(), a = affine.model().graph(), r = reestimated.model().graph(),
                t = training.model().graph();
        for (int i = 1; i <= 4; i++) {
            assertArrayEqualsExactly(dense, f, bn.input(i), true);
            assertArrayEqualsExactly(dense, a, bn.input(i), i >= 3);   // gamma / beta learned, statistics kept
            assertArrayEqualsExactly(dense, r, bn.input(i), false);
            assertArrayEqualsExactly(dense, t, bn.input(i), false);    // running averages follow the student
        }
        java.util.Set<String> weights = new java.util.HashSet<>();
        dense.prunableNodes().forEach(n -> weights.add(n.input(1)));
        dense.nodes().stream().filter(n -> n.op() == OpType.BATCH_NORMALIZATION)
                .forEach(n -> weights.addAll(n.inputs().subList(1, 5)));
        for (String name : dense.initializers().keySet()) {
            if (!weights.contains(name) && dense.initializer(name).orElseThrow().isFloat()) {
                assertArrayEqualsExactly(dense, t, name, true);
            }
        }
        assertEquals(frozen.prunedWeights(), training.prunedWeights());
        assertEquals(frozen.prunedWeights(), reestimated.prunedWeights());
    }

    private static void assertArrayEqualsExactly(Graph a, Graph b, String tensor, boolean equal) {
        float[] x = a.initializer(tensor).orElseThrow().floats(), y = b.initializer(tensor).orElseThrow().floats();
        assertEquals(equal, java.util.Arrays.equals(x, y), tensor + (equal ? " should be unchanged" : " should change"));
    }

    @Test
    void aModelWithoutBatchNormGetsTheFixedStatisticsWeightLr() throws Exception {
        NetBuilder b = new NetBuilder("no_bn", 4, NetBuilder.Init.RANDOM_STATISTICS);
        String x = b.input("x", 3, 12, 12);
        x = b.relu(b.conv(x, 3, 8, 3, 1, 1, true));
        b.classifier(b.relu(b.conv(x, 8, 8, 3, 1, 1, true)), 8, 4);
        Path file = dir.resolve("no_bn.onnx");
        OnnxExporter.write(b.build(), file);
        PruneResult r = Pruner.builder().model(file).calibration(randomSamples(16, 3 * 12 * 12, 2), 3, 12, 12)
                .backend("cpu").iterations(4).batch(8).calibrationSamples(16).targetSparsity(0.5).build().run();
        assertEquals(FcptsConfig.BatchNormMode.TRAIN, r.batchNorm().orElseThrow().used());
        assertEquals(0.0, r.batchNorm().orElseThrow().discrepancy(), "nothing to measure without BatchNorm");
        assertTrue(r.weightLrAuto());
        assertEquals(ScheduleSettings.FIXED_STATISTICS_LR, r.weightLr(), "no batch statistics renormalize the layers");
        Path json = dir.resolve("no_bn.json");
        r.report(json);
        JsonObject schedule = JsonParser.parseString(Files.readString(json)).getAsJsonObject()
                .getAsJsonObject("schedule");
        assertEquals(ScheduleSettings.FIXED_STATISTICS_LR, schedule.get("weight_lr").getAsFloat());
        assertEquals("auto", schedule.get("weight_lr_choice").getAsString());
    }

    @Test
    void aDivergedRunStartsOverAtATenthOfTheWeightLr() {
        List<String> restarts = new ArrayList<>();
        List<IterationStats> seen = new ArrayList<>();
        PruneResult r = quick(RESNET20).iterations(6).configure(c -> c.weightLr(100f))
                .listener(new ProgressListener() {
                    @Override
                    public boolean onIteration(IterationStats s) {
                        seen.add(s);
                        return true;
                    }

                    @Override
                    public void onRestart(String reason) {
                        restarts.add(reason);
                    }
                }).build().run();
        assertFalse(restarts.isEmpty(), "an lr of 100 diverges");
        assertTrue(restarts.get(0).contains("diverged") && restarts.get(0).contains("with weight lr 100.0")
                && restarts.get(0).endsWith("starting over with weight lr 10.0"), restarts.get(0));
        assertEquals((float) (100 / Math.pow(10, restarts.size())), r.weightLr(), 1e-3f * r.weightLr());
        assertEquals(6, seen.get(seen.size() - 1).iteration());
        for (double loss : r.reconstructionCurve()) {
            assertTrue(Double.isFinite(loss), "the kept run is the one that did not diverge");
        }
    }

    @Test
    void listenerSeesEveryIterationAndCanCancel() {
        List<IterationStats> seen = new ArrayList<>();
        PruneResult r = quick(RESNET20).iterations(8).listener(s -> seen.add(s)).build().run();
        assertEquals(8, seen.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(i + 1, seen.get(i).iteration());
            assertEquals(8, seen.get(i).iterations());
            assertTrue(seen.get(i).reconstructionLoss() >= 0 && Double.isFinite(seen.get(i).reconstructionLoss()));
        }
        assertTrue(seen.get(7).polishing() && !seen.get(0).polishing(), "the last quarter runs at the fixed mask");
        assertEquals(8, r.reconstructionCurve().length);

        AtomicInteger calls = new AtomicInteger();
        FcptsException e = assertThrows(FcptsException.class, () -> quick(RESNET20).iterations(8)
                .listener(s -> calls.incrementAndGet() < 3).build().run());
        assertEquals(ErrorCode.CANCELLED, e.code());
        assertEquals(3, calls.get(), "no step after the cancelling one");
        assertTrue(e.getMessage().contains("iteration 3"), e.getMessage());
    }

    @Test
    void resultExportsAndReports() throws Exception {
        PruneResult r = quick(RESNET20).targetSparsity(0.6).build().run().withAccuracy(0.9, 0.8);
        Path out = dir.resolve("m.onnx"), json = dir.resolve("r.json");
        r.export(out);
        r.report(json);
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(0.6, o.get("target_sparsity").getAsDouble());
        assertEquals(r.prunedWeights(), o.get("pruned_weights").getAsLong());
        assertEquals(r.layers().size(), o.getAsJsonArray("layers").size());
        assertEquals(4, o.getAsJsonArray("sparsity_curve").size());
        assertEquals(0.8, o.get("pruned_top1").getAsDouble());
        assertTrue(o.get("sparsity_error").getAsDouble() <= 1.0 / r.totalWeights());
        assertEquals(r.achievedMacSparsity(), o.get("achieved_mac_sparsity").getAsDouble());
        assertTrue(Math.abs(r.achievedMacSparsity() - r.achievedSparsity()) > 1e-3,
                "MAC sparsity is weighted by real MACs, not by parameters: " + r.achievedMacSparsity());
        Map<String, double[]> series = r.allocationSeries();
        assertEquals(List.of(Pruner.Method.FCPTS.label(), "uniform", "ERK"), List.copyOf(series.keySet()));
        for (double[] s : series.values()) {
            assertEquals(r.layers().size(), s.length);
        }
        assertEquals(r.layers().get(0).sparsity(), series.get(Pruner.Method.FCPTS.label())[0]);
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(FcptsException.class, () -> r.export(RESNET20)).code());
    }

    @Test
    void builderRejectsBadInputWithNamedErrors() {
        FcptsException noData = assertThrows(FcptsException.class, () -> Pruner.builder().model(RESNET20).build());
        assertTrue(noData.getMessage().contains("calibration"), noData.getMessage());

        FcptsException shape = assertThrows(FcptsException.class, () -> Pruner.builder().model(RESNET20)
                .calibration(randomSamples(16, 3 * 17 * 17, 1), 3, 17, 17).build());
        assertEquals(ErrorCode.INVALID_ARGUMENT, shape.code());
        assertTrue(shape.getMessage().contains("3x17x17") && shape.getMessage().contains("expects"),
                shape.getMessage());

        FcptsException empty = assertThrows(FcptsException.class, () -> Pruner.builder()
                .model(RESNET20).calibration(List.of(), 1, 28, 28));
        assertTrue(empty.getMessage().contains("no calibration samples"), empty.getMessage());

        FcptsException wrongSize = assertThrows(FcptsException.class, () -> Pruner.builder()
                .model(RESNET20).calibration(List.of(new float[784], new float[10]), 1, 28, 28));
        assertTrue(wrongSize.getMessage().contains("sample 1"), wrongSize.getMessage());

        FcptsException target = assertThrows(FcptsException.class, () -> quick(RESNET20).targetSparsity(1.0)
                .build());
        assertTrue(target.getMessage().contains("[0, 1)"), target.getMessage());

        FcptsException fewer = assertThrows(FcptsException.class, () -> Pruner.builder().model(RESNET20)
                .calibration(randomSamples(4, 784, 1), 1, 28, 28).batch(8).build());
        assertTrue(fewer.getMessage().contains("fewer than one batch"), fewer.getMessage());
    }

    @Test
    void aModelWithoutPrunableLayersIsRejected() {
        NetBuilder b = new NetBuilder("no_weights", 1, NetBuilder.Init.RANDOM_STATISTICS);
        b.output(b.relu(b.input("x", 1, 28, 28)), -1, 1, 28, 28);
        Path file = dir.resolve("relu.onnx");
        OnnxExporter.write(b.build(), file);
        FcptsException e = assertThrows(FcptsException.class, () -> Pruner.builder().model(file)
                .calibration(DataSpec.DEFAULT).build());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("no prunable layer") && e.getMessage().contains("no_weights"),
                e.getMessage());
    }
}
