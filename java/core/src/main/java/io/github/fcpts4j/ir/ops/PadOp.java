package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/**
 * Pad: out[i] = pad_begin[i] + in[i] + pad_end[i] per axis (negative pads crop); an output coordinate j
 * reads input j - pad_begin when inside, else by mode: constant (the value, input 2 or the {@code value}
 * attribute, default 0), reflect (mirrored without repeating the edge), edge (the nearest edge), wrap
 * (opset 19, periodic). Pads from the constant input 1 (opset 11+, limited to {@code axes}, input 3, from
 * opset 18) or the {@code pads} attribute. An index map: dx sums dy over every output that read an input.
 */
public final class PadOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.PAD);
    }

    /** {begin[rank], end[rank]}. */
    private static long[][] pads(Node n, ShapeContext in, int rank) {
        long[] pads = OpInputs.longs(n, in, 1, "pads");
        if (pads == null) {
            throw OpShapes.bad(n, "no pads");
        }
        long[] axesGiven = OpInputs.longs(n, in, 3, "");
        int[] axes = new int[pads.length / 2];
        if (axesGiven == null) {
            if (pads.length != 2 * rank) {
                throw OpShapes.bad(n, "pads " + Arrays.toString(pads) + " do not fit rank " + rank);
            }
            for (int i = 0; i < rank; i++) {
                axes[i] = i;
            }
        } else {
            if (pads.length != 2 * axesGiven.length) {
                throw OpShapes.bad(n, "pads " + Arrays.toString(pads) + " do not fit axes " + Arrays.toString(axesGiven));
            }
            for (int i = 0; i < axesGiven.length; i++) {
                axes[i] = (int) OpShapes.normalizeAxis(n, axesGiven[i], rank);
            }
        }
        long[][] out = new long[2][rank];
        for (int i = 0; i < axes.length; i++) {
            out[0][axes[i]] = pads[i];
            out[1][axes[i]] = pads[i + axes.length];
        }
        return out;
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        long[][] p = pads(n, in, x.length);
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = p[0][i] + x[i] + p[1][i];
            if (out[i] < 1) {
                throw OpShapes.bad(n, "pads " + p[0][i] + "+" + p[1][i] + " leave nothing of axis " + i + " ("
                        + x[i] + ")");
            }
        }
        String mode = mode(n);
        for (int i = 0; i < x.length; i++) {
            if (mode.equals("reflect") && (p[0][i] >= x[i] || p[1][i] >= x[i]) && (p[0][i] > 0 || p[1][i] > 0)) {
                throw OpShapes.bad(n, "reflect pads " + p[0][i] + "+" + p[1][i] + " reach past axis " + i + " ("
                        + x[i] + ")");
            }
        }
        return out;
    }

    private static String mode(Node n) {
        String mode = n.attributes().getString("mode", "constant");
        if (!List.of("constant", "reflect", "edge", "wrap").contains(mode)) {
            throw OpShapes.bad(n, "unknown mode '" + mode + "'");
        }
        return mode;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] x = on.shape(n.input(0)), y = on.shape(n.output());
        long[][] p = pads(n, on, x.length);
        String mode = mode(n);
        float[] value = OpInputs.floats(n, on, 2);
        float fill = value != null && value.length > 0 ? value[0] : n.attributes().getFloat("value", 0f);
        SeparableMap.Axis[] axes = new SeparableMap.Axis[x.length];
        for (int i = 0; i < x.length; i++) {
            if (p[0][i] == 0 && p[1][i] == 0) {
                continue;
            }
            long begin = p[0][i], dim = x[i];
            axes[i] = j -> {
                long k = j - begin;
                if (k >= 0 && k < dim) {
                    return SeparableMap.Taps.one(k);
                }
                return switch (mode) {
                    case "constant" -> SeparableMap.Taps.NONE;
                    case "edge" -> SeparableMap.Taps.one(k < 0 ? 0 : dim - 1);
                    case "wrap" -> SeparableMap.Taps.one(Math.floorMod(k, dim));
                    default -> SeparableMap.Taps.one(reflect(k, dim));
                };
            };
        }
        return SeparableMap.of(n, x, y, axes, fill, false).lower(on, n.input(0), n.output());
    }

    private static long reflect(long k, long dim) {
        if (dim == 1) {
            return 0;
        }
        long period = 2 * (dim - 1), m = Math.floorMod(k, period);
        return m < dim ? m : period - m;
    }
}
