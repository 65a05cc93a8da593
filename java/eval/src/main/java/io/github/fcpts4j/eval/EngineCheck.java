package io.github.fcpts4j.eval;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Does fcpts4j's engine compute what ONNX Runtime computes on a model? Both run the same seeded random
 * inputs (every graph input, its declared shape with symbolic dimensions resolved by
 * {@link #resolveShapes}), ONNX Runtime on the file ({@link OrtModel}), our engine on the model as
 * {@link OnnxImporter} reads it ({@link NetworkExecutor}, inference mode, on the chosen backend), and every
 * graph output is compared element by element:
 * <ul>
 * <li>inputs: independent uniform floats in [low, high) (default [-1, 1); a model fed raw pixels wants
 *     [0, 255): its first layers' large weights turn inputs it never sees into cancellations that no two
 *     float engines round alike), drawn from one {@code SplittableRandom(seed)} input after input in
 *     declaration order, row-major (for [-1, 1) the same numbers as the test suite's
 *     {@code TestData.uniform(n, seed)} for a one-input model);</li>
 * <li>pass: |ours - ref| &lt;= {@value #ATOL} + {@value #RTOL} |ref| for every element, ref = ONNX Runtime
 *     (the bound the test suite holds the engine to against ONNX Runtime: both compute in float32 with
 *     different summation orders; 1e-4 relative is about 1,000 float ulps, far below a wrong pad, axis or
 *     broadcast); two NaNs, or two equal infinities, agree; any other non-finite value on one side fails;</li>
 * <li>max abs = max |ours - ref|; max rel = max |ours - ref| / max(|ref|, {@value #TINY}): below
 *     |ref| = 1e-4 the bound is ruled by its absolute term, so there the error is measured against 1e-4
 *     instead of a vanishing |ref| (a non-finite disagreement counts as an infinite error in both);</li>
 * <li>an output whose shape differs between the two, or that one side does not produce, fails with a
 *     message saying so;</li>
 * <li>the reference's own spread: where an output has elements outside the bound, ONNX Runtime runs the
 *     same inputs again with its graph optimizations off (another valid float32 evaluation order). If its
 *     two runs already disagree beyond the bound there, the bound is below the model's float noise (a deep
 *     network with large folded weights amplifies rounding: M-LSD's offsets spread by ~2e-3 inside ONNX
 *     Runtime itself), and the output passes when our max abs error is at most {@value #SPREAD_FACTOR}
 *     times that spread. A wrong op moves outputs by far more than rounding does.</li>
 * </ul>
 * Used by {@code fcpts check} and the corpus tests; {@link #compare} also checks an in-memory rewrite of a
 * model (our engine runs the rewrite, ONNX Runtime the file it came from).
 */
public final class EngineCheck {
    /** Absolute term of the pass bound. */
    public static final double ATOL = 1e-4;
    /** Relative term of the pass bound. */
    public static final double RTOL = 1e-4;
    /** Floor of |ref| in the relative error. */
    public static final double TINY = 1e-4;
    /**
     * How far beyond ONNX Runtime's own spread our max abs error may go on an output the bound is below: a
     * maximum over ~1e5 rounding errors is itself noisy (M-LSD large's own spread is 6e-4, 1.2e-3 and 1.1e-3
     * on seeds 1, 2, 3, ours 1.3e-3, 1.1e-3, 1.1e-3), so 3 rather than 1.
     */
    public static final double SPREAD_FACTOR = 3;
    /** The pass bound, for reports. */
    public static final String BOUND = "|ours - ref| <= 1e-4 + 1e-4 |ref|";

    private EngineCheck() {
    }

    /**
     * What to check with.
     *
     * @param inputShapes shapes of inputs with symbolic dimensions, by name, batch first (see
     *                    {@link #resolveShapes}); may be empty
     * @param seed        seed of the random inputs
     * @param backend     our engine's backend: {@code cpu}, {@code cuda} or {@code auto}
     * @param low         inputs are uniform in [low, high)
     */
    public record Settings(Map<String, long[]> inputShapes, long seed, String backend, double low, double high) {
        public Settings {
            if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("input range [" + low + ", " + high + ") is empty or not finite");
            }
            Map<String, long[]> copy = new LinkedHashMap<>();
            Objects.requireNonNull(inputShapes, "inputShapes").forEach((k, v) -> copy.put(k, v.clone()));
            inputShapes = java.util.Collections.unmodifiableMap(copy);
            Objects.requireNonNull(backend, "backend");
        }

        /** The given shapes, seed and backend, inputs in [-1, 1). */
        public Settings(Map<String, long[]> inputShapes, long seed, String backend) {
            this(inputShapes, seed, backend, -1, 1);
        }

        /** No shapes given, seed 1, the cpu backend, inputs in [-1, 1). */
        public static Settings defaults() {
            return new Settings(Map.of(), 1, "cpu");
        }

        public Settings withInputShapes(Map<String, long[]> shapes) {
            return new Settings(shapes, seed, backend, low, high);
        }

        public Settings withSeed(long s) {
            return new Settings(inputShapes, s, backend, low, high);
        }

        public Settings withBackend(String b) {
            return new Settings(inputShapes, seed, b, low, high);
        }

        public Settings withInputRange(double lo, double hi) {
            return new Settings(inputShapes, seed, backend, lo, hi);
        }

        /** How the inputs are drawn, for reports. */
        public String distribution() {
            return "uniform in [" + format(low) + ", " + format(high) + ")";
        }

        private static String format(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }
    }

    /**
     * One graph output compared.
     *
     * @param name            output name
     * @param shape           its shape as ONNX Runtime gives it (our engine's where ONNX Runtime gives none)
     * @param engineShape     its shape as our engine gives it (null where our engine gives none)
     * @param maxAbs          max |ours - ref| (NaN where the shapes differ)
     * @param maxRel          max |ours - ref| / max(|ref|, TINY) (NaN where the shapes differ)
     * @param mismatches      elements outside the bound
     * @param worst           index of the element furthest outside (or nearest to) the bound, -1 when none
     * @param worstEngine     our value there
     * @param worstReference  ONNX Runtime's value there
     * @param problem         why the output fails beyond its values (shape mismatch, missing), if it does
     */
    public record OutputCheck(String name, long[] shape, long[] engineShape, double maxAbs, double maxRel,
                              long mismatches, long worst, float worstEngine, float worstReference,
                              Optional<String> problem, double referenceSpread, long referenceMismatches) {

        OutputCheck(String name, long[] shape, long[] engineShape, double maxAbs, double maxRel, long mismatches,
                    long worst, float worstEngine, float worstReference, Optional<String> problem) {
            this(name, shape, engineShape, maxAbs, maxRel, mismatches, worst, worstEngine, worstReference, problem,
                    Double.NaN, 0);
        }

        /** Every element within the bound, or within ONNX Runtime's own spread where that exceeds the bound. */
        public boolean ok() {
            return problem.isEmpty() && (mismatches == 0 || withinReferenceSpread());
        }

        /** The bound is below the reference's own float noise here, and our error is within that noise. */
        public boolean withinReferenceSpread() {
            return referenceMismatches > 0 && maxAbs <= SPREAD_FACTOR * referenceSpread;
        }

        OutputCheck withReferenceSpread(double spread, long spreadMismatches) {
            return new OutputCheck(name, shape, engineShape, maxAbs, maxRel, mismatches, worst, worstEngine,
                    worstReference, problem, spread, spreadMismatches);
        }

        /** One line saying what failed: the problem, or the mismatch count and the worst element. */
        public String describe() {
            if (problem.isPresent()) {
                return problem.get();
            }
            if (mismatches == 0) {
                return "within " + BOUND;
            }
            String counts = mismatches + " of " + Tensor.elementCount(shape) + " elements outside " + BOUND;
            if (withinReferenceSpread()) {
                return counts + ", but within ONNX Runtime's own spread: its optimized and unoptimized runs differ "
                        + "by up to " + String.format("%.3g", referenceSpread) + " (" + referenceMismatches
                        + " elements outside the bound), ours by " + String.format("%.3g", maxAbs);
            }
            String spread = Double.isNaN(referenceSpread) ? "" : "; ONNX Runtime's own spread is "
                    + String.format("%.3g", referenceSpread);
            return counts + "; worst [" + worst + "] ours " + worstEngine + " vs ONNX Runtime " + worstReference
                    + spread;
        }
    }

    /**
     * The whole check.
     *
     * @param model   the file ONNX Runtime ran
     * @param backend description of our engine's backend
     * @param inputs  the concrete input shapes both ran, by name in declaration order
     * @param outputs one entry per output, ONNX Runtime's order first, then any only our engine gave
     */
    public record Result(Path model, String backend, long seed, Map<String, long[]> inputs,
                         List<OutputCheck> outputs) {

        /** Every output passes. */
        public boolean ok() {
            return !outputs.isEmpty() && outputs.stream().allMatch(OutputCheck::ok);
        }
    }

    /**
     * Checks {@code model}: ONNX Runtime runs the file, our engine runs what the importer reads from it
     * with the resolved input shapes.
     *
     * @throws FcptsException INVALID_ARGUMENT for a missing file or an input shape that is missing or does
     *                        not fit; the importer's UNSUPPORTED_MODEL / INVALID_MODEL for a model it cannot
     *                        read (the message lists the unsupported nodes); BACKEND_UNAVAILABLE
     */
    public static Result run(Path model, Settings settings) {
        try (OrtModel ort = OrtModel.open(model)) {
            Map<String, long[]> shapes = resolveShapes(ort.inputs(), settings.inputShapes());
            return compare(ort, OnnxImporter.read(model, shapes), settings);
        }
    }

    /**
     * As {@link #run}, but our engine runs {@code engine} (e.g. an in-memory rewrite of the file) while
     * ONNX Runtime runs {@code reference}. The input shapes are resolved against the file's inputs.
     */
    public static Result compare(Path reference, OnnxModel engine, Settings settings) {
        try (OrtModel ort = OrtModel.open(reference)) {
            return compare(ort, engine, settings);
        }
    }

    private static Result compare(OrtModel ort, OnnxModel engine, Settings settings) {
        Path reference = ort.file();
        Graph graph = engine.graph();
        for (ValueInfo in : graph.inputs()) {
            if (in.type() != DataType.FLOAT) {
                throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, reference + ": input '" + in.name() + "' is "
                        + in.type() + "; the check feeds float inputs only");
            }
        }
        Map<String, long[]> shapes = resolveShapes(ort.inputs(), settings.inputShapes());
        List<String> ours = graph.inputs().stream().map(ValueInfo::name).toList();
        if (!new java.util.HashSet<>(ours).equals(shapes.keySet())) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, reference + ": ONNX Runtime sees inputs "
                    + shapes.keySet() + ", our importer " + ours);
        }
        Map<String, float[]> x = inputs(shapes, settings.seed(), settings.low(), settings.high());
        List<OrtModel.Output> ref = ort.run(x, shapes);
        List<OutputCheck> checks;
        try (Backend backend = Backends.open(settings.backend(), BackendOptions.defaults());
             NetworkExecutor exec = NetworkExecutor.compile(graph, backend, shapes)) {
            Map<String, float[]> got = exec.run(x);
            Map<String, long[]> gotShapes = new LinkedHashMap<>();
            for (ValueInfo o : graph.outputs()) {
                gotShapes.put(o.name(), exec.shape(o.name()));
            }
            checks = compareOutputs(ref, got, gotShapes);
            String description = backend.description();
            if (checks.stream().anyMatch(c -> c.problem().isEmpty() && c.mismatches() > 0)) {
                checks = withReferenceSpread(reference, x, shapes, ref, checks);
            }
            return new Result(reference, description, settings.seed(), shapes, checks);
        }
    }

    /** Measures ONNX Runtime's own spread (optimized vs unoptimized) on the outputs that failed the bound. */
    private static List<OutputCheck> withReferenceSpread(Path file, Map<String, float[]> x,
                                                         Map<String, long[]> shapes, List<OrtModel.Output> ref,
                                                         List<OutputCheck> checks) {
        List<OrtModel.Output> plain;
        try (OrtModel unoptimized = OrtModel.open(file, false)) {
            plain = unoptimized.run(x, shapes);
        }
        List<OutputCheck> out = new ArrayList<>();
        for (OutputCheck c : checks) {
            OrtModel.Output a = ref.stream().filter(r -> r.name().equals(c.name())).findFirst().orElse(null);
            OrtModel.Output b = plain.stream().filter(r -> r.name().equals(c.name())).findFirst().orElse(null);
            if (c.problem().isPresent() || c.mismatches() == 0 || a == null || b == null
                    || a.values().length != b.values().length) {
                out.add(c);
                continue;
            }
            OutputCheck self = values(c.name(), c.shape(), b.values(), a.values());
            out.add(c.withReferenceSpread(self.maxAbs(), self.mismatches()));
        }
        return out;
    }

    /**
     * Concrete input shapes: each declared shape with its symbolic (negative) dimensions taken from
     * {@code given}; a symbolic batch (first) dimension not given is 1. A given dimension that contradicts
     * a fixed declared one, a rank that differs, a name the model does not have, or a symbolic
     * dimension past the first with nothing given is an INVALID_ARGUMENT naming {@code --input-shape}.
     *
     * @param declared the model's inputs in declaration order, -1 (or any negative) where symbolic
     */
    public static Map<String, long[]> resolveShapes(Map<String, long[]> declared, Map<String, long[]> given) {
        for (String name : given.keySet()) {
            if (!declared.containsKey(name)) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-shape " + name + ": the model has no "
                        + "input '" + name + "'; its inputs: " + String.join(", ", declared.keySet()));
            }
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        declared.forEach((name, d) -> {
            long[] g = given.get(name);
            if (g != null && g.length != d.length) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-shape " + name + "=" + join(g)
                        + " has " + g.length + " dimensions; the model declares " + Arrays.toString(d));
            }
            long[] s = d.clone();
            for (int i = 0; i < s.length; i++) {
                if (g != null && g[i] < 1) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-shape " + name + "=" + join(g)
                            + ": dimensions must be positive");
                }
                if (d[i] >= 0) {
                    if (g != null && g[i] != d[i]) {
                        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-shape " + name + "=" + join(g)
                                + ": dimension " + i + " is fixed to " + d[i] + " by the model, which declares "
                                + Arrays.toString(d));
                    }
                } else if (g != null) {
                    s[i] = g[i];
                } else if (i == 0) {
                    s[i] = 1;
                } else {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "input '" + name + "' " + Arrays.toString(d)
                            + " has symbolic dimensions past the batch; give --input-shape " + name + "=D1,D2,...");
                }
            }
            out.put(name, s);
        });
        return out;
    }

    /** The seeded inputs: uniform in [-1, 1), one generator drawn input after input in the map's order. */
    public static Map<String, float[]> inputs(Map<String, long[]> shapes, long seed) {
        return inputs(shapes, seed, -1, 1);
    }

    /** The seeded inputs, uniform in [low, high), one generator drawn input after input in the map's order. */
    public static Map<String, float[]> inputs(Map<String, long[]> shapes, long seed, double low, double high) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        shapes.forEach((name, s) -> {
            float[] x = new float[Math.toIntExact(Tensor.elementCount(s))];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rng.nextDouble() * (high - low) + low);
            }
            out.put(name, x);
        });
        return out;
    }

    /**
     * Compares outputs by name: ONNX Runtime's in its order, then any that only our engine gave.
     *
     * @param engineShapes our engine's output shapes, by name
     */
    public static List<OutputCheck> compareOutputs(List<OrtModel.Output> reference, Map<String, float[]> engine,
                                                   Map<String, long[]> engineShapes) {
        List<OutputCheck> out = new ArrayList<>();
        for (OrtModel.Output r : reference) {
            float[] ours = engine.get(r.name());
            long[] oursShape = engineShapes.get(r.name());
            if (ours == null || oursShape == null) {
                out.add(failed(r.name(), r.shape(), null, "our engine gives no output '" + r.name()
                        + "' (its outputs: " + engine.keySet() + ")"));
            } else if (!Arrays.equals(oursShape, r.shape()) || ours.length != r.values().length) {
                out.add(failed(r.name(), r.shape(), oursShape, "shape mismatch: ONNX Runtime gives "
                        + Arrays.toString(r.shape()) + ", our engine " + Arrays.toString(oursShape)));
            } else {
                out.add(values(r.name(), r.shape(), ours, r.values()));
            }
        }
        for (Map.Entry<String, float[]> e : engine.entrySet()) {
            if (reference.stream().noneMatch(r -> r.name().equals(e.getKey()))) {
                long[] s = engineShapes.get(e.getKey());
                out.add(failed(e.getKey(), s, s, "ONNX Runtime gives no float output '" + e.getKey() + "'"));
            }
        }
        return out;
    }

    private static OutputCheck failed(String name, long[] shape, long[] engineShape, String why) {
        return new OutputCheck(name, shape, engineShape, Double.NaN, Double.NaN, 0, -1, Float.NaN, Float.NaN,
                Optional.of(why));
    }

    /** Element-by-element comparison of one output (shapes already equal). */
    static OutputCheck values(String name, long[] shape, float[] ours, float[] ref) {
        double maxAbs = 0, maxRel = 0, worstRatio = -1;
        long bad = 0;
        int worst = -1;
        for (int i = 0; i < ref.length; i++) {
            double a = ours[i], b = ref[i];
            double err = a == b || (Double.isNaN(a) && Double.isNaN(b)) ? 0 : Math.abs(a - b);
            err = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;   // NaN on one side, or opposite infinities
            double allowed = Double.isFinite(b) ? ATOL + RTOL * Math.abs(b) : 0;
            double ratio = err == 0 ? 0 : err / allowed;
            maxAbs = Math.max(maxAbs, err);
            maxRel = Math.max(maxRel, err == 0 ? 0 : err / Math.max(Double.isFinite(b) ? Math.abs(b) : 0, TINY));
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
            if (!(ratio <= 1)) {
                bad++;
            }
        }
        return new OutputCheck(name, shape, shape, maxAbs, maxRel, bad, worst, worst < 0 ? Float.NaN : ours[worst],
                worst < 0 ? Float.NaN : ref[worst], Optional.empty());
    }

    private static String join(long[] d) {
        return String.join(",", Arrays.stream(d).mapToObj(Long::toString).toList());
    }
}
