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
            return shapes.containsKey(inputs.get(0)) || constants.containsKey(inputs.get(0));
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
        TensorData x = constants.get(inputs.get(0));
        requireVector(x, where);
        long[] v = x.longs();
        long[] split = inputs.size() > 1 && !inputs.get(1).isEmpty() ? constants.get(inputs.get(1)).longs()
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
        if (split.length != parts || Arrays.stream(split).sum() != v.length) {
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
                long[] s = shapes.containsKey(inputs.get(0)) ? shapes.get(inputs.get(0))
                        : constants.get(inputs.get(0)).dims();
                int rank = s.length;
                int start = (int) clampAxis(a.getInt("start", 0), rank), end = (int) clampAxis(a.getInt("end",
                        rank), rank);
                return TensorData.int64Vector(Arrays.copyOfRange(s, start, Math.max(start, end)));
            }
            case "Cast": {
                TensorData x = constants.get(inputs.get(0));
                DataType to = DataType.fromOnnx((int) a.getInt("to", 1));
                boolean half = a.getInt("to", 1) == Float16.ONNX_TYPE;
                if (to == DataType.FLOAT || to == DataType.DOUBLE || half) {
                    float[] f = new float[(int) x.size()];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = half ? Float16.toFloat(Float16.fromFloat((float) x.get(i)) & 0xffff) : (float) x.get(i);
                    }
                    return TensorData.ofFloats(x.dims(), f);
                }
                if (to == null) {
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
                TensorData data = constants.get(inputs.get(0)), idx = constants.get(inputs.get(1));
                requireVector(data, where);
                long[] out = new long[(int) idx.size()];
                for (int i = 0; i < out.length; i++) {
                    long k = (long) idx.get(i);
                    out[i] = (long) data.get((int) (k < 0 ? k + data.size() : k));
                }
                return idx.rank() == 0 ? TensorData.ofLongs(DataType.INT64, new long[0], out)
                        : TensorData.ofLongs(DataType.INT64, idx.dims(), out);
            }
            case "Unsqueeze":
            case "Squeeze": {
                TensorData x = constants.get(inputs.get(0));
                long[] axes = opset >= 13 && inputs.size() > 1 && !inputs.get(1).isEmpty()
                        ? constants.get(inputs.get(1)).longs() : a.getInts("axes", null);
                List<Long> dims = new ArrayList<>();
                for (long d : x.dims()) {
                    dims.add(d);
                }
                if (n.getOpType().equals("Unsqueeze")) {
                    long[] sorted = axes.clone();
                    int rank = dims.size() + sorted.length;
                    for (int i = 0; i < sorted.length; i++) {
                        sorted[i] = sorted[i] < 0 ? sorted[i] + rank : sorted[i];
                    }
                    Arrays.sort(sorted);
                    for (long ax : sorted) {
                        dims.add((int) ax, 1L);
                    }
                } else {
                    dims.removeIf(d -> d == 1 && axes == null);
                    if (axes != null) {
                        long[] sorted = axes.clone();
                        for (int i = 0; i < sorted.length; i++) {
                            sorted[i] = sorted[i] < 0 ? sorted[i] + dims.size() : sorted[i];
                        }
                        Arrays.sort(sorted);
                        for (int i = sorted.length - 1; i >= 0; i--) {
                            dims.remove((int) sorted[i]);
                        }
                    }
                }
                long[] newDims = dims.stream().mapToLong(Long::longValue).toArray();
                return x.isFloat() ? TensorData.ofFloats(newDims, x.floats())
                        : TensorData.ofLongs(x.type(), newDims, x.longs());
            }
            case "Slice": {
                TensorData x = constants.get(inputs.get(0));
                requireVector(x, where);
                long start, end, step = 1;
                if (opset >= 10) {
                    start = (long) constants.get(inputs.get(1)).get(0);
                    end = (long) constants.get(inputs.get(2)).get(0);
                    if (inputs.size() > 4 && !inputs.get(4).isEmpty()) {
                        step = (long) constants.get(inputs.get(4)).get(0);
                    }
                } else {
                    start = a.getInts("starts", new long[] {0})[0];
                    end = a.getInts("ends", new long[] {Long.MAX_VALUE})[0];
                }
                long size = x.size();
                start = start < 0 ? Math.max(0, start + size) : Math.min(start, size);
                end = end < 0 ? Math.max(-1, end + size) : Math.min(end, size);
                List<Long> out = new ArrayList<>();
                for (long i = start; step > 0 ? i < end : i > end; i += step) {
                    out.add((long) x.get((int) i));
                }
                return TensorData.int64Vector(out.stream().mapToLong(Long::longValue).toArray());
            }
            case "ConstantOfShape": {
                long[] dims = constants.get(inputs.get(0)).longs();
                TensorData value = (TensorData) a.get("value");
                int count = Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact));
                if (value == null || value.isFloat()) {
                    float[] f = new float[count];
                    Arrays.fill(f, value == null ? 0f : (float) value.get(0));
                    return TensorData.ofFloats(dims, f);
                }
                long[] l = new long[count];
                Arrays.fill(l, (long) value.get(0));
                return TensorData.ofLongs(value.type(), dims, l);
            }
            case "Concat": {
                List<Long> out = new ArrayList<>();
                for (String in : inputs) {
                    TensorData t = constants.get(in);
                    requireVector(t, where);
                    for (long v : t.longs()) {
                        out.add(v);
                    }
                }
                return TensorData.int64Vector(out.stream().mapToLong(Long::longValue).toArray());
            }
            default: {
                TensorData x = constants.get(inputs.get(0)), y = constants.get(inputs.get(1));
                long[] xs = x.longs(), ys = y.longs();
                int len = Math.max(xs.length, ys.length);
                long[] out = new long[len];
                for (int i = 0; i < len; i++) {
                    long p = xs[xs.length == 1 ? 0 : i], q = ys[ys.length == 1 ? 0 : i];
                    if (p == BATCH || q == BATCH) {
                        throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + " computes with the batch size;"
                                + " give a fixed input shape (--input-shape) to fold it");
                    }
                    out[i] = switch (n.getOpType()) {
                        case "Add" -> p + q;
                        case "Sub" -> p - q;
                        case "Mul" -> p * q;
                        default -> p / q;
                    };
                }
                return TensorData.ofLongs(DataType.INT64, xs.length >= ys.length ? x.dims() : y.dims(), out);
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

    private static void requireVector(TensorData t, String where) {
        if (t.rank() > 1 || t.isFloat()) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": folds only 1-D integer shape tensors, got "
                    + t);
        }
    }
}
