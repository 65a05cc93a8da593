package io.github.fcpts4j.sparse;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of {@link PlanChoices}:
 * <pre>{@code
 * {"format": "fcpts4j-plan-choices", "version": 1, "model": "resnet20.onnx", "modelSha256": "3f...",
 *  "backend": "cpu", "inputShapes": {"input": [1, 1, 28, 28]},
 *  "layers": [{"node": "conv1", "sparse": false}, ...]}
 * }</pre>
 * Reading checks the format tag and the version first, then every field's presence and type; each failure is
 * an {@link ErrorCode#INVALID_ARGUMENT} naming the file and the field.
 */
final class PlanChoicesJson {
    static final String FORMAT = "fcpts4j-plan-choices";

    private PlanChoicesJson() {
    }

    static String write(PlanChoices c) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", PlanChoices.VERSION);
        o.addProperty("model", c.model());
        o.addProperty("modelSha256", c.modelSha256());
        o.addProperty("backend", c.backend());
        JsonObject shapes = new JsonObject();
        c.inputShapes().forEach((name, shape) -> {
            JsonArray dims = new JsonArray();
            shape.forEach(dims::add);
            shapes.add(name, dims);
        });
        o.add("inputShapes", shapes);
        JsonArray layers = new JsonArray();
        for (PlanChoices.Layer l : c.layers()) {
            JsonObject layer = new JsonObject();
            layer.addProperty("node", l.node());
            layer.addProperty("sparse", l.sparse());
            layers.add(layer);
        }
        o.add("layers", layers);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    /** @param origin the file, for messages (and the choices' {@link PlanChoices#origin()}) */
    static PlanChoices read(String text, String origin) {
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(text);
            if (!root.isJsonObject()) {
                throw invalid(origin, "the JSON is not an object, so not plan choices");
            }
            o = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, origin + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!o.has("format") || !FORMAT.equals(string(o, "format", origin))) {
            throw invalid(origin, "no \"format\": \"" + FORMAT + "\", so not a plan choices file");
        }
        long version = number(o.get("version"), "version", origin);
        if (version != PlanChoices.VERSION) {
            throw invalid(origin, "plan choices version " + version + "; this fcpts4j reads version "
                    + PlanChoices.VERSION);
        }
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : object(o, "inputShapes", origin).entrySet()) {
            String field = "inputShapes." + e.getKey();
            List<Long> dims = new ArrayList<>();
            for (JsonElement d : array(e.getValue(), field, origin)) {
                dims.add(number(d, field, origin));
            }
            shapes.put(e.getKey(), dims);
        }
        List<PlanChoices.Layer> layers = new ArrayList<>();
        JsonArray list = array(o.get("layers"), "layers", origin);
        for (int i = 0; i < list.size(); i++) {
            String field = "layers[" + i + "]";
            if (!list.get(i).isJsonObject()) {
                throw invalid(origin, "field " + field + " is not an object");
            }
            JsonObject l = list.get(i).getAsJsonObject();
            JsonElement sparse = l.get("sparse");
            if (sparse == null || !sparse.isJsonPrimitive() || !sparse.getAsJsonPrimitive().isBoolean()) {
                throw invalid(origin, "field " + field + ".sparse is missing or not true / false");
            }
            layers.add(new PlanChoices.Layer(string(l, "node", field, origin), sparse.getAsBoolean()));
        }
        return new PlanChoices(string(o, "model", origin), string(o, "modelSha256", origin),
                string(o, "backend", origin), shapes, layers, origin);
    }

    private static String string(JsonObject o, String field, String origin) {
        return string(o, field, null, origin);
    }

    private static String string(JsonObject o, String field, String parent, String origin) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw invalid(origin, "field " + (parent == null ? "" : parent + ".") + field
                    + " is missing or not a string");
        }
        return e.getAsString();
    }

    private static long number(JsonElement e, String field, String origin) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw invalid(origin, "field " + field + " is missing or not a number");
        }
        double d = e.getAsDouble();
        if (d != Math.rint(d)) {
            throw invalid(origin, "field " + field + " is " + e + ", not a whole number");
        }
        return e.getAsLong();
    }

    private static JsonObject object(JsonObject o, String field, String origin) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonObject()) {
            throw invalid(origin, "field " + field + " is missing or not an object");
        }
        return e.getAsJsonObject();
    }

    private static JsonArray array(JsonElement e, String field, String origin) {
        if (e == null || !e.isJsonArray()) {
            throw invalid(origin, "field " + field + " is missing or not an array");
        }
        return e.getAsJsonArray();
    }

    private static FcptsException invalid(String origin, String what) {
        return new FcptsException(ErrorCode.INVALID_ARGUMENT, origin + ": " + what);
    }
}
