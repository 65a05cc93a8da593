package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.backend.Availability;
import io.github.fcpts4j.backend.BackendProvider;
import io.github.fcpts4j.backend.Backends;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fcpts backends [--json]}: every backend, whether it is available here, and why or why not. */
@Command(name = "backends", description = "List the compute backends and whether they are available here.")
final class BackendsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (BackendProvider provider : Backends.providers()) {
            Availability a = provider.availability();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", provider.name());
            row.put("available", a.available());
            row.put("detail", a.detail());
            row.put("library", provider.nativeLibraryInfo());
            rows.add(row);
        }
        String auto = Backends.resolve(null, System.getProperty(Backends.PROPERTY), System.getenv());
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("backends", rows);
            out.put("auto", auto);
            spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(out));
        } else {
            for (Map<String, Object> row : rows) {
                spec.commandLine().getOut().printf("%-5s %-13s %s%n      library: %s%n", row.get("name"),
                        (Boolean) row.get("available") ? "available" : "not available", row.get("detail"),
                        row.get("library"));
            }
            spec.commandLine().getOut().println("auto -> " + auto);
        }
        return 0;
    }
}
