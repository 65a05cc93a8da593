package io.github.fcpts4j.cli;

import ai.onnx.proto.OnnxMl;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine.Option;

/**
 * Mixin: {@code --input-shape NAME=D1,D2,...} (repeatable) for every command that loads a model: fixes the
 * symbolic dimensions of a model input (the batch dimension stays free where the model leaves it free).
 * Values are checked here (positive integers) and names against the model's inputs.
 */
final class InputShapeOption {
    @Option(names = "--input-shape", paramLabel = "NAME=D1,D2,...", description = "shape of an input with symbolic "
            + "dimensions, batch first, e.g. x=1,3,48,192 (the batch dimension stays free); repeatable")
    List<String> specs = new ArrayList<>();

    /** The shapes by input name, in the order given. */
    Map<String, long[]> shapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String s : specs) {
            int eq = s.indexOf('=');
            String name = eq > 0 ? s.substring(0, eq).trim() : "";
            long[] dims = eq > 0 ? parseDims(s.substring(eq + 1)) : null;
            if (name.isEmpty() || dims == null) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-shape '" + s + "': expected NAME=D1,D2,..."
                        + " with positive integer dimensions, e.g. x=1,3,224,224");
            }
            if (out.put(name, dims) != null) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-shape given twice for '" + name + "'");
            }
        }
        return out;
    }

    private static long[] parseDims(String v) {
        String[] parts = v.split(",", -1);
        long[] dims = new long[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                dims[i] = Long.parseLong(parts[i].trim());
                if (dims[i] < 1) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return dims;
    }

    /** @throws FcptsException INVALID_ARGUMENT naming an input the model does not have, with the ones it has */
    void checkNames(Path model, Collection<String> inputs) {
        for (String name : shapes().keySet()) {
            if (!inputs.contains(name)) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-shape " + name + ": " + model
                        + " has no input '" + name + "'; its inputs: " + String.join(", ", inputs));
            }
        }
    }

    /** The declared shape of input {@code name} with the given dimensions filled in where it is symbolic. */
    long[] apply(String name, long[] declared) {
        long[] given = shapes().get(name);
        if (given == null) {
            return declared.clone();
        }
        if (given.length != declared.length) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--input-shape " + name + "=" + join(given) + " has "
                    + given.length + " dimensions; the model declares " + Arrays.toString(declared));
        }
        long[] s = declared.clone();
        for (int i = 1; i < s.length; i++) {
            s[i] = s[i] < 0 ? given[i] : s[i];
        }
        return s;
    }

    /** Checks the values, and the names against the inputs declared in the file (where it can be parsed). */
    void check(Path model) {
        shapes();
        List<String> inputs = specs.isEmpty() ? null : graphInputs(model);
        if (inputs != null) {
            checkNames(model, inputs);
        }
    }

    /** Reads a model for fcpts4j's own engine with these shapes, after {@link #check}. */
    OnnxModel read(Path model) {
        check(model);
        return OnnxImporter.read(model, shapes());
    }

    private static String join(long[] d) {
        return String.join(",", Arrays.stream(d).mapToObj(Long::toString).toList());
    }

    /** The graph inputs that are not initializers, from the file's protobuf; null where the importer should say why not. */
    private static List<String> graphInputs(Path model) {
        if (!Files.isRegularFile(model)) {
            return null;
        }
        try {
            OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model)).getGraph();
            Set<String> initializers = new HashSet<>();
            g.getInitializerList().forEach(t -> initializers.add(t.getName()));
            return g.getInputList().stream().map(OnnxMl.ValueInfoProto::getName)
                    .filter(n -> !initializers.contains(n)).toList();
        } catch (IOException e) {
            return null;
        }
    }
}
