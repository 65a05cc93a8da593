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
 * <li>inputs: independent uniform floats in [-1, 1), drawn from one {@code SplittableRandom(seed)} input
 *     after input in declaration order, row-major (the same numbers as the test suite's
 *     {@code TestData.uniform(n, seed)} for a one-input model);</li>
 * <li>pass: |ours - ref| &lt;= {@value #ATOL} + {@value #RTOL} |ref| for every element, ref = ONNX Runtime
 *     (the bound the test suite holds the engine to against ONNX Runtime: both compute in float32 with
 *     different summation orders; 1e-4 relative is about 1,000 float ulps, far below a wrong pad, axis or
 *     broadcast); two NaNs, or two equal infinities, agree; any other non-finite value on one side fails;</li>
 * <li>max abs = max |ours - ref|; max rel = max |ours - ref| / max(|ref|, {@value #TINY}): below
 *     |ref| = 1e-4 the bound is ruled by its absolute term, so there the error is measured against 1e-4
 *     instead of a vanishing |ref| (a non-finite disagreement counts as an infinite error in both);</li>
 * <li>an output whose shape differs between the two, or that one side does not produce, fails with a
 *     message saying so.</li>
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
    /** The pass bound, for reports. */
    public static final String BOUND = "|ours - ref| <= 1e-4 + 1e-4 |ref|";
    /** How the inputs are drawn, for reports. */
    public static final String DISTRIBUTION = "uniform in [-1, 1)";

    private EngineCheck() {
    }

    /**
     * What to check with.
     *
     * @param inputShapes shapes of inputs with symbolic dimensions, by name, batch first (see
     *                    {@link #resolveShapes}); may be empty
     * @param seed        seed of the random inputs
     * @param backend     our engine's backend: {@code cpu}, {@code cuda} or {@code auto}
     */
    public record Settings(Map<String, long[]> inputShapes, long seed, String backend) {
        public Settings {
            Map<String, long[]> copy = new LinkedHashMap<>();
            Objects.requireNonNull(inputShapes, "inputShapes").forEach((k, v) -> copy.put(k, v.clone()));
            inputShapes = java.util.Collections.unmodifiableMap(copy);
            Objects.requireNonNull(backend, "backend");
        }

        /** No shapes given, seed 1, the cpu backend. */
        public static Settings defaults() {
            return new Settings(Map.of(), 1, "cpu");
        }

        public Settings withInputShapes(Map<String, long[]> shapes) {
            return new Settings(shapes, seed, backend);
        }

        public Settings withSeed(long s) {
            return new Settings(inputShapes, s, backend);
        }

        public Settings withBackend(String b) {
            return new Settings(inputShapes, seed, b);
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
                              Optional<String> problem) {

        /** Every element within the bound and nothing else wrong. */
        public boolean ok() {
            return problem.isEmpty() && mismatches == 0;
        }

        /** One line saying what failed: the problem, or the mismatch count and the worst element. */
        public String describe() {
            if (problem.isPresent()) {
                return problem.get();
            }
            if (mismatches == 0) {
                return "within " + BOUND;
            }
            return mismatches + " of " + Tensor.elementCount(shape) + " elements outside " + BOUND + "; worst ["
                    + worst + "] ours " + worstEngine + " vs ONNX Runtime " + worstReference;
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
        Map<String, float[]> x = inputs(shapes, settings.seed());
        List<OrtModel.Output> ref = ort.run(x, shapes);
        try (Backend backend = Backends.open(settings.backend(), BackendOptions.defaults());
             NetworkExecutor exec = NetworkExecutor.compile(graph, backend, shapes)) {
            Map<String, float[]> got = exec.run(x);
            Map<String, long[]> gotShapes = new LinkedHashMap<>();
            for (ValueInfo o : graph.outputs()) {
                gotShapes.put(o.name(), exec.shape(o.name()));
            }
            return new Result(reference, backend.description(), settings.seed(), shapes,
                    compareOutputs(ref, got, gotShapes));
        }
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
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        shapes.forEach((name, s) -> {
            float[] x = new float[Math.toIntExact(Tensor.elementCount(s))];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rng.nextDouble() * 2 - 1);
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
