package io.github.fcpts4j.cli;

import com.google.gson.GsonBuilder;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.eval.EngineCheck;
import io.github.fcpts4j.eval.OrtModel;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts check}: runs a model in ONNX Runtime and in fcpts4j's engine on the same seeded random inputs
 * and compares every output ({@link EngineCheck}: uniform inputs in [-1, 1), pass when
 * |ours - ref| <= 1e-4 + 1e-4 |ref| elementwise). Exit codes: 0 every output passes; 1 some output fails,
 * or a typed error (a model our importer or ONNX Runtime cannot read, an unavailable backend); 2 usage
 * (unknown option, malformed or unfitting --input-shape, missing model file).
 */
@Command(name = "check", sortOptions = false,
        description = {"Run a model in ONNX Runtime and in fcpts4j's engine on the same seeded random inputs "
                + "(uniform in [-1, 1), or --input-range) and compare every output: pass when |ours - ref| <= "
                + "1e-4 + 1e-4 |ref| for every element, or within 3 x ONNX Runtime's own spread (its optimized vs "
                + "unoptimized run) where that already exceeds the bound. max rel = max |ours - ref| / max(|ref|, "
                + "1e-4).",
                "Exit codes: 0 every output passes, 1 an output fails or the model cannot be read, 2 usage."})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Mixin
    InputShapeOption inputShape;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the random inputs (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--input-range", paramLabel = "LOW,HIGH", defaultValue = "-1,1", description = "the random "
            + "inputs are uniform in [LOW, HIGH) (default ${DEFAULT-VALUE}; 0,255 for a model fed raw pixels)")
    String inputRange;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu | cuda | auto: where our engine runs "
            + "(default ${DEFAULT-VALUE}); ONNX Runtime runs on the CPU")
    String device;

    @Mixin
    JsonOption json;

    /** What our engine runs, given what the importer read: the identity except in tests of the check itself. */
    private final UnaryOperator<OnnxModel> engineModel;

    CheckCommand() {
        this(UnaryOperator.identity());
    }

    CheckCommand(UnaryOperator<OnnxModel> engineModel) {
        this.engineModel = engineModel;
    }

    /** --input-range as {low, high}, or a usage error naming the option. */
    private double[] range() {
        String[] parts = inputRange.split(",");
        try {
            if (parts.length == 2) {
                double lo = Double.parseDouble(parts[0].trim()), hi = Double.parseDouble(parts[1].trim());
                if (lo < hi && Double.isFinite(lo) && Double.isFinite(hi)) {
                    return new double[] {lo, hi};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-range " + inputRange
                + ": expected LOW,HIGH with finite LOW < HIGH");
    }

    @Override
    public Integer call() {
        long start = System.nanoTime();
        Path file = model.model;
        Map<String, long[]> given = usage(() -> inputShape.shapes());
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model " + file + ": no such file");
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", file.toString());
        EngineCheck.Result r;
        String distribution;
        try {
            Map<String, long[]> declared;
            try (OrtModel ort = OrtModel.open(file)) {
                declared = ort.inputs();
            }
            Map<String, long[]> shapes = usage(() -> EngineCheck.resolveShapes(declared, given));
            double[] range = usage(this::range);
            EngineCheck.Settings settings = new EngineCheck.Settings(shapes, seed, device, range[0], range[1]);
            distribution = settings.distribution();
            r = EngineCheck.compare(file, engineModel.apply(OnnxImporter.read(file, shapes)), settings);
        } catch (FcptsException e) {
            if (json.json) {
                report.put("ok", false);
                report.put("error", Map.of("code", e.code().name(), "message", e.getMessage()));
                out.println(gson(report));
            }
            throw e;
        }
        report.put("ok", r.ok());
        report.put("device", r.backend());
        report.put("seed", r.seed());
        report.put("inputs", shapesJson(r.inputs()));
        report.put("distribution", distribution);
        Map<String, Object> tolerance = new LinkedHashMap<>();
        tolerance.put("atol", EngineCheck.ATOL);
        tolerance.put("rtol", EngineCheck.RTOL);
        tolerance.put("rel_floor", EngineCheck.TINY);
        report.put("tolerance", tolerance);
        List<Map<String, Object>> outputs = new ArrayList<>();
        for (EngineCheck.OutputCheck o : r.outputs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", o.name());
            m.put("shape", o.shape());
            if (o.engineShape() != null && !Arrays.equals(o.engineShape(), o.shape())) {
                m.put("engine_shape", o.engineShape());
            }
            m.put("max_abs", finiteOrNull(o.maxAbs()));
            m.put("max_rel", finiteOrNull(o.maxRel()));
            m.put("mismatches", o.mismatches());
            if (!Double.isNaN(o.referenceSpread())) {
                m.put("reference_spread", finiteOrNull(o.referenceSpread()));
                m.put("reference_mismatches", o.referenceMismatches());
            }
            m.put("ok", o.ok());
            if (!o.ok()) {
                m.put("message", o.describe());
            }
            outputs.add(m);
        }
        report.put("outputs", outputs);
        report.put("seconds", (System.nanoTime() - start) / 1e9);
        if (json.json) {
            out.println(gson(report));
        } else {
            printText(out, r, distribution);
        }
        return r.ok() ? 0 : 1;
    }

    private void printText(PrintWriter out, EngineCheck.Result r, String distribution) {
        StringBuilder in = new StringBuilder();
        r.inputs().forEach((k, v) -> in.append(in.length() == 0 ? "" : ", ").append(k).append(' ').append(dims(v)));
        out.printf("fcpts check: %s, ONNX Runtime vs our engine on %s, seed %d, inputs %s: %s%n", r.model(),
                r.backend(), r.seed(), distribution, in);
        out.printf("%-32s %-20s %11s %11s  %s%n", "output", "shape", "max abs", "max rel", "result");
        for (EngineCheck.OutputCheck o : r.outputs()) {
            out.printf("%-32s %-20s %11s %11s  %s%n", o.name(), dims(o.shape()), number(o.maxAbs()),
                    number(o.maxRel()), o.ok() ? (o.mismatches() == 0 ? "ok" : "ok: " + o.describe())
                            : "FAIL: " + o.describe());
        }
        long failed = r.outputs().stream().filter(o -> !o.ok()).count();
        long spread = r.outputs().stream().filter(o -> o.ok() && o.mismatches() > 0).count();
        out.printf("%s: %d of %d outputs within %s%s%n", r.ok() ? "ok" : "FAILED", r.outputs().size() - failed - spread,
                r.outputs().size(), EngineCheck.BOUND, spread == 0 ? "" : ", " + spread
                        + " more within ONNX Runtime's own spread");
    }

    /** Runs {@code f}; an INVALID_ARGUMENT it throws is a usage error (exit 2) with the same message. */
    private <T> T usage(java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (FcptsException e) {
            if (e.code() == ErrorCode.INVALID_ARGUMENT) {
                String message = e.getMessage().replaceFirst("^" + e.code() + ": ", "");
                throw new CommandLine.ParameterException(spec.commandLine(), message, e);
            }
            throw e;
        }
    }

    private static List<Map<String, Object>> shapesJson(Map<String, long[]> shapes) {
        List<Map<String, Object>> out = new ArrayList<>();
        shapes.forEach((k, v) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", k);
            m.put("shape", v);
            out.add(m);
        });
        return out;
    }

    /** JSON has no NaN or infinity: null where the output's message says why. */
    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.3e", v);
    }

    private static String dims(long[] d) {
        return d == null ? "-" : Arrays.toString(d).replace(" ", "");
    }

    private static String gson(Object o) {
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }
}
