package io.github.fcpts4j.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.fcpts4j.report.LatencyChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redraws the latency chart of a saved {@code fcpts bench --json} result without measuring again.
 * Usage: {@code LatencyChartFromJson --json RESULT.json --out CHART.png [--title T]}.
 */
public final class LatencyChartFromJson {
    private LatencyChartFromJson() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = Args.parse(args, "LatencyChartFromJson --json RESULT.json --out CHART.png "
                + "[--title T]");
        JsonObject root = JsonParser.parseString(Files.readString(Path.of(opt.get("json")))).getAsJsonObject();
        Map<String, Map<String, List<double[]>>> points = new LinkedHashMap<>();
        for (JsonElement e : root.getAsJsonArray("results")) {
            JsonObject r = e.getAsJsonObject();
            points.computeIfAbsent("batch " + r.get("batch").getAsInt(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.get("path").getAsString(), k -> new ArrayList<>())
                    .add(new double[] {r.get("sparsity").getAsDouble(), r.get("p50_ms").getAsDouble()});
        }
        Map<String, Map<String, double[][]>> panels = new LinkedHashMap<>();
        points.forEach((panel, paths) -> {
            Map<String, double[][]> p = new LinkedHashMap<>();
            paths.forEach((path, list) -> p.put(path, list.toArray(double[][]::new)));
            panels.put(panel, p);
        });
        LatencyChart.write(Path.of(opt.get("out")), opt.getOrDefault("title", "latency vs weight sparsity"), panels);
    }
}
