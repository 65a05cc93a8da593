package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;

/**
 * Integer parameters that ONNX moved from attributes to inputs between opsets (axes, pads, starts, split
 * sizes, ...): read from input {@code i} when the node has it (it must be a constant, folded at import), else
 * from the attribute.
 */
final class OpInputs {
    private OpInputs() {
    }

    /** The list, or null when neither the input nor the attribute is given. */
    static long[] longs(Node n, ShapeContext c, int input, String attribute) {
        String name = n.input(input);
        if (!name.isEmpty()) {
            TensorData t = c.constant(name);
            if (t == null) {
                throw OpShapes.unsupported(n, "input " + input + " ('" + name + "') must be a constant");
            }
            return integers(n, t, "input " + input + " ('" + name + "')");
        }
        return n.attributes().getInts(attribute, null);
    }

    /** The values of an integer constant; a float one is an error naming the node and {@code what}. */
    static long[] integers(Node n, TensorData t, String what) {
        if (t.isFloat()) {
            throw OpShapes.bad(n, what + " must be an integer tensor, it is " + t);
        }
        return t.longs();
    }

    /** Float list from a constant input, or null when the input is omitted. */
    static float[] floats(Node n, ShapeContext c, int input) {
        String name = n.input(input);
        if (name.isEmpty()) {
            return null;
        }
        TensorData t = c.constant(name);
        if (t == null) {
            throw OpShapes.unsupported(n, "input " + input + " ('" + name + "') must be a constant");
        }
        float[] f = new float[(int) t.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) t.get(i);
        }
        return f;
    }

    /** Axes normalized to [0, rank), sorted and without repeats (an error names the node otherwise). */
    static int[] axes(Node n, long[] axes, int rank) {
        boolean[] seen = new boolean[rank];
        int count = 0;
        for (long a : axes) {
            int r = (int) OpShapes.normalizeAxis(n, a, rank);
            if (seen[r]) {
                throw OpShapes.bad(n, "axis " + a + " is listed twice");
            }
            seen[r] = true;
            count++;
        }
        int[] out = new int[count];
        for (int i = 0, j = 0; i < rank; i++) {
            if (seen[i]) {
                out[j++] = i;
            }
        }
        return out;
    }
}
