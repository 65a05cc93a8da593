package io.github.fcpts4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.sparse.LatencyCheck;
import io.github.fcpts4j.sparse.LatencyTable;
import io.github.fcpts4j.sparse.LatencyTables;
import io.github.fcpts4j.sparsity.CostCurve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code CostBasis.LATENCY} end to end on the shipped ResNet-20: the target is met by the table's prediction
 * (nearest achievable), no layer keeps zeros that buy no time, the report carries the predicted and measured
 * latency, the table is measured once and read back by the next run (an FCPTS run), and a target the sparse
 * runtime cannot reach is an error that says how far it can go. Timing agreement itself is a benchmark's
 * business (bench/results/latency_constraint.md), not asserted here.
 */
class LatencyConstraintTest {
    private static final Path RESNET20 = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");

    @TempDir
    Path dir;

    private Pruner.Builder latency(Path model, double s) {
        return Pruner.builder().model(model).calibration(DataSpec.DEFAULT).backend("cpu").iterations(4).batch(8)
                .calibrationSamples(16).targetSparsity(s)
                .configure(c -> c.costBasis(FcptsConfig.CostBasis.LATENCY));
    }

    @Test
    void aLatencyTargetIsMetByTheTablesPredictionAndReported() throws Exception {
        Path model = dir.resolve("resnet20.onnx");
        Files.copy(RESNET20, model);
        PruneResult r = latency(model, 0.25).method(Pruner.Method.GLOBAL).build().run();
        LatencyOutcome o = r.latency().orElseThrow();
        assertTrue(!o.table().cached() && Files.exists(LatencyTables.cacheFile(model)), "measured and cached");
        LatencyTable table = o.table().table();
        LatencyCheck c = o.check();
        Map<String, Double> sparsity = new LinkedHashMap<>();
        for (PruneResult.Layer l : r.layers()) {
            sparsity.put(l.name(), l.sparsity());
            CostCurve curve = table.curve(l.name());
            double fewer = (l.pruned() - 1.0) / l.weights();
            assertTrue(l.pruned() == 0 || curve.at(fewer) < curve.at(l.sparsity()),
                    l.name() + " keeps zeros on a flat part of its curve at " + l.sparsity());
        }
        assertEquals(table.predictedMs(sparsity), c.predictedMs(), 1e-9, "the prediction is the table's");
        assertEquals(0.25, c.predictedSaving(), 0.005, "nearest achievable");
        assertEquals(c.predictedSaving(), r.achievedTargetSparsity(), 0);
        assertTrue(c.measuredMs() > 0 && c.measuredDenseMs() > 0);
        JsonObject json = JsonParser.parseString(r.toJson()).getAsJsonObject();
        assertEquals("latency", json.get("constraint").getAsString());
        JsonObject lat = json.getAsJsonObject("latency");
        for (String key : new String[] {"table", "table_source", "machine", "dense_ms", "predicted_ms",
            "measured_ms", "measured_dense_ms", "prediction_error", "sparse_layers"}) {
            assertTrue(lat.has(key), key + " in " + lat);
        }
        assertEquals("measured", lat.get("table_source").getAsString());
        assertEquals(Math.abs(c.predictedSaving() - 0.25), json.get("sparsity_error").getAsDouble(), 1e-12);

        PruneResult fcpts = latency(model, 0.25).build().run();
        LatencyOutcome again = fcpts.latency().orElseThrow();
        assertTrue(again.table().cached(), "the second run reads the cache");
        assertEquals(table, again.table().table());
        assertEquals(0.25, again.check().predictedSaving(), 0.005, "FCPTS meets the same budget");
    }

    @Test
    void theLatencyBatchIsTheBatchTheTableIsMeasuredAt() throws Exception {
        Path model = dir.resolve("resnet20.onnx");
        Files.copy(RESNET20, model);
        PruneResult r = latency(model, 0.2).method(Pruner.Method.UNIFORM)
                .configure(c -> c.costBasis(FcptsConfig.CostBasis.LATENCY).latencyBatch(4)).build().run();
        long[] shape = r.latency().orElseThrow().table().table().inputShapes().values().iterator().next();
        assertEquals(4, shape[0]);
        FcptsException e = assertThrows(FcptsException.class, () -> FcptsConfig.builder(0.5).latencyBatch(0).build());
        assertTrue(e.getMessage().contains("latency batch"), e.getMessage());
    }

    @Test
    void anUnreachableLatencyTargetSaysHowFarTheRuntimeCanGo() throws Exception {
        Path model = dir.resolve("resnet20.onnx");
        Files.copy(RESNET20, model);
        FcptsException e = assertThrows(FcptsException.class,
                () -> latency(model, 0.99).method(Pruner.Method.GLOBAL).build().run());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("out of reach") && e.getMessage().contains("removes at most")
                && e.getMessage().contains("choose --sparsity"), e.getMessage());
        FcptsException low = assertThrows(FcptsException.class, () -> latency(model, 0.01)
                .method(Pruner.Method.GLOBAL).configure(c -> c.costBasis(FcptsConfig.CostBasis.LATENCY)
                        .layerSparsityRange(0.98, 1)).build().run());
        assertEquals(ErrorCode.INVALID_ARGUMENT, low.code());
        assertTrue(low.getMessage().contains("per-layer minimum sparsities already remove"), low.getMessage());
    }

    /** The table covers every layer, so a run that excluded one and a later run that does not share it. */
    @Test
    void anExcludedLayerIsStillInTheTableAndPrunedByALaterRun() throws Exception {
        Path model = dir.resolve("resnet20.onnx");
        Files.copy(RESNET20, model);
        PruneResult first = latency(model, 0.2).method(Pruner.Method.GLOBAL).exclude("conv_130").build().run();
        assertTrue(first.layers().stream().noneMatch(l -> l.name().equals("conv_130")));
        assertTrue(first.latency().orElseThrow().table().table().layers().stream()
                .anyMatch(l -> l.node().equals("conv_130")), "measured although excluded");
        PruneResult second = latency(model, 0.2).method(Pruner.Method.GLOBAL).build().run();
        assertTrue(second.latency().orElseThrow().table().cached());
        CostCurve curve = second.latency().orElseThrow().table().table().curve("conv_130");
        PruneResult.Layer conv = second.layers().stream().filter(l -> l.name().equals("conv_130")).findFirst()
                .orElseThrow();
        assertTrue(curve.max() == 0 || conv.pruned() > 0,
                "conv_130 saves time when pruned, so a later run may prune it: " + curve);
    }
}
