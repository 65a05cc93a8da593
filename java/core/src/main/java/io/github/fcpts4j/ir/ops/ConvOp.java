package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.Windows;

import java.util.Arrays;
import java.util.List;

/**
 * Conv: y[n, oc] = sum over the group's input channels and the window of w[oc, c, kh, kw] x[n, c, ...] + b[oc]
 * (ONNX pads, strides, dilations, groups). Its weight (input 1) is prunable; each weight does one MAC per
 * output position. Lowered on the backend's convolution plan (oneDNN / cuDNN), 2-D only.
 */
public final class ConvOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.CONV);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0)), w = in.shape(n.input(1));
        long[] bias = n.input(2).isEmpty() ? null : in.shape(n.input(2));
        Attributes a = n.attributes();
        int spatial = x.length - 2;
        if (spatial < 1 || w.length != x.length) {
            throw OpShapes.bad(n, "input " + Arrays.toString(x) + " and weight " + Arrays.toString(w)
                    + " ranks do not match");
        }
        long group = a.getInt("group", 1);
        if (group < 1 || x[1] != w[1] * group || w[0] % group != 0) {
            throw OpShapes.bad(n, "input channels " + x[1] + " do not match weight " + Arrays.toString(w)
                    + " with group " + group);
        }
        if (bias != null) {
            OpShapes.requireShape(n, bias, new long[] {w[0]}, "bias");
        }
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        long[] declared = a.getInts("kernel_shape", null);
        if (declared != null && !Arrays.equals(declared, kernel)) {
            throw OpShapes.bad(n, "kernel_shape " + Arrays.toString(declared) + " differs from weight "
                    + Arrays.toString(w));
        }
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[0];
        long[][] window = Windows.of(n, x, kernel, false);
        for (int i = 0; i < spatial; i++) {
            out[2 + i] = window[i][0];
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0));
        OpShapes.require2d(n, xShape);
        long[] wShape = on.shape(n.input(1)), yShape = on.shape(n.output());
        long[][] win = Windows.of(n, xShape, Arrays.copyOfRange(wShape, 2, 4), false);
        WindowGeometry g = new WindowGeometry(xShape[0], xShape[1], xShape[2], xShape[3], yShape[1], yShape[2],
                yShape[3], wShape[2], wShape[3], win[0][3], win[1][3], win[0][4], win[1][4], win[0][1], win[1][1],
                win[0][2], win[1][2], n.attributes().getInt("group", 1));
        Tensor bias = on.optional(n.input(2));
        NetworkKernels.ConvPlan plan = on.track(on.kernels().conv(g, bias != null, on.constantWeights()));
        Tensor x = on.value(n.input(0)), w = on.value(n.input(1)), y = on.value(n.output());
        Tensor dx = on.gradientTarget(n.input(0)), dw = on.gradientTarget(n.input(1));
        Tensor db = on.gradientTarget(n.input(2));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> plan.backward(x, w, dy, dx, dw, db), new String[] {n.input(0), n.input(1), n.input(2)},
                new Tensor[] {dx, dw, db});
        return () -> plan.forward(x, w, bias, y);
    }

    @Override
    public int weightInput() {
        return 1;
    }

    @Override
    public long macsPerWeight(long[] inputShape, long[] outputShape) {
        return OpShapes.product(outputShape, 2, outputShape.length);
    }
}
