package io.github.fcpts4j.sparse;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The inputs and outputs of a {@link SparsePlan} (names in graph order, shapes from shape inference) and the
 * checks of a caller's arguments against them: each failure is an {@link ErrorCode#INVALID_ARGUMENT} naming the
 * argument, the key at fault and what was expected. The per-run checks allocate nothing unless they fail, since
 * a serving run makes them on every request.
 */
final class PlanSignature {
    private final String[] inputs;
    private final String[] outputs;
    private final long[][] inputShapes;
    private final long[][] outputShapes;

    PlanSignature(Graph serving, Map<String, long[]> shapes) {
        inputs = serving.inputs().stream().map(ValueInfo::name).toArray(String[]::new);
        outputs = serving.outputs().stream().map(ValueInfo::name).toArray(String[]::new);
        inputShapes = Arrays.stream(inputs).map(n -> shapes.get(n).clone()).toArray(long[][]::new);
        outputShapes = Arrays.stream(outputs).map(n -> shapes.get(n).clone()).toArray(long[][]::new);
    }

    /** The null checks of build's arguments that need no graph (made before the model file is read). */
    static void checkNotNull(Map<String, long[]> inputShapes) {
        FcptsException.requireNonNull(inputShapes, "inputShapes");
        inputShapes.forEach((name, shape) -> {
            if (shape == null) {
                throw invalid("inputShapes['" + name + "'] is null");
            }
        });
    }

    /**
     * Build's input shapes against the graph's declared inputs: one shape per input and no other key, each of
     * the declared rank, with positive dimensions equal to the declared ones where those are static (not -1).
     */
    static void checkShapes(Graph graph, Map<String, long[]> inputShapes) {
        checkNotNull(inputShapes);
        List<String> names = graph.inputs().stream().map(ValueInfo::name).toList();
        for (ValueInfo in : graph.inputs()) {
            long[] given = inputShapes.get(in.name());
            if (given == null) {
                throw invalid("inputShapes has no shape for input '" + in.name() + "'; the model's inputs: " + names);
            }
            long[] declared = in.shape();
            boolean fits = given.length == declared.length;
            for (int i = 0; fits && i < given.length; i++) {
                fits = given[i] > 0 && (declared[i] < 0 || declared[i] == given[i]);
            }
            if (!fits) {
                throw invalid("inputShapes['" + in.name() + "'] is " + Arrays.toString(given) + ", the model declares"
                        + " input '" + in.name() + "' as " + Arrays.toString(declared) + " (same rank, every"
                        + " dimension positive and equal to the declared one where that is not -1)");
            }
        }
        for (String key : inputShapes.keySet()) {
            if (!names.contains(key)) {
                throw invalid("inputShapes names '" + key + "', which is not an input of the model; its inputs: "
                        + names);
            }
        }
    }

    List<String> inputNames() {
        return List.of(inputs);
    }

    List<String> outputNames() {
        return List.of(outputs);
    }

    long[] inputShape(String name) {
        return shape("input", name, inputs, inputShapes);
    }

    long[] outputShape(String name) {
        return shape("output", name, outputs, outputShapes);
    }

    int inputCount() {
        return inputs.length;
    }

    int outputCount() {
        return outputs.length;
    }

    /** {@code dst[i]} = {@code map}'s array for input i: every input present, no other key, lengths right. */
    void gatherInputs(Map<String, float[]> map, float[][] dst) {
        gather("inputs", "input", map, inputs, inputShapes, dst, false);
    }

    /**
     * {@code dst[j]} = {@code map}'s array for output j, or null where the map does not name output j: at least
     * one output, no other key, lengths right.
     */
    void gatherOutputs(Map<String, float[]> map, float[][] dst) {
        gather("outputs", "output", map, outputs, outputShapes, dst, true);
    }

    /** The arguments of the one-input, one-output run. */
    void checkSingle(float[] input, float[] output) {
        if (inputs.length != 1 || outputs.length != 1) {
            throw invalid("run(float[], float[]) is for a model with one input and one output; this one has inputs "
                    + inputNames() + " and outputs " + outputNames() + ": use run(Map, Map)");
        }
        checkArray("input", null, input, "input", inputs[0], inputShapes[0]);
        checkArray("output", null, output, "output", outputs[0], outputShapes[0]);
    }

    private static void gather(String argument, String kind, Map<String, float[]> map, String[] names,
                               long[][] shapes, float[][] dst, boolean subset) {
        FcptsException.requireNonNull(map, argument);
        int found = 0;
        for (int i = 0; i < names.length; i++) {
            float[] a = map.get(names[i]);
            if (a == null && subset && !map.containsKey(names[i])) {
                dst[i] = null;
                continue;
            }
            if (a == null && !map.containsKey(names[i])) {
                throw invalid(argument + " has no array for " + kind + " '" + names[i] + "' (shape "
                        + Arrays.toString(shapes[i]) + "); the model's " + kind + "s: " + List.of(names));
            }
            checkArray(argument, names[i], a, kind, names[i], shapes[i]);
            dst[i] = a;
            found++;
        }
        if (found != map.size()) {
            List<String> known = List.of(names);
            for (String key : map.keySet()) {
                if (key == null || !known.contains(key)) {
                    throw invalid(argument + " names '" + key + "', which is not an " + kind + " of the model; its "
                            + kind + "s: " + known);
                }
            }
        }
        if (found == 0) {
            throw invalid(argument + " is empty; the model's " + kind + "s: " + List.of(names));
        }
    }

    /** @param key the map key of {@code a} (named as {@code argument['key']}), or null for a plain argument */
    private static void checkArray(String argument, String key, float[] a, String kind, String name,
                                   long[] shape) {
        if (a == null) {
            throw invalid(label(argument, key) + " is null (" + kind + " '" + name + "' of shape "
                    + Arrays.toString(shape) + ")");
        }
        long size = TensorData.size(shape);
        if (a.length != size) {
            throw invalid(label(argument, key) + " holds " + a.length + " floats; " + kind + " '" + name
                    + "' of shape " + Arrays.toString(shape) + " takes " + size);
        }
    }

    /** Built only for a message: the checks that pass allocate nothing. */
    private static String label(String argument, String key) {
        return key == null ? argument : argument + "['" + key + "']";
    }

    private static long[] shape(String kind, String name, String[] names, long[][] shapes) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return shapes[i].clone();
            }
        }
        throw invalid("the model has no " + kind + " '" + name + "'; its " + kind + "s: " + List.of(names));
    }

    private static FcptsException invalid(String message) {
        return new FcptsException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
