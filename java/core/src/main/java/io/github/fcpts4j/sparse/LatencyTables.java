package io.github.fcpts4j.sparse;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.ir.Graph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@link LatencyTable}s of a model, cached next to it in {@code MODEL.onnx.latency.json}, one entry per
 * (model digest, input shapes, machine): a table is measured once ({@link LatencyProfiler}) and read back on
 * every later run that fits all three. The file is written atomically; one that cannot be written or read
 * (a read-only folder, a damaged file) costs a measurement and a note, never the run. A damaged entry costs
 * only itself: the file's other entries are kept. Before it writes, a run reads the file again and keeps the
 * entries other runs added meanwhile (two runs that write within the same instant: the later one wins).
 * <pre>{@code
 * {"format": "fcpts4j-latency-tables", "version": 2, "tables": [{"modelSha256": "3f...",
 *   "inputShapes": {"input": [1, 1, 28, 28]}, "machine": "amd64; AMD EPYC ...; 2 cpus; cpu: 2 OpenMP threads; ...",
 *   "denseMs": 0.69, "levels": [0.3, ...], "layers": [{"node": "conv_5", "denseMs": 0.02, "sparseMs": [...]}]}]}
 * }</pre>
 */
public final class LatencyTables {
    static final String FORMAT = "fcpts4j-latency-tables";
    static final int VERSION = 2;
    /** Entries kept per file (the newest). */
    static final int MAX_ENTRIES = 16;

    /** A table and where it came from: {@code cached} (read from {@code file}) or measured in {@code seconds}. */
    public record Obtained(LatencyTable table, boolean cached, Path file, double seconds, String note) {
    }

    /** The readable entries of a cache file, and why each other one was skipped. */
    record Parsed(List<LatencyTable> tables, List<String> skipped) {
    }

    private LatencyTables() {
    }

    /** The cache file of a model file. */
    public static Path cacheFile(Path model) {
        return model.resolveSibling(model.getFileName() + ".latency.json");
    }

    /**
     * The table of {@code graph} for these shapes on this backend and machine: from the cache next to
     * {@code model} when it holds one, else measured with the default levels and runs and added to the cache.
     * The table covers every prunable layer of the graph, whichever a run excludes, so it depends on the model,
     * the shapes and the machine only.
     *
     * @param model the model's file, or null to measure without a cache
     */
    public static Obtained obtain(Path model, Graph graph, Backend backend, Map<String, long[]> inputShapes,
                                  Consumer<String> progress) {
        String sha = GraphDigest.sha256(graph);
        String machine = machine(backend);
        Path file = model == null ? null : cacheFile(model);
        String note = null;
        if (file != null && Files.exists(file)) {
            try {
                Parsed cached = read(Files.readString(file, StandardCharsets.UTF_8), file);
                for (LatencyTable t : cached.tables()) {
                    if (t.fits(sha, inputShapes, machine)) {
                        return new Obtained(t, true, file, 0, null);
                    }
                }
                if (!cached.skipped().isEmpty()) {
                    note = "the latency cache " + file + ": " + String.join("; ", cached.skipped());
                }
            } catch (IOException | RuntimeException e) {
                note = "the latency cache " + file + " could not be read (" + e.getMessage() + "); measured again";
            }
        }
        long start = System.nanoTime();
        LatencyTable table = LatencyProfiler.measure(graph, graph.prunableNodes(), backend, inputShapes,
                LatencyProfiler.DEFAULT_LEVELS, LatencyProfiler.DEFAULT_RUNS, progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (file != null) {
            // read again: another run may have added its table while this one measured
            List<LatencyTable> entries = new ArrayList<>();
            try {
                if (Files.exists(file)) {
                    for (LatencyTable t : read(Files.readString(file, StandardCharsets.UTF_8), file).tables()) {
                        if (!t.fits(sha, inputShapes, machine)) {
                            entries.add(t);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a file that cannot be read is replaced (the note above says so)
            }
            entries.add(table);
            List<LatencyTable> kept = entries.subList(Math.max(0, entries.size() - MAX_ENTRIES), entries.size());
            try {
                AtomicFiles.writeString(file, write(kept) + "\n");
            } catch (FcptsException e) {
                note = (note == null ? "" : note + "; ") + "the latency table was not cached: " + e.getMessage();
                file = null;
            }
        }
        return new Obtained(table, false, file, seconds, note);
    }

    /** What a table is keyed by besides model and shapes: architecture, CPU model, CPUs and the backend. */
    public static String machine(Backend backend) {
        String cpu = "unknown cpu";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            cpu = System.getProperty("os.name") + " cpu";
        }
        return System.getProperty("os.arch") + "; " + cpu + "; " + Runtime.getRuntime().availableProcessors()
                + " cpus; " + backend.description();
    }

    static String write(List<LatencyTable> tables) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", VERSION);
        JsonArray list = new JsonArray();
        for (LatencyTable t : tables) {
            JsonObject e = new JsonObject();
            e.addProperty("modelSha256", t.modelSha256());
            JsonObject shapes = new JsonObject();
            t.inputShapes().forEach((name, shape) -> {
                JsonArray dims = new JsonArray();
                for (long d : shape) {
                    dims.add(d);
                }
                shapes.add(name, dims);
            });
            e.add("inputShapes", shapes);
            e.addProperty("machine", t.machine());
            e.addProperty("denseMs", t.denseMs());
            e.add("levels", numbers(t.levels()));
            JsonArray layers = new JsonArray();
            for (LatencyTable.Layer l : t.layers()) {
                JsonObject row = new JsonObject();
                row.addProperty("node", l.node());
                row.addProperty("denseMs", l.denseMs());
                row.add("sparseMs", numbers(l.sparseMs()));
                layers.add(row);
            }
            e.add("layers", layers);
            list.add(e);
        }
        o.add("tables", list);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    /**
     * Reads a cache file's text; a wrong format or version is an IllegalArgumentException naming the file, an
     * entry with a missing or wrong field is skipped and named in {@link Parsed#skipped()}.
     */
    static Parsed read(String text, Path origin) {
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        if (!o.has("format") || !FORMAT.equals(o.get("format").getAsString())) {
            throw new IllegalArgumentException(origin + " is not a " + FORMAT + " file");
        }
        if (!o.has("version") || o.get("version").getAsInt() != VERSION) {
            throw new IllegalArgumentException(origin + ": version " + o.get("version") + ", expected " + VERSION);
        }
        List<LatencyTable> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        JsonArray tables = o.getAsJsonArray("tables");
        for (int i = 0; i < tables.size(); i++) {
            try {
                out.add(entry(tables.get(i).getAsJsonObject()));
            } catch (RuntimeException e) {
                skipped.add("entry " + (i + 1) + " of " + tables.size() + " skipped (" + e.getMessage() + ")");
            }
        }
        return new Parsed(out, skipped);
    }

    private static LatencyTable entry(JsonObject e) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> s : field(e, "inputShapes").getAsJsonObject().entrySet()) {
            JsonArray dims = s.getValue().getAsJsonArray();
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
            }
            shapes.put(s.getKey(), shape);
        }
        List<LatencyTable.Layer> layers = new ArrayList<>();
        for (JsonElement l : field(e, "layers").getAsJsonArray()) {
            JsonObject row = l.getAsJsonObject();
            layers.add(new LatencyTable.Layer(field(row, "node").getAsString(), field(row, "denseMs").getAsDouble(),
                    doubles(field(row, "sparseMs").getAsJsonArray())));
        }
        return new LatencyTable(field(e, "modelSha256").getAsString(), shapes, field(e, "machine").getAsString(),
                field(e, "denseMs").getAsDouble(), doubles(field(e, "levels").getAsJsonArray()), layers);
    }

    private static JsonElement field(JsonObject o, String name) {
        JsonElement v = o.get(name);
        if (v == null || v.isJsonNull()) {
            throw new IllegalArgumentException("no field '" + name + "'");
        }
        return v;
    }

    private static JsonArray numbers(double[] values) {
        JsonArray a = new JsonArray();
        for (double v : values) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.add((String) null);
            }
        }
        return a;
    }

    private static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
        }
        return out;
    }
}
