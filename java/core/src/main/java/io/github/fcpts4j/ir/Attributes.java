package io.github.fcpts4j.ir;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The attributes of a node, as ONNX defines them: each value is a Long (INT),
 * Float (FLOAT), long[] (INTS), float[] (FLOATS), String (STRING) or
 * {@link TensorData} (TENSOR). Immutable; getters take the default that the
 * ONNX operator specification gives. A value of another type than the getter
 * reads (a model's INT where the op expects INTS) is an {@code INVALID_MODEL}
 * error naming the attribute, both types and the owner (the node, for imported
 * attributes: {@link #fromMap(Map, String)}).
 */
public final class Attributes {
    private static final Attributes EMPTY = new Attributes(Map.of(), "");
    private final Map<String, Object> values;
    /** Who holds these attributes, for error messages only (not part of equality). */
    private final String owner;

    private Attributes(Map<String, Object> values, String owner) {
        this.values = values;
        this.owner = owner;
    }

    public static Attributes empty() {
        return EMPTY;
    }

    /** Builds from name/value pairs: {@code Attributes.of("axis", 1L, "perm", new long[] {0, 2, 1})}. */
    public static Attributes of(Object... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("Attributes.of takes name/value pairs");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return fromMap(m);
    }

    public static Attributes fromMap(Map<String, Object> map) {
        return fromMap(map, "");
    }

    /** As {@link #fromMap(Map)}; {@code owner} (e.g. {@code "m.onnx: node 'conv1' (Conv)"}) names them in errors. */
    public static Attributes fromMap(Map<String, Object> map, String owner) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(Objects.requireNonNull(k), copyValue(k, v)));
        return new Attributes(Collections.unmodifiableMap(copy), Objects.requireNonNull(owner, "owner"));
    }

    private static Object copyValue(String name, Object v) {
        if (v instanceof Integer i) {
            return (long) i;
        }
        if (v instanceof Double d) {
            return (float) (double) d;
        }
        if (v instanceof long[] a) {
            return a.clone();
        }
        if (v instanceof int[] a) {
            return Arrays.stream(a).asLongStream().toArray();
        }
        if (v instanceof float[] a) {
            return a.clone();
        }
        if (v instanceof Long || v instanceof Float || v instanceof String || v instanceof TensorData) {
            return v;
        }
        throw new IllegalArgumentException("attribute '" + name + "': unsupported value type "
                + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    public Set<String> names() {
        return values.keySet();
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The raw value (Long, Float, long[], float[], String or TensorData), copied where mutable. */
    public Object get(String name) {
        Object v = values.get(name);
        return v instanceof long[] a ? a.clone() : v instanceof float[] f ? f.clone() : v;
    }

    public long getInt(String name, long fallback) {
        Object v = values.get(name);
        return v == null ? fallback : typed(name, v, Long.class, "INT");
    }

    public float getFloat(String name, float fallback) {
        Object v = values.get(name);
        return v == null ? fallback : typed(name, v, Float.class, "FLOAT");
    }

    public long[] getInts(String name, long[] fallback) {
        Object v = values.get(name);
        return v == null ? fallback : typed(name, v, long[].class, "INTS").clone();
    }

    public String getString(String name, String fallback) {
        Object v = values.get(name);
        return v == null ? fallback : typed(name, v, String.class, "STRING");
    }

    private <T> T typed(String name, Object v, Class<T> type, String onnxType) {
        if (!type.isInstance(v)) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, (owner.isEmpty() ? "" : owner + ": ") + "attribute '"
                    + name + "' is " + onnxType(v) + ", expected " + onnxType);
        }
        return type.cast(v);
    }

    private static String onnxType(Object v) {
        return v instanceof Long ? "INT" : v instanceof Float ? "FLOAT" : v instanceof long[] ? "INTS"
                : v instanceof float[] ? "FLOATS" : v instanceof String ? "STRING" : "TENSOR";
    }

    /** A copy with {@code name} set to {@code value}. */
    public Attributes with(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return fromMap(m, owner);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Attributes other) || !values.keySet().equals(other.values.keySet())) {
            return false;
        }
        for (var e : values.entrySet()) {
            if (!Objects.deepEquals(e.getValue(), other.values.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return values.keySet().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=')
                .append(v instanceof long[] a ? Arrays.toString(a) : v instanceof float[] f ? Arrays.toString(f) : v));
        return sb.append('}').toString();
    }
}
