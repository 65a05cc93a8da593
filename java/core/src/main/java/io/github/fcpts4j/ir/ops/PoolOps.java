package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.NetworkKernels.Pool;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.Windows;

import java.util.Arrays;
import java.util.List;

/**
 * MaxPool and AveragePool over 2-D windows (ONNX pads, strides, dilations, ceil_mode, count_include_pad):
 * y = max or mean of x over each window; the gradient goes to the max element or spreads evenly.
 * Not supported: MaxPool's indices output, ceil_mode together with count_include_pad.
 */
public final class PoolOps implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.MAX_POOL, OpType.AVERAGE_POOL);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        long[] kernel = n.attributes().getInts("kernel_shape", null);
        if (kernel == null || kernel.length != x.length - 2) {
            throw OpShapes.bad(n, "kernel_shape " + Arrays.toString(kernel) + " does not fit input "
                    + Arrays.toString(x));
        }
        long[] out = x.clone();
        long[][] window = Windows.of(n, x, kernel, n.attributes().getInt("ceil_mode", 0) != 0);
        for (int i = 0; i < kernel.length; i++) {
            out[2 + i] = window[i][0];
        }
        return out;
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0));
        OpShapes.require2d(n, xShape);
        if (n.outputs().size() > 1 && !n.outputs().get(1).isEmpty()) {
            throw OpShapes.unsupported(n, "MaxPool indices output");
        }
        Attributes a = n.attributes();
        long[] kernel = a.getInts("kernel_shape", null), yShape = on.shape(n.output());
        long[][] win = Windows.of(n, xShape, kernel, a.getInt("ceil_mode", 0) != 0);
        Pool kind = n.op() == OpType.MAX_POOL ? Pool.MAX
                : a.getInt("count_include_pad", 0) != 0 ? Pool.AVERAGE_INCLUDE_PAD : Pool.AVERAGE_EXCLUDE_PAD;
        // ceil_mode: widen the end padding so that the kernels' floor formula yields the same output size
        // (floor mode keeps the model's pads: a last window that leaves input rows unread needs no change)
        boolean ceil = a.getInt("ceil_mode", 0) != 0;
        long[] padEnd = new long[2];
        for (int i = 0; i < 2; i++) {
            long effective = (win[i][5] - 1) * win[i][4] + 1;
            long needed = (win[i][0] - 1) * win[i][3] + effective - xShape[2 + i] - win[i][1];
            padEnd[i] = ceil ? Math.max(win[i][2], needed) : win[i][2];
            if (padEnd[i] != win[i][2] && kind == Pool.AVERAGE_INCLUDE_PAD) {
                throw OpShapes.unsupported(n, "ceil_mode together with count_include_pad");
            }
        }
        WindowGeometry g = new WindowGeometry(xShape[0], xShape[1], xShape[2], xShape[3], xShape[1], yShape[2],
                yShape[3], kernel[0], kernel[1], win[0][3], win[1][3], win[0][4], win[1][4], win[0][1], win[1][1],
                padEnd[0], padEnd[1], 1);
        NetworkKernels.PoolPlan plan = on.track(on.kernels().pool(g, kind));
        Tensor x = on.value(n.input(0)), y = on.value(n.output());
        Tensor dx = on.gradientTarget(n.input(0));
        Tensor dy = on.gradient(n.output());
        on.backward(() -> plan.backward(x, dy, dx), new String[] {n.input(0)}, new Tensor[] {dx});
        return () -> plan.forward(x, y);
    }
}
