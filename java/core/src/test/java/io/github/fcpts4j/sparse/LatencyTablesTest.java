package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.sparsity.CostCurve;
import io.github.fcpts4j.testing.CpuTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The latency tables of the shipped ResNet-20: what the profiler measures (every conv and the Gemm, at the
 * default levels, exactly ceil(s N) zeros per layer), the curves made from it, the cache next to the model
 * (one measurement, then reads; keyed by model digest, input shape and machine; a damaged or unwritable cache
 * costs a measurement and a note) and the JSON form.
 */
class LatencyTablesTest extends CpuTest {
    private static final Path RESNET20 = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");
    private static final String INPUT = OnnxImporter.read(RESNET20).graph().inputs().get(0).name();
    private static final Map<String, long[]> BATCH1 = Map.of(INPUT, new long[] {1, 1, 28, 28});

    @TempDir
    Path dir;

    private Path copy() throws Exception {
        Path m = dir.resolve("resnet20.onnx");
        Files.copy(RESNET20, m);
        return m;
    }

    private static Graph graph(Path m) {
        return OnnxImporter.read(m).graph();
    }

    @Test
    void theProfilerTimesEveryPrunableLayerAndTheCacheServesLaterRuns() throws Exception {
        Path m = copy();
        Graph g = graph(m);
        List<Node> prunable = g.prunableNodes();
        List<String> told = new ArrayList<>();
        LatencyTables.Obtained first = LatencyTables.obtain(m, g, cpu, BATCH1, told::add);
        assertFalse(first.cached());
        assertEquals(LatencyTables.cacheFile(m), first.file());
        assertTrue(Files.exists(first.file()));
        assertEquals(1 + LatencyProfiler.DEFAULT_LEVELS.length, told.size(), "one progress note per plan: " + told);
        LatencyTable t = first.table();
        assertEquals(prunable.size(), t.layers().size(), "ResNet-20's 21 convs and its Gemm all have a sparse path");
        assertArrayEquals(LatencyProfiler.DEFAULT_LEVELS, t.levels());
        double layers = t.layers().stream().mapToDouble(LatencyTable.Layer::denseMs).sum();
        assertTrue(t.denseMs() >= layers && layers > 0, "the network's time holds its layers' " + t.denseMs());
        for (LatencyTable.Layer l : t.layers()) {
            CostCurve c = t.curve(l.node());
            double previous = 0;
            for (double s = 0; s <= 1; s += 0.01) {
                double v = c.at(s);
                assertTrue(v >= previous && v <= l.denseMs(), l.node() + " saves " + v + " at " + s);
                previous = v;
            }
        }
        assertEquals(t.denseMs(), t.predictedMs(Map.of()), 0, "nothing pruned, nothing saved");

        LatencyTables.Obtained again = LatencyTables.obtain(m, g, cpu, BATCH1, told::add);
        assertTrue(again.cached());
        assertEquals(t, again.table());
        assertEquals(1 + LatencyProfiler.DEFAULT_LEVELS.length, told.size(), "the second run measured nothing");

        Map<String, long[]> batch2 = Map.of(INPUT, new long[] {2, 1, 28, 28});
        LatencyTables.Obtained other = LatencyTables.obtain(m, g, cpu, batch2, s -> { });
        assertFalse(other.cached(), "another input shape is another table");
        assertEquals(2, LatencyTables.read(Files.readString(first.file()), first.file()).tables().size());
        assertTrue(LatencyTables.obtain(m, g, cpu, BATCH1, s -> { }).cached(), "the first entry stays");

        Graph pruned = LatencyProfiler.pruned(g, prunable, 0.3);
        assertFalse(t.fits(GraphDigest.sha256(pruned), BATCH1, t.machine()), "another model is another table");
        assertFalse(t.fits(t.modelSha256(), BATCH1, t.machine() + "x"), "another machine is another table");
        assertTrue(t.fits(t.modelSha256(), BATCH1, LatencyTables.machine(cpu)));
    }

    @Test
    void theProfilersModelsHoldAtLeastTheirLevelPerLayer() throws Exception {
        Graph g = graph(RESNET20);
        for (double s : new double[] {0.3, 0.85, 0.98}) {
            Graph p = LatencyProfiler.pruned(g, g.prunableNodes(), s);
            for (Node n : g.prunableNodes()) {
                TensorData w = p.initializer(n.input(1)).orElseThrow();
                assertEquals((long) Math.ceil(s * w.size() - 1e-9), w.zeros(), n.name() + " at " + s);
                assertTrue((double) w.zeros() / w.size() >= s, "a plan sees at least " + s);
            }
        }
    }

    @Test
    void aDamagedCacheIsMeasuredAgainAndReplaced() throws Exception {
        Path m = copy();
        Files.writeString(LatencyTables.cacheFile(m), "{\"format\": \"fcpts4j-latency-tables\", \"version\": 1, ");
        Graph g = graph(m);
        LatencyTables.Obtained o = LatencyTables.obtain(m, g, cpu, BATCH1, s -> { });
        assertFalse(o.cached());
        assertNotNull(o.note());
        assertTrue(o.note().contains(LatencyTables.cacheFile(m).toString()), o.note());
        assertEquals(o.table(), LatencyTables.read(Files.readString(o.file()), o.file()).tables().get(0),
                "rewritten whole");

        // parseable, but a dense time of 0 ms: not a table either
        String zero = LatencyTables.write(List.of(o.table())).replaceFirst("\"denseMs\": [0-9.E-]+",
                "\"denseMs\": 0.0");
        Files.writeString(LatencyTables.cacheFile(m), zero);
        LatencyTables.Obtained again = LatencyTables.obtain(m, g, cpu, BATCH1, s -> { });
        assertFalse(again.cached());
        assertTrue(again.note().contains("dense time"), again.note());
    }

    @Test
    void aDamagedEntryCostsOnlyItselfAndEntriesWrittenMeanwhileAreKept() throws Exception {
        Path m = copy();
        Path file = LatencyTables.cacheFile(m);
        Graph g = graph(m);
        LatencyTable good = LatencyTables.obtain(m, g, cpu, BATCH1, s -> { }).table();
        String text = Files.readString(file);
        int end = text.lastIndexOf(']');
        Files.writeString(file, text.substring(0, end) + ", {\"modelSha256\": \"ab\"}\n" + text.substring(end));
        assertEquals(1, LatencyTables.read(Files.readString(file), file).skipped().size());
        assertTrue(LatencyTables.obtain(m, g, cpu, BATCH1, s -> { }).cached(), "the good entry is still read");

        // another run adds a table (another machine) while this one measures batch 2
        LatencyTable elsewhere = new LatencyTable(good.modelSha256(), good.inputShapes(), good.machine() + " (other)",
                good.denseMs(), good.levels(), good.layers());
        java.util.concurrent.atomic.AtomicBoolean added = new java.util.concurrent.atomic.AtomicBoolean();
        LatencyTables.Obtained batch2 = LatencyTables.obtain(m, g, cpu, Map.of(INPUT, new long[] {2, 1, 28, 28}),
                s -> {
                    if (!added.getAndSet(true)) {
                        try {
                            Files.writeString(file, LatencyTables.write(List.of(good, elsewhere)));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
        assertFalse(batch2.cached());
        assertTrue(batch2.note().contains("entry 2 of 2 skipped") && batch2.note().contains("no field 'inputShapes'"),
                batch2.note());
        LatencyTables.Parsed after = LatencyTables.read(Files.readString(file), file);
        assertEquals(List.of(good, elsewhere, batch2.table()), after.tables(), "nothing another run wrote is lost");
        assertTrue(after.skipped().isEmpty());
    }

    @Test
    void aCacheThatCannotBeWrittenCostsANoteNotTheRun() throws Exception {
        Path m = copy();
        Path blocked = LatencyTables.cacheFile(m);
        Files.createDirectories(blocked.resolve("inside"));
        Graph g = graph(m);
        LatencyTables.Obtained o = LatencyTables.obtain(m, g, cpu, BATCH1, s -> { });
        assertFalse(o.cached());
        assertNull(o.file(), "nothing cached");
        assertTrue(o.note().contains("not cached"), o.note());
        assertTrue(Files.isDirectory(blocked.resolve("inside")), "what was there is untouched");
        try (var list = Files.list(dir)) {
            assertEquals(2, list.count(), "no temporary file left beside the model");
        }
    }

    @Test
    void theJsonFormRoundTripsAndChecksItsFormat() {
        LatencyTable t = new LatencyTable("ab12", Map.of("x", new long[] {1, 3, 8, 8}), "m", 2.5,
                new double[] {0.5, 0.9}, List.of(new LatencyTable.Layer("conv", 1.0, new double[] {1.2, 0.4}),
                new LatencyTable.Layer("gemm", 0.5, new double[] {Double.NaN, 0.1}),
                new LatencyTable.Layer("fast", 1.0, new double[] {0.5, 0.2})));
        Path origin = Path.of("x.latency.json");
        assertEquals(List.of(t), LatencyTables.read(LatencyTables.write(List.of(t)), origin).tables());
        CostCurve conv = t.curve("conv");
        assertEquals(0, conv.at(0.5), 0, "sparse slower than dense at 50 %: the plan keeps it dense");
        assertEquals(0.6, conv.at(0.9), 1e-12);
        assertEquals(0.3, conv.at(0.7), 1e-12);
        assertEquals(0, t.curve("no-such-layer").max(), 0, "a layer without a sparse path saves nothing");
        assertEquals(0.5, t.curve("fast").at(0.5), 1e-12);
        assertEquals(0, t.curve("fast").at(0.4999), 1e-6, "below the first level a plan keeps the layer dense");
        assertEquals(2.5 - 0.6 - 0.4, t.predictedMs(Map.of("conv", 0.95, "gemm", 0.9)), 1e-12);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LatencyTables.read("{\"format\": \"other\", \"version\": 1, \"tables\": []}", origin));
        assertTrue(e.getMessage().contains("x.latency.json"), e.getMessage());
    }
}
