package io.github.fcpts4j.ir;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.Arrays;

/**
 * Sliding-window geometry of Conv and pooling (ONNX semantics), per spatial
 * axis i with input size in, kernel k, stride s, dilation d and pads
 * (begin, end): effective kernel K = (k - 1) d + 1 and
 * <pre>
 *   explicit pads: out = floor((in + begin + end - K) / s) + 1   (ceil with ceil_mode,
 *                  minus one if the last window would start in the end padding)
 *   SAME_UPPER/LOWER: out = ceil(in / s), total pad = max(0, (out - 1) s + K - in),
 *                  the odd pixel at the end (UPPER) or the beginning (LOWER)
 *   VALID: out = floor((in - K) / s) + 1, no pads
 * </pre>
 * Returns, per axis, {out, padBegin, padEnd, stride, dilation, kernel}.
 */
public final class Windows {
    private Windows() {
    }

    public static long[][] of(Node n, long[] inputShape, long[] kernel, boolean ceilMode) {
        Attributes a = n.attributes();
        int spatial = kernel.length;
        long[] strides = a.getInts("strides", ones(spatial));
        long[] dilations = a.getInts("dilations", ones(spatial));
        long[] pads = a.getInts("pads", new long[2 * spatial]);
        String autoPad = a.getString("auto_pad", "NOTSET");
        if (strides.length != spatial || dilations.length != spatial || pads.length != 2 * spatial) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, n.describe() + ": strides " + Arrays.toString(strides)
                    + ", dilations " + Arrays.toString(dilations) + " or pads " + Arrays.toString(pads)
                    + " do not fit " + spatial + " spatial axes");
        }
        if (Arrays.stream(strides).anyMatch(v -> v < 1) || Arrays.stream(dilations).anyMatch(v -> v < 1)
                || Arrays.stream(kernel).anyMatch(v -> v < 1) || Arrays.stream(pads).anyMatch(v -> v < 0)) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, n.describe() + ": kernel " + Arrays.toString(kernel)
                    + ", strides " + Arrays.toString(strides) + ", dilations " + Arrays.toString(dilations)
                    + " or pads " + Arrays.toString(pads) + ": expected kernel, strides and dilations >= 1, pads >= 0");
        }
        long[][] result = new long[spatial][];
        for (int i = 0; i < spatial; i++) {
            long in = inputShape[2 + i], s = strides[i], d = dilations[i], k = kernel[i];
            long effective = (k - 1) * d + 1;
            long begin = pads[i], end = pads[i + spatial], out;
            switch (autoPad) {
                case "NOTSET" -> {
                    long span = in + begin + end - effective;
                    out = (ceilMode ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
                    if (ceilMode && (out - 1) * s >= in + begin) {
                        out--;
                    }
                }
                case "SAME_UPPER", "SAME_LOWER" -> {
                    out = (in + s - 1) / s;
                    long total = Math.max(0, (out - 1) * s + effective - in);
                    begin = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    end = total - begin;
                }
                case "VALID" -> {
                    begin = 0;
                    end = 0;
                    out = Math.floorDiv(in - effective, s) + 1;
                }
                default -> throw new FcptsException(ErrorCode.INVALID_MODEL, n.describe() + ": unknown auto_pad '"
                        + autoPad + "'");
            }
            if (out < 1) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, n.describe() + ": window " + effective
                        + " (kernel " + k + ", dilation " + d + ") does not fit input size " + in + " with pads "
                        + begin + "+" + end);
            }
            result[i] = new long[] {out, begin, end, s, d, k};
        }
        return result;
    }

    private static long[] ones(int n) {
        long[] o = new long[n];
        Arrays.fill(o, 1);
        return o;
    }
}
