package io.github.fcpts4j.onnx;

import ai.onnx.proto.OnnxMl;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds the shape-computation subgraphs that exporters emit around Reshape and
 * Flatten (Shape, Gather, Slice, Cast, Unsqueeze, Squeeze, Concat,
 * ConstantOfShape, and Add / Sub / Mul / Div on such integers) into constants,
 * once the input shapes are known.
 *
 * <p>The batch dimension stays symbolic: activations carry the placeholder
 * {@link #BATCH} as their first dimension while shapes are propagated, and a
 * folded Reshape target whose first entry is the placeholder becomes 0 ("copy
 * the input's dimension", ONNX Reshape semantics), so the imported graph keeps
 * its dynamic batch. Any other use of the batch size in shape arithmetic is an
 * error that asks for a fixed {@code --input-shape}.
 */
final class ShapeFolder {
    /** Stand-in for the batch size while folding: large and prime, so no real dimension collides with it. */
    static final long BATCH = 1_000_003L;
    static final Set<String> FOLDABLE = Set.of("Shape", "Gather", "Slice", "Cast", "Unsqueeze", "Squeeze",
            "ConstantOfShape", "Split");
    private static final Set<String> ARITHMETIC = Set.of("Add", "Sub", "Mul", "Div", "Concat");
    /** The most elements a folded ConstantOfShape may have (256 MiB of floats): shape subgraphs are small. */
    static final long MAX_FOLDED_ELEMENTS = 1L << 26;

    private final Map<String, TensorData> constants;
    private final Map<String, long[]> shapes;
    private final int opset;
    private final String origin;

    ShapeFolder(Map<String, TensorData> constants, Map<String, long[]> shapes, int opset, String origin) {
        this.constants = constants;
        this.shapes = shapes;
        this.opset = opset;
        this.origin = origin;
    }

    /** Whether {@code n} computes on constants only (or on a shape) and can be folded now. */
    boolean canFold(OnnxMl.NodeProto n, List<String> inputs) {
        if (n.getOpType().equals("Shape")) {
            return inputs.isEmpty() || shapes.containsKey(inputs.get(0)) || constants.containsKey(inputs.get(0));
        }
        if (!FOLDABLE.contains(n.getOpType()) && !ARITHMETIC.contains(n.getOpType())) {
            return false;
        }
        boolean allConstant = inputs.stream().allMatch(i -> i.isEmpty() || constants.containsKey(i));
        TensorData first = inputs.isEmpty() ? null : constants.get(inputs.get(0));
        if (first != null && first.isFloat() && first.rank() > 1 && !n.getOpType().equals("Cast")) {
            return false;  // a float tensor, not a shape: a data op on a constant
        }
        return allConstant && (FOLDABLE.contains(n.getOpType())
                || inputs.stream().allMatch(i -> i.isEmpty() || !constants.get(i).isFloat()));
    }

    /** Evaluates a foldable node; its outputs become constants (Split has several). */
    List<TensorData> foldAll(OnnxMl.NodeProto n, List<String> inputs, Attributes a) {
        if (!n.getOpType().equals("Split")) {
            return List.of(fold(n, inputs, a));
        }
        String where = origin + ": node '" + n.getName() + "' (Split)";
        TensorData x = input(inputs, 0, where);
        requireVector(x, where);
        long[] v = x.longs();
        long[] split = inputs.size() > 1 && !inputs.get(1).isEmpty() ? integers(input(inputs, 1, where), where)
                : a.getInts("split", null);
        int parts = n.getOutputCount();
        if (split == null) {
            if (v.length % parts != 0) {
                throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": " + v.length + " values do not split "
                        + "evenly into " + parts);
            }
            split = new long[parts];
            Arrays.fill(split, v.length / parts);
        }
        if (split.length != parts || Arrays.stream(split).anyMatch(s -> s < 0 || s > v.length)
                || Arrays.stream(split).sum() != v.length) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": split " + Arrays.toString(split)
                    + " does not cut " + v.length + " values into " + parts);
        }
        List<TensorData> out = new ArrayList<>();
        int at = 0;
        for (long s : split) {
            out.add(TensorData.ofLongs(x.type(), new long[] {s}, Arrays.copyOfRange(v, at, at + (int) s)));
            at += (int) s;
        }
        return out;
    }

    /** Evaluates a foldable node of one output; it becomes a constant. */
    TensorData fold(OnnxMl.NodeProto n, List<String> inputs, Attributes a) {
        String where = origin + ": node '" + n.getName() + "' (" + n.getOpType() + ")";
        switch (n.getOpType()) {
            case "Shape": {
                String of = inputs.isEmpty() ? "" : inputs.get(0);
                long[] s = shapes.containsKey(of) ? shapes.get(of) : input(inputs, 0, where).dims();
                int rank = s.length;
                int start = (int) clampAxis(a.getInt("start", 0), rank), end = (int) clampAxis(a.getInt("end",
                        rank), rank);
                return TensorData.int64Vector(Arrays.copyOfRange(s, start, Math.max(start, end)));
            }
            case "Cast": {
                TensorData x = input(inputs, 0, where);
                DataType to = DataType.fromOnnx((int) a.getInt("to", 1));
                boolean half = a.getInt("to", 1) == Float16.ONNX_TYPE;
                if (to == DataType.FLOAT || to == DataType.DOUBLE || half) {
                    float[] f = new float[(int) x.size()];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = half ? Float16.toFloat(Float16.fromFloat((float) x.get(i)) & 0xffff) : (float) x.get(i);
                    }
                    return TensorData.ofFloats(x.dims(), f);
                }
                if (to == null || a.getInt("to", 1) != to.onnxCode()) {
                    throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": cast to ONNX type " + a.getInt("to",
                            0));
                }
                long[] l = new long[(int) x.size()];
                for (int i = 0; i < l.length; i++) {
                    l[i] = (long) x.get(i);
                }
                return TensorData.ofLongs(to, x.dims(), l);
            }
            case "Gather": {
                TensorData data = input(inputs, 0, where), idx = input(inputs, 1, where);
                requireVector(data, where);
                long[] k = integers(idx, where);
                long[] out = new long[k.length];
                for (int i = 0; i < out.length; i++) {
                    long at = k[i] < 0 ? k[i] + data.size() : k[i];
                    if (at < 0 || at >= data.size()) {
                        throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": index " + k[i] + " is outside the "
                                + data.size() + " values of '" + inputs.get(0) + "'");
                    }
                    out[i] = (long) data.get((int) at);
                }
                return idx.rank() == 0 ? TensorData.ofLongs(DataType.INT64, new long[0], out)
                        : TensorData.ofLongs(DataType.INT64, idx.dims(), out);
            }
            case "Unsqueeze":
            case "Squeeze": {
                TensorData x = input(inputs, 0, where);
                long[] axes = opset >= 13 && inputs.size() > 1 && !inputs.get(1).isEmpty()
                        ? integers(input(inputs, 1, where), where) : a.getInts("axes", null);
                List<Long> dims = new ArrayList<>();
                for (long d : x.dims()) {
                    dims.add(d);
                }
                boolean unsqueeze = n.getOpType().equals("Unsqueeze");
                if (unsqueeze && axes == null) {
                    throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": Unsqueeze without axes");
                }
                if (unsqueeze) {
                    int[] sorted = axes(axes, dims.size() + axes.length, where);
                    for (int ax : sorted) {
                        dims.add(ax, 1L);
                    }
                } else if (axes == null) {
                    dims.removeIf(d -> d == 1);
                } else {
                    int[] sorted = axes(axes, dims.size(), where);
                    for (int i = sorted.length - 1; i >= 0; i--) {
                        if (dims.get(sorted[i]) != 1) {
                            throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": squeezes axis " + sorted[i]
                                    + " of shape " + Arrays.toString(x.dims()) + ", which is not 1");
                        }
                        dims.remove(sorted[i]);
                    }
                }
                long[] newDims = dims.stream().mapToLong(Long::longValue).toArray();
                return x.isFloat() ? TensorData.ofFloats(newDims, x.floats())
                        : TensorData.ofLongs(x.type(), newDims, x.longs());
            }
            case "Slice": {
                TensorData x = input(inputs, 0, where);
                requireVector(x, where);
                long start, end, step = 1;
                if (opset >= 10) {
                    start = first(input(inputs, 1, where), "starts", where);
                    end = first(input(inputs, 2, where), "ends", where);
                    if (inputs.size() > 4 && !inputs.get(4).isEmpty()) {
                        step = first(input(inputs, 4, where), "steps", where);
                    }
                } else {
                    long[] starts = a.getInts("starts", new long[] {0}), ends = a.getInts("ends",
                            new long[] {Long.MAX_VALUE});
                    if (starts.length == 0 || ends.length == 0) {
                        throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": empty starts or ends");
                    }
                    start = starts[0];
                    end = ends[0];
                }
                if (step == 0) {
                    throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": slice step 0");
                }
                // ONNX clamping: [0, size] going forward, [-1, size - 1] going backward
                long size = x.size(), low = step > 0 ? 0 : -1, high = step > 0 ? size : size - 1;
                start = Math.max(low, Math.min(high, start < 0 ? start + size : start));
                end = Math.max(low, Math.min(high, end < 0 ? end + size : end));
                long[] v = x.longs();
                List<Long> out = new ArrayList<>();
                for (long i = start; step > 0 ? i < end : i > end; i += step) {
                    out.add(v[(int) i]);
                    if (step > 0 ? step >= end - i : -step >= i - end) {
                        break;  // the next index is past the end (and step + i may overflow)
                    }
                }
                return TensorData.int64Vector(out.stream().mapToLong(Long::longValue).toArray());
            }
            case "ConstantOfShape": {
                long[] dims = integers(input(inputs, 0, where), where);
                Object given = a.get("value");
                if (given != null && !(given instanceof TensorData t && t.size() == 1)) {
                    throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": attribute 'value' must be a "
                            + "one-element tensor, got " + given);
                }
                TensorData value = (TensorData) given;
                if (Arrays.stream(dims).anyMatch(d -> d == BATCH)) {
                    throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + " makes a tensor of the batch size;"
                            + " fcpts4j keeps the batch dynamic and folds only constants without it");
                }
                long count = 1;
                for (long d : dims) {
                    if (d < 0 || (d > 0 && count > MAX_FOLDED_ELEMENTS / d)) {
                        throw new FcptsException(d < 0 ? ErrorCode.INVALID_MODEL : ErrorCode.UNSUPPORTED_MODEL, where
                                + ": shape " + Arrays.toString(dims) + (d < 0 ? " has a negative dimension"
                                : " holds more than the " + MAX_FOLDED_ELEMENTS + " elements a folded constant may"));
                    }
                    count *= d;
                }
                if (value == null || value.isFloat()) {
                    float[] f = new float[(int) count];
                    Arrays.fill(f, value == null ? 0f : (float) value.get(0));
                    return TensorData.ofFloats(dims, f);
                }
                long[] l = new long[(int) count];
                Arrays.fill(l, (long) value.get(0));
                return TensorData.ofLongs(value.type(), dims, l);
            }
            case "Concat": {
                List<Long> out = new ArrayList<>();
                for (int i = 0; i < Math.max(1, inputs.size()); i++) {
                    TensorData t = input(inputs, i, where);
                    requireVector(t, where);
                    for (long v : t.longs()) {
                        out.add(v);
                    }
                }
                return TensorData.int64Vector(out.stream().mapToLong(Long::longValue).toArray());
            }
            default: {
                TensorData x = input(inputs, 0, where), y = input(inputs, 1, where);
                long[] xs = integers(x, where), ys = integers(y, where);
                if (xs.length != ys.length && xs.length != 1 && ys.length != 1) {
                    throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": " + x + " and " + y
                            + " do not broadcast");
                }
                int len = xs.length == 1 ? ys.length : xs.length;
                long[] out = new long[len];
                for (int i = 0; i < len; i++) {
                    long p = xs[xs.length == 1 ? 0 : i], q = ys[ys.length == 1 ? 0 : i];
                    if (p == BATCH || q == BATCH) {
                        throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + " computes with the batch size;"
                                + " give a fixed input shape (--input-shape) to fold it");
                    }
                    if (q == 0 && n.getOpType().equals("Div")) {
                        throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": divides " + p + " by 0");
                    }
                    out[i] = switch (n.getOpType()) {
                        case "Add" -> p + q;
                        case "Sub" -> p - q;
                        case "Mul" -> p * q;
                        default -> p / q;
                    };
                }
                return TensorData.ofLongs(DataType.INT64, xs.length == len ? x.dims() : y.dims(), out);
            }
        }
    }

    /** Records the output shape of a compute node (its inputs' shapes are known). */
    void propagate(Node node) {
        ShapeInference.putOutputShapes(node, constants, withConstantShapes(node));
    }

    private Map<String, long[]> withConstantShapes(Node node) {
        for (String in : node.inputs()) {
            if (in.isEmpty() || shapes.containsKey(in)) {
                continue;
            }
            if (!constants.containsKey(in)) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, origin + ": " + node.describe() + " reads '" + in
                        + "', which no graph input, initializer or earlier node produces");
            }
            shapes.put(in, constants.get(in).dims());
        }
        return shapes;
    }

    /** A folded Reshape target that starts with the batch placeholder copies the input's batch instead (0). */
    static TensorData reshapeTarget(TensorData target) {
        long[] v = target.longs();
        for (int i = 0; i < v.length; i++) {
            if (v[i] == BATCH) {
                if (i != 0) {
                    return null;
                }
                v[i] = 0;
            }
        }
        return TensorData.ofLongs(target.type(), target.dims(), v);
    }

    private static long clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return Math.max(0, Math.min(rank, a));
    }

    /** Input {@code i}, which must be there (a constant, as canFold checked). */
    private TensorData input(List<String> inputs, int i, String where) {
        String name = i < inputs.size() ? inputs.get(i) : "";
        TensorData t = constants.get(name);
        if (name.isEmpty() || t == null) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": input " + i + (name.isEmpty() ? " is missing"
                    : " ('" + name + "') is not a constant"));
        }
        return t;
    }

    private static long[] integers(TensorData t, String where) {
        if (t.isFloat()) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": expected an integer tensor, got " + t);
        }
        return t.longs();
    }

    /** The first value of a Slice bound (starts, ends, steps: one per sliced axis, the folder slices one). */
    private static long first(TensorData t, String what, String where) {
        long[] v = integers(t, where);
        if (v.length == 0) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": " + what + " is empty");
        }
        return v[0];
    }

    /** Axes normalized to [0, rank) and sorted; out of range or repeated ones are an error. */
    private static int[] axes(long[] axes, int rank, String where) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            long ax = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (ax < 0 || ax >= rank) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": axis " + axes[i] + " is outside rank "
                        + rank);
            }
            out[i] = (int) ax;
        }
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": axis " + out[i] + " is listed twice");
            }
        }
        return out;
    }

    private static void requireVector(TensorData t, String where) {
        if (t.rank() > 1 || t.isFloat()) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": folds only 1-D integer shape tensors, got "
                    + t);
        }
    }
}
