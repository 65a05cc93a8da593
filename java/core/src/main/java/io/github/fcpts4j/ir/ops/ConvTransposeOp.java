package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.NetworkKernels.Binary;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/**
 * ConvTranspose, the adjoint of Conv: y = conv^T(x, w) + b with weight w [C_in, C_out / g, kh, kw], per
 * spatial axis out = s (in - 1) + output_padding + (k - 1) d + 1 - pad_begin - pad_end (or output_shape, the
 * pads then following auto_pad as ONNX says). Lowered on the backend's convolution plan for the Conv that
 * maps y's shape to x's with the same window: forward is that conv's data gradient, dx its forward, dw its
 * weight gradient with the roles of x and dy exchanged, db the sum of dy over N, H, W. The weight (input
 * 1) is prunable: each weight does one MAC per input position. 2-D only.
 */
public final class ConvTransposeOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.CONV_TRANSPOSE);
    }

    /** Per spatial axis {out, padBegin, padEnd, stride, dilation, kernel}. */
    private static long[][] window(Node n, long[] x, long[] w) {
        Attributes a = n.attributes();
        int spatial = x.length - 2;
        if (spatial < 1 || w.length != x.length) {
            throw OpShapes.bad(n, "input " + Arrays.toString(x) + " and weight " + Arrays.toString(w)
                    + " ranks do not match");
        }
        long[] strides = a.getInts("strides", filled(spatial, 1));
        long[] dilations = a.getInts("dilations", filled(spatial, 1));
        long[] pads = a.getInts("pads", new long[2 * spatial]);
        long[] outputPadding = a.getInts("output_padding", new long[spatial]);
        long[] outputShape = a.getInts("output_shape", null);
        String autoPad = a.getString("auto_pad", "NOTSET");
        if (strides.length != spatial || dilations.length != spatial || pads.length != 2 * spatial
                || outputPadding.length != spatial) {
            throw OpShapes.bad(n, "strides, dilations, pads or output_padding do not fit " + spatial
                    + " spatial axes");
        }
        if (outputShape != null && outputShape.length < spatial) {
            throw OpShapes.bad(n, "output_shape " + Arrays.toString(outputShape) + " has fewer than " + spatial
                    + " spatial sizes");
        }
        for (int i = 0; i < spatial; i++) {
            if (strides[i] < 1 || dilations[i] < 1 || w[2 + i] < 1 || pads[i] < 0 || pads[i + spatial] < 0) {
                throw OpShapes.bad(n, "weight " + Arrays.toString(w) + ", strides " + Arrays.toString(strides)
                        + ", dilations " + Arrays.toString(dilations) + " or pads " + Arrays.toString(pads)
                        + ": expected kernel, strides and dilations >= 1, pads >= 0");
            }
        }
        long[][] out = new long[spatial][];
        for (int i = 0; i < spatial; i++) {
            long in = x[2 + i], s = strides[i], d = dilations[i], k = w[2 + i];
            long effective = (k - 1) * d + 1, begin = pads[i], end = pads[i + spatial];
            if (outputPadding[i] < 0 || outputPadding[i] >= Math.max(s, d)) {
                throw OpShapes.bad(n, "output_padding " + outputPadding[i] + " must be below the stride or the "
                        + "dilation");
            }
            long target = -1;
            if (outputShape != null) {
                target = outputShape[outputShape.length - spatial + i];
            } else if (autoPad.startsWith("SAME")) {
                target = in * s;
            }
            if (target >= 0) {
                long total = s * (in - 1) + outputPadding[i] + effective - target;
                if (autoPad.equals("SAME_UPPER")) {
                    begin = total / 2;
                    end = total - total / 2;
                } else {
                    begin = total - total / 2;
                    end = total / 2;
                }
            } else if (autoPad.equals("VALID")) {
                begin = 0;
                end = 0;
            }
            long size = s * (in - 1) + outputPadding[i] + effective - begin - end;
            if (size < 1 || begin < 0 || end < 0) {
                throw OpShapes.bad(n, "output size " + size + " (pads " + begin + "+" + end + ") on spatial axis "
                        + i);
            }
            out[i] = new long[] {size, begin, end, s, d, k};
        }
        return out;
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0)), w = in.shape(n.input(1));
        long group = n.attributes().getInt("group", 1);
        if (group < 1) {
            throw OpShapes.bad(n, "group " + group + ", expected >= 1");
        }
        if (x.length >= 2 && w.length >= 2 && (x[1] != w[0] || w[0] % group != 0)) {
            throw OpShapes.bad(n, "input channels " + x[1] + " do not match weight " + Arrays.toString(w)
                    + " with group " + group);
        }
        long[][] win = window(n, x, w);
        if (!n.input(2).isEmpty()) {
            OpShapes.requireShape(n, in.shape(n.input(2)), new long[] {w[1] * group}, "bias");
        }
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[1] * group;
        for (int i = 0; i < win.length; i++) {
            out[2 + i] = win[i][0];
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0)), wShape = on.shape(n.input(1)), yShape = on.shape(n.output());
        OpShapes.require2d(n, xShape);
        long[][] win = window(n, xShape, wShape);
        // the Conv from y's shape to x's: input [N, C_out, Ho, Wo], output [N, C_in, H, W], weight as given
        WindowGeometry g = new WindowGeometry(yShape[0], yShape[1], yShape[2], yShape[3], xShape[1], xShape[2],
                xShape[3], wShape[2], wShape[3], win[0][3], win[1][3], win[0][4], win[1][4], win[0][1], win[1][1],
                win[0][2], win[1][2], n.attributes().getInt("group", 1));
        NetworkKernels.ConvPlan plan = on.track(on.kernels().conv(g, false, false));
        NetworkKernels kernels = on.kernels();
        Tensor x = on.value(n.input(0)), w = on.value(n.input(1)), y = on.value(n.output());
        Tensor bias = on.optional(n.input(2));
        long[] biasShape = {1, yShape[1], 1, 1};
        Tensor dx = on.gradientTarget(n.input(0)), dw = on.gradientTarget(n.input(1));
        Tensor db = on.gradientTarget(n.input(2));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> {
            if (dx != null) {
                plan.forward(dy, w, null, dx);
            }
            if (dw != null) {
                plan.backward(dy, w, x, null, dw, null);
            }
            if (db != null) {
                kernels.binaryBackward(Binary.ADD, y, yShape, bias, biasShape, dy, yShape, null, db);
            }
        }, new String[] {n.input(0), n.input(1), n.input(2)}, new Tensor[] {dx, dw, db});
        return () -> {
            plan.backward(y, w, x, y, null, null);
            if (bias != null) {
                kernels.binary(Binary.ADD, y, yShape, bias, biasShape, y, yShape);
            }
        };
    }

    @Override
    public int weightInput() {
        return 1;
    }

    @Override
    public long macsPerWeight(long[] inputShape, long[] outputShape) {
        return OpShapes.product(inputShape, 2, inputShape.length);
    }
}
