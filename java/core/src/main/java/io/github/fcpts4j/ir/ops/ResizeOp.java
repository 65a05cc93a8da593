package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Resize (opsets 10-19), nearest and (n-)linear, as ONNX Runtime computes it, in float: per axis with scale
 * s (given, or out / in for given sizes; out = floor(in s) for given scales) an output coordinate x maps to
 * x_original by coordinate_transformation_mode:
 * <pre>
 *   half_pixel (x + 0.5) / s - 0.5 | pytorch_half_pixel the same, 0 when out = 1 | asymmetric x / s |
 *   tf_half_pixel_for_nn (x + 0.5) / s | align_corners x (in - 1) / (out - 1), 0 when out = 1
 * </pre>
 * nearest reads round_prefer_floor / round_prefer_ceil / floor / ceil of it (clamped to the axis); linear
 * clamps it to [0, in - 1] and reads floor and floor + 1 with weights 1 - f and f. An index map, so the
 * gradient is its transpose. Opset 10 (scales as input 1, asymmetric, its own nearest rounding) is
 * rewritten at import. Not supported: cubic, tf_crop_and_resize, antialias, axes, aspect-ratio policies.
 */
public final class ResizeOp implements OpDefinition {
    /** Opset 10's nearest rounding: floor when upsampling, ceil when downsampling (ONNX Runtime's "simple"). */
    private static final String SIMPLE = "opset10_simple";

    @Override
    public List<OpType> ops() {
        return List.of(OpType.RESIZE);
    }

    @Override
    public Node fromOpset(Node n, int opset, Map<String, TensorData> newConstants) {
        if (opset >= 11) {
            return n;
        }
        Attributes a = n.attributes().with("coordinate_transformation_mode", "asymmetric")
                .with("nearest_mode", SIMPLE);
        return new Node(n.name(), n.op(), List.of(n.input(0), "", n.input(1)), n.outputs(), a);
    }

    /** Sizes (input 3) are a shape: a folded one keeps the batch dynamic (as 0, "the input's size"). */
    @Override
    public boolean shapeInput(int i) {
        return i == 3;
    }

    private static void checkSupported(Node n) {
        Attributes a = n.attributes();
        String mode = a.getString("mode", "nearest");
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            throw OpShapes.unsupported(n, "Resize mode '" + mode + "' (nearest and linear are supported)");
        }
        String ct = a.getString("coordinate_transformation_mode", "half_pixel");
        if (!List.of("half_pixel", "pytorch_half_pixel", "asymmetric", "tf_half_pixel_for_nn", "align_corners")
                .contains(ct)) {
            throw OpShapes.unsupported(n, "coordinate_transformation_mode '" + ct + "'");
        }
        if (a.getInt("antialias", 0) != 0 || a.has("axes")
                || !a.getString("keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            throw OpShapes.unsupported(n, "antialias, axes and keep_aspect_ratio_policy other than stretch");
        }
    }

    /** {out[rank] as floats: the scale per axis}, from sizes (input 3) or scales (input 2). */
    private static float[] scales(Node n, ShapeContext in, long[] x, long[] out) {
        float[] given = OpInputs.floats(n, in, 2);
        long[] sizes = n.input(3).isEmpty() ? null : OpInputs.longs(n, in, 3, "");
        float[] s = new float[x.length];
        if (sizes != null && sizes.length > 0) {
            if (sizes.length != x.length) {
                throw OpShapes.bad(n, "sizes " + Arrays.toString(sizes) + " do not fit rank " + x.length);
            }
            for (int i = 0; i < x.length; i++) {
                out[i] = sizes[i] == 0 ? x[i] : sizes[i];  // 0: the batch, kept dynamic by the importer
                s[i] = (float) out[i] / (float) x[i];
            }
        } else if (given != null && given.length > 0) {
            if (given.length != x.length) {
                throw OpShapes.bad(n, "scales " + Arrays.toString(given) + " do not fit rank " + x.length);
            }
            for (int i = 0; i < x.length; i++) {
                s[i] = given[i];
                out[i] = (long) (given[i] * (float) x[i]);
            }
        } else {
            throw OpShapes.bad(n, "neither scales nor sizes");
        }
        for (int i = 0; i < x.length; i++) {
            if (out[i] < 1 || !(s[i] > 0)) {
                throw OpShapes.bad(n, "axis " + i + " resizes " + x[i] + " to " + out[i] + " (scale " + s[i] + ")");
            }
        }
        return s;
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        checkSupported(n);
        long[] x = in.shape(n.input(0)), out = new long[x.length];
        scales(n, in, x, out);
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        checkSupported(n);
        long[] x = on.shape(n.input(0)), y = new long[x.length];
        float[] s = scales(n, on, x, y);
        Attributes a = n.attributes();
        boolean linear = a.getString("mode", "nearest").equals("linear");
        String ct = a.getString("coordinate_transformation_mode", "half_pixel");
        String nearest = a.getString("nearest_mode", "round_prefer_floor");
        SeparableMap.Axis[] axes = new SeparableMap.Axis[x.length];
        for (int i = 0; i < x.length; i++) {
            if (x[i] == y[i] && s[i] == 1f) {
                continue;
            }
            long in = x[i], out = y[i];
            float scale = s[i];
            axes[i] = j -> {
                float original = original(ct, j, scale, in, out);
                return linear ? linearTaps(original, in) : SeparableMap.Taps.one(nearest(nearest, original, scale, in));
            };
        }
        return SeparableMap.of(n, x, y, axes, 0f, false).lower(on, n.input(0), n.output());
    }

    /** The input coordinate of output coordinate {@code x}, in float as ONNX Runtime computes it. */
    static float original(String mode, long x, float scale, long in, long out) {
        return switch (mode) {
            case "asymmetric" -> x / scale;
            case "pytorch_half_pixel" -> out > 1 ? (x + 0.5f) / scale - 0.5f : 0f;
            case "tf_half_pixel_for_nn" -> (x + 0.5f) / scale;
            case "align_corners" -> out == 1 ? 0f : x * (in - 1) / (float) (out - 1);
            default -> (x + 0.5f) / scale - 0.5f;
        };
    }

    static long nearest(String mode, float original, float scale, long in) {
        long k = switch (mode) {
            case "round_prefer_ceil" -> roundHalfAway(original);
            case "floor" -> (long) Math.floor(original);
            case "ceil" -> (long) Math.ceil(original);
            case SIMPLE -> scale < 1f ? (long) Math.ceil(original) : (long) original;
            default -> original == (long) original + 0.5f ? (long) Math.floor(original) : roundHalfAway(original);
        };
        return Math.max(0, Math.min(in - 1, k));
    }

    /** std::round: halves away from zero. */
    private static long roundHalfAway(float v) {
        return (long) (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
    }

    private static SeparableMap.Taps linearTaps(float original, long in) {
        float c = Math.max(0f, Math.min(original, (float) (in - 1)));
        long x1 = Math.min((long) c, in - 1), x2 = Math.min(x1 + 1, in - 1);
        if (x1 == x2) {
            return SeparableMap.Taps.one(x1);
        }
        float d1 = Math.abs(c - x1), d2 = Math.abs(c - x2);
        return new SeparableMap.Taps(new int[] {(int) x1, (int) x2}, new double[] {d2, d1});
    }
}
