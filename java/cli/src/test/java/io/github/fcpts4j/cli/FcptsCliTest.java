package io.github.fcpts4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class FcptsCliTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = FcptsCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static final String MODEL = "../../examples/models/resnet20_fashion_mnist.onnx";

    @Test
    void pruneRejectsATargetOutsideZeroToOne() {
        Result r = run("prune", "--model", MODEL, "--sparsity", "1.0");
        assertEquals(2, r.code, "a usage error");
        assertTrue(r.err.contains("'--sparsity': 1.0 is not a number in [0, 1)"), r.err);
    }

    @Test
    void aCalibrationCountAboveTheSetSizeIsSaid(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Result r = run("prune", "--model", MODEL, "--calib", "5000", "--iters", "1", "--no-eval", "--out",
                dir.resolve("p.onnx").toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("--calib 5000: the calibration set holds 2048 samples; all 2048 are used"), r.err);
    }

    @Test
    void excludedLayersStayDenseAndTypoPatternsAreErrors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path out = dir.resolve("g.onnx");
        Result r = run("prune", "--model", MODEL, "--method", "global", "--sparsity", "0.6", "--exclude", "gemm_*",
                "--exclude", "conv_5", "--out", out.toString(), "--json");
        assertEquals(0, r.code, r.err);
        io.github.fcpts4j.ir.Graph before = io.github.fcpts4j.onnx.OnnxImporter.read(java.nio.file.Path.of(MODEL))
                .graph();
        io.github.fcpts4j.ir.Graph after = io.github.fcpts4j.onnx.OnnxImporter.read(out).graph();
        for (String name : java.util.List.of("gemm_183", "conv_5")) {
            io.github.fcpts4j.ir.Node n = before.prunableNodes().stream().filter(x -> x.name().equals(name))
                    .findFirst().orElseThrow();
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.initializer(n.input(1)).orElseThrow().floats(),
                    after.initializer(n.input(1)).orElseThrow().floats(), 0f, name + " stays dense");
        }
        JsonObject json = JsonParser.parseString(r.out).getAsJsonObject();
        assertEquals(270_608 - 640 - 144, json.get("total_weights").getAsLong());
        Result typo = run("prune", "--model", MODEL, "--method", "global", "--exclude", "gemm_9*", "--out",
                dir.resolve("x.onnx").toString());
        assertEquals(1, typo.code);
        assertTrue(typo.err.contains("exclude pattern 'gemm_9*' matches no prunable layer"), typo.err);
        assertTrue(!java.nio.file.Files.exists(dir.resolve("x.onnx")), "nothing written on error");
    }

    @Test
    void pruneRefusesToOverwriteItsInput(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path copy = dir.resolve("m.onnx");
        java.nio.file.Files.copy(java.nio.file.Path.of(MODEL), copy);
        byte[] before = java.nio.file.Files.readAllBytes(copy);
        Result r = run("prune", "--model", copy.toString(), "--out", copy.toString(), "--method", "lamp");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("is the input model"), r.err);
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, java.nio.file.Files.readAllBytes(copy));
    }

    @Test
    void pruneWithABaselineWritesAnExactModelAndAReport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path out = dir.resolve("lamp.onnx"), report = dir.resolve("r.json");
        Result r = run("prune", "--model", MODEL, "--method", "lamp", "--sparsity", "0.5", "--out", out.toString(),
                "--report", report.toString(), "--json");
        assertEquals(0, r.code, r.err);
        JsonObject json = JsonParser.parseString(r.out).getAsJsonObject();
        assertEquals(Math.round(0.5 * 270_608), json.get("pruned_weights").getAsLong());
        assertTrue(json.get("pruned_top1").getAsDouble() > 0.5, r.out);
        assertTrue(java.nio.file.Files.exists(report) && java.nio.file.Files.exists(out));
        io.github.fcpts4j.ir.Graph g = io.github.fcpts4j.onnx.OnnxImporter.read(out).graph();
        long zeros = 0;
        for (io.github.fcpts4j.ir.Node n : g.prunableNodes()) {
            io.github.fcpts4j.ir.TensorData w = g.initializer(n.input(1)).orElseThrow();
            zeros += w.zeros();
        }
        assertEquals(Math.round(0.5 * 270_608), zeros, "the exported file holds exactly the reported zeros");
    }

    @Test
    void aLatencyConstraintPrintsPredictedAndMeasuredLatency(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path copy = dir.resolve("m.onnx"), out = dir.resolve("p.onnx");
        java.nio.file.Files.copy(java.nio.file.Path.of(MODEL), copy);
        // the first run measures the table and caches it, then finds 99 % out of reach and names what is reachable
        java.nio.file.Path far = dir.resolve("far.onnx");
        Result tooFar = run("prune", "--model", copy.toString(), "--method", "global", "--constraint", "latency",
                "--sparsity", "0.99", "--no-eval", "--out", far.toString());
        assertEquals(1, tooFar.code, tooFar.err);
        assertTrue(tooFar.err.contains("latency constraint at batch 1: per-layer latency table from " + copy
                + ".latency.json"), tooFar.err);
        assertTrue(tooFar.err.contains("--constraint latency: removing 99.0 % of the dense latency")
                && tooFar.err.contains("table from " + copy + ".latency.json"), tooFar.err);
        assertTrue(!java.nio.file.Files.exists(far), "nothing written");
        assertTrue(java.nio.file.Files.exists(dir.resolve("m.onnx.latency.json")), "the measured table is cached");
        java.util.regex.Matcher reachable = java.util.regex.Pattern.compile("choose --sparsity ([0-9.]+) or less")
                .matcher(tooFar.err);
        assertTrue(reachable.find(), tooFar.err);
        // what is reachable depends on this machine's load while it measured: aim at half of it, at most 20 %
        double target = Math.min(0.2, Math.floor(50 * Double.parseDouble(reachable.group(1))) / 100);
        assertTrue(target >= 0.01, "the sparse runtime removes almost nothing of this model's latency: " + tooFar.err);

        Result r = run("prune", "--model", copy.toString(), "--method", "global", "--constraint", "latency",
                "--sparsity", Double.toString(target), "--no-eval", "--out", out.toString(), "--json");
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("latency: table read from " + copy + ".latency.json")
                && r.err.contains("predicted at this speed"), r.err);
        JsonObject latency = JsonParser.parseString(r.out).getAsJsonObject().getAsJsonObject("latency");
        assertEquals(target, latency.get("predicted_saving").getAsDouble(), 0.005, r.out);
        assertTrue(java.nio.file.Files.exists(out));
    }

    @Test
    void badPruneOptionsAreNamedAndWriteNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path out = dir.resolve("m.onnx");
        String[][] cases = {
            {"--constraint", "macs"},
            {"--layer-sparsity", "conv_1:0.5"},
            {"--layer-sparsity", "no_such_layer=0:0.5"},
            {"--method", "magnitude"},
            {"--min-layer-sparsity", "0.9", "--max-layer-sparsity", "0.5"},
            {"--data", "idx:/nonexistent/dir"},
        };
        String[] expected = {"--constraint 'macs'", "GLOB=MIN:MAX", "no_such_layer", "unknown method 'magnitude'",
            "layer sparsity bounds", "/nonexistent/dir"};
        for (int i = 0; i < cases.length; i++) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("prune", "--model", MODEL,
                    "--iters", "2", "--out", out.toString()));
            args.addAll(java.util.List.of(cases[i]));
            Result r = run(args.toArray(String[]::new));
            assertEquals(1, r.code, String.join(" ", cases[i]) + ": " + r.err);
            assertTrue(r.err.contains(expected[i]), r.err);
            assertTrue(!java.nio.file.Files.exists(out), "nothing written for " + String.join(" ", cases[i]));
        }
    }

    /**
     * --device cuda: without a GPU (CI) a typed error naming cuda and nothing written; with one, a pruned
     * file at the requested sparsity (the parity with the cpu run is CudaPruningParityTest's).
     */
    @Test
    void cudaDeviceRunsWhereADeviceAnswersAndIsATypedErrorElsewhere(@org.junit.jupiter.api.io.TempDir
                                                                   java.nio.file.Path dir) {
        java.nio.file.Path out = dir.resolve("m.onnx");
        Result r = run("prune", "--model", MODEL, "--iters", "2", "--device", "cuda", "--no-eval", "--out",
                out.toString());
        boolean gpu = io.github.fcpts4j.backend.Backends.provider("cuda").orElseThrow().availability().available();
        if (gpu) {
            assertEquals(0, r.code, r.err);
            assertTrue(java.nio.file.Files.exists(out));
        } else {
            assertEquals(1, r.code, r.err);
            assertTrue(r.err.contains("cuda"), r.err);
            assertTrue(!java.nio.file.Files.exists(out));
        }
    }

    @Test
    void exportWritesACompactFileAndRefusesItsInput(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path pruned = dir.resolve("p.onnx"), compact = dir.resolve("c.onnx");
        assertEquals(0, run("prune", "--model", MODEL, "--method", "global", "--sparsity", "0.95", "--no-eval",
                "--out", pruned.toString()).code);
        Result r = run("export", "--model", pruned.toString(), "--format", "sparse-onnx", "--out", compact.toString(),
                "--json");
        assertEquals(0, r.code, r.err);
        JsonObject json = JsonParser.parseString(r.out).getAsJsonObject();
        assertEquals(java.nio.file.Files.size(compact), json.get("bytes_after").getAsLong());
        assertTrue(json.get("bytes_after").getAsLong() < json.get("bytes_before").getAsLong() / 2, r.out);
        Result same = run("export", "--model", pruned.toString(), "--out", pruned.toString());
        assertEquals(1, same.code);
        assertTrue(same.err.contains("is the input model"), same.err);
        Result format = run("export", "--model", pruned.toString(), "--format", "csr", "--out", compact.toString());
        assertEquals(1, format.code);
        assertTrue(format.err.contains("--format 'csr'"), format.err);
    }

    @Test
    void benchTimesThreePathsAndReportsEveryConvChoice(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path pruned = dir.resolve("p.onnx"), chart = dir.resolve("latency.png");
        assertEquals(0, run("prune", "--model", MODEL, "--method", "global", "--sparsity", "0.9", "--no-eval",
                "--out", pruned.toString()).code);
        Result r = run("bench", "--model", MODEL, "--model", pruned.toString(), "--batch", "1,2", "--runs", "3",
                "--warmup", "1", "--chart", chart.toString(), "--json");
        assertEquals(0, r.code, r.err);
        com.google.gson.JsonArray rows = JsonParser.parseString(r.out).getAsJsonObject().getAsJsonArray("results");
        assertEquals(12, rows.size(), "three paths for each of two batch sizes and two models");
        for (int i = 0; i < rows.size(); i++) {
            JsonObject row = rows.get(i).getAsJsonObject();
            assertTrue(row.get("p50_ms").getAsDouble() > 0 && row.get("p90_ms").getAsDouble()
                    >= row.get("p50_ms").getAsDouble(), row.toString());
            assertEquals(i < 6 ? 0.0 : 0.9, row.get("sparsity").getAsDouble(), 1e-3, row.toString());
        }
        JsonObject layers = rows.get(8).getAsJsonObject().getAsJsonObject("layers");
        assertEquals(22, layers.size(), "one choice per conv and for the classifier");
        for (String conv : layers.keySet()) {
            assertTrue(layers.getAsJsonObject(conv).get("in_network_ms").getAsDouble() > 0, conv);
        }
        assertTrue(r.err.contains("in-network: these layers"), r.err);
        byte[] png = java.nio.file.Files.readAllBytes(chart);
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG chart");
        Result bad = run("bench", "--model", pruned.toString(), "--batch", "0");
        assertEquals(2, bad.code, "a usage error");
        assertTrue(bad.err.contains("--batch"), bad.err);
    }

    @Test
    void backendsJsonListsCpuAsAvailable() {
        Result r = run("backends", "--json");
        assertEquals(0, r.code, r.err);
        JsonObject json = JsonParser.parseString(r.out).getAsJsonObject();
        JsonObject cpu = json.getAsJsonArray("backends").get(0).getAsJsonObject();
        assertEquals("cpu", cpu.get("name").getAsString());
        assertTrue(cpu.get("available").getAsBoolean());
        assertTrue(cpu.get("library").getAsString().contains("oneDNN 3.11"), cpu.toString());
    }

    @Test
    void inspectReportsShapesMacsAndSparsity(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        io.github.fcpts4j.ir.Graph g = io.github.fcpts4j.models.Architectures.build("resnet20", 3);
        io.github.fcpts4j.ir.Node first = g.prunableNodes().get(0);
        io.github.fcpts4j.ir.TensorData w = g.initializer(first.input(1)).orElseThrow();
        float[] half = w.floats();
        for (int i = 0; i < half.length; i += 2) {
            half[i] = 0f;
        }
        g = g.withInitializer(first.input(1), io.github.fcpts4j.ir.TensorData.ofFloats(w.dims(), half));
        java.nio.file.Path file = dir.resolve("r20.onnx");
        io.github.fcpts4j.onnx.OnnxExporter.write(g, file);
        Result r = run("inspect", "--model", file.toString(), "--json");
        assertEquals(0, r.code, r.err);
        JsonObject json = JsonParser.parseString(r.out).getAsJsonObject();
        JsonObject stem = json.getAsJsonArray("layers").get(0).getAsJsonObject();
        assertEquals(144, stem.get("weights").getAsLong(), "16 x 1 x 3 x 3");
        assertEquals(144L * 28 * 28, stem.get("macs").getAsLong(), "one MAC per weight per output position");
        assertEquals(0.5, stem.get("sparsity").getAsDouble(), 0.0);
        assertEquals(270_608, json.get("prunable_weights").getAsLong());
        assertEquals(72.0 / 270_608, json.get("sparsity").getAsDouble(), 1e-12);
    }

    @Test
    void inspectNamesAMissingFile() {
        Result r = run("inspect", "--model", "/nonexistent/m.onnx");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("/nonexistent/m.onnx does not exist"), r.err);
    }

    @Test
    void noCommandIsAUsageError() {
        Result r = run();
        assertEquals(2, r.code);
        assertTrue(r.err.contains("a command is required"), r.err);
    }
}
