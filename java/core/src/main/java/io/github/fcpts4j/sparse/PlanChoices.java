package io.github.fcpts4j.sparse;

import io.github.fcpts4j.AtomicFiles;
import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decisions of a {@link SparsePlan} that can be saved, loaded and pinned: which layers run sparse, for which
 * model, backend and input shapes. A server times its plan once ({@link SparsePlan.Policy#FASTEST}), saves
 * {@link SparsePlan#planChoices()}, and at every later start builds with {@link SparsePlan.Options#pinnedTo}
 * the loaded choices: no timing, and the same layers sparse on every start.
 *
 * <p>The file is JSON ({@link PlanChoicesJson}), written atomically. Pinning checks the choices against the plan
 * being built: the model's SHA-256 (over its nodes and weights, see {@link #modelSha256()}), the backend name,
 * the input shapes, and one layer entry for every layer the plan could run sparse, no more, no fewer; any
 * difference is an {@link ErrorCode#INVALID_ARGUMENT} naming {@link #origin()} and what differs.
 *
 * @param model       the model's file name, or its graph name when the plan was built from a graph (for people;
 *                    not compared)
 * @param modelSha256 SHA-256 (hex) of the serving graph (BatchNorms folded): its nodes in order (name, op,
 *                    attributes, inputs, outputs) and its initializers by name (name, type, dims, values); not of
 *                    the file's bytes, so re-saving or renaming the file keeps it, changing any weight or
 *                    attribute changes it
 * @param backend     the backend's {@link io.github.fcpts4j.backend.Backend#name() name}
 * @param inputShapes the shape of every graph input, in graph order
 * @param layers      every layer the plan could run sparse, in {@link SparsePlan#choices()} order
 * @param origin      where these choices came from, for messages: the file they were loaded from, or the plan
 *                    that made them (not saved)
 */
public record PlanChoices(String model, String modelSha256, String backend, Map<String, List<Long>> inputShapes,
                          List<Layer> layers, String origin) {
    /** The file format version {@link #save} writes and {@link #load} reads. */
    public static final int VERSION = 1;

    /** One layer's decision: the conv (first node of its fused chain) or Gemm / MatMul node, and its path. */
    public record Layer(String node, boolean sparse) {
        public Layer {
            FcptsException.requireNonNull(node, "layer node");
        }
    }

    /** Copies the collections (immutable, order kept); null components and a layer named twice are rejected. */
    public PlanChoices {
        FcptsException.requireNonNull(model, "model");
        FcptsException.requireNonNull(modelSha256, "modelSha256");
        FcptsException.requireNonNull(backend, "backend");
        FcptsException.requireNonNull(inputShapes, "inputShapes");
        FcptsException.requireNonNull(layers, "layers");
        FcptsException.requireNonNull(origin, "origin");
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        inputShapes.forEach((name, shape) -> shapes.put(FcptsException.requireNonNull(name, "input name"),
                List.copyOf(FcptsException.requireNonNull(shape, "inputShapes['" + name + "']"))));
        inputShapes = Collections.unmodifiableMap(shapes);
        layers = List.copyOf(layers);
        Set<String> seen = new HashSet<>();
        for (Layer l : layers) {
            if (!seen.add(l.node())) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, origin + ": layer '" + l.node()
                        + "' is named twice");
            }
        }
    }

    /** Writes these choices as JSON to {@code file}, atomically ({@link AtomicFiles}). */
    public void save(Path file) {
        FcptsException.requireNonNull(file, "file");
        AtomicFiles.writeString(file, PlanChoicesJson.write(this) + "\n");
    }

    /**
     * Reads choices that {@link #save} wrote. A missing or unreadable file, malformed JSON, a missing field or
     * a version other than {@link #VERSION} is an {@link ErrorCode#INVALID_ARGUMENT} naming the file.
     */
    public static PlanChoices load(Path file) {
        FcptsException.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "plan choices file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot read plan choices file " + file + ": " + e,
                    e);
        }
        return PlanChoicesJson.read(text, file.toString());
    }

    /**
     * The path of every layer in {@code nodes}' order, after checking that these choices were made for this
     * model, backend and input shapes and name exactly these layers.
     */
    boolean[] sparseFlags(String sha256, String backendName, Map<String, long[]> shapes, List<String> nodes) {
        if (!modelSha256.equals(sha256)) {
            throw mismatch("the choices are for a model with SHA-256 " + modelSha256 + " (" + model + "), this one's"
                    + " is " + sha256);
        }
        if (!backend.equals(backendName)) {
            throw mismatch("the choices were made on backend '" + backend + "', this plan runs on '" + backendName
                    + "'");
        }
        Map<String, List<Long>> given = new LinkedHashMap<>();
        shapes.forEach((name, s) -> given.put(name, Arrays.stream(s).boxed().toList()));
        if (!given.equals(inputShapes)) {
            throw mismatch("the choices are for input shapes " + inputShapes + ", this plan's are " + given);
        }
        Map<String, Boolean> byNode = new LinkedHashMap<>();
        layers.forEach(l -> byNode.put(l.node(), l.sparse()));
        boolean[] sparse = new boolean[nodes.size()];
        for (int i = 0; i < sparse.length; i++) {
            Boolean s = byNode.remove(nodes.get(i));
            if (s == null) {
                throw mismatch("the choices have no entry for layer '" + nodes.get(i) + "'; this plan's layers: "
                        + nodes);
            }
            sparse[i] = s;
        }
        if (!byNode.isEmpty()) {
            throw mismatch("the choices name layer '" + byNode.keySet().iterator().next() + "', which this plan does"
                    + " not have; its layers: " + nodes);
        }
        return sparse;
    }

    private FcptsException mismatch(String what) {
        return new FcptsException(ErrorCode.INVALID_ARGUMENT, "pinned plan choices " + origin + " do not fit: "
                + what);
    }
}
