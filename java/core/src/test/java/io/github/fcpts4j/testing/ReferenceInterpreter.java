package io.github.fcpts4j.testing;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.Windows;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A plain-Java, double-precision forward pass of the IR, written from the ONNX
 * operator definitions with naive loops: the reference for finite differences
 * "in double". Slow; meant for small shapes. Weights can be overridden per run.
 *
 * <p>Besides the CNN ops it covers the ops of third-party models, each written from its ONNX definition
 * as a loop over output (or input) coordinates, independently of the engine's lowering: ConvTranspose,
 * Resize (nearest and linear, every supported coordinate mode), Pad (constant / reflect / edge / wrap),
 * Split (several outputs), Slice, Squeeze, Unsqueeze, Gather, Cast (to float types), ReduceMean / Sum /
 * Max, LayerNormalization, Pow, Equal, and MatMul with numpy broadcasting (two activations included).
 * Integer parameters (axes, pads, starts, sizes, ...) are read from the constant input when the node has
 * it, else from the attribute, as the ONNX opsets moved them.
 */
public final class ReferenceInterpreter {
    private final Graph graph;
    private final Map<String, long[]> shapes;

    public ReferenceInterpreter(Graph graph, Map<String, long[]> inputShapes) {
        this.graph = graph;
        this.shapes = ShapeInference.infer(graph, inputShapes);
    }

    /** Runs with the given inputs and weight overrides (by initializer name); returns the first graph output. */
    public double[] run(Map<String, double[]> inputs, Map<String, double[]> weights) {
        return runAll(inputs, weights).get(graph.outputs().get(0).name());
    }

    /** Every value of the graph (inputs, initializers and node outputs) for the given inputs and weights. */
    public Map<String, double[]> runAll(Map<String, double[]> inputs, Map<String, double[]> weights) {
        Map<String, double[]> v = new HashMap<>();
        graph.initializers().forEach((name, data) -> v.put(name, toDouble(data)));
        v.putAll(weights);
        v.putAll(inputs);
        for (Node n : graph.nodes()) {
            if (n.op() == OpType.SPLIT) {
                double[][] parts = split(n, v);
                for (int i = 0; i < parts.length; i++) {
                    if (!n.outputs().get(i).isEmpty()) {
                        v.put(n.outputs().get(i), parts[i]);
                    }
                }
            } else {
                v.put(n.output(), eval(n, v));
            }
        }
        return v;
    }

    private static double[] toDouble(TensorData t) {
        double[] d = new double[(int) t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.get(i);
        }
        return d;
    }

    private static long prod(long[] s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= s[i];
        }
        return p;
    }

    private double[] eval(Node n, Map<String, double[]> v) {
        double[] x = v.get(n.input(0));
        long[] xs = shapes.get(n.input(0)), ys = shapes.get(n.output());
        Attributes a = n.attributes();
        double[] y = new double[(int) prod(ys, 0, ys.length)];
        switch (n.op()) {
            case RELU -> map(x, y, t -> Math.max(t, 0));
            case CLIP -> {
                double lo = n.input(1).isEmpty() ? Double.NEGATIVE_INFINITY : v.get(n.input(1))[0];
                double hi = n.input(2).isEmpty() ? Double.POSITIVE_INFINITY : v.get(n.input(2))[0];
                map(x, y, t -> Math.min(Math.max(t, lo), hi));
            }
            case LEAKY_RELU -> {
                double alpha = a.getFloat("alpha", 0.01f);
                map(x, y, t -> t >= 0 ? t : alpha * t);
            }
            case SIGMOID -> map(x, y, t -> 1 / (1 + Math.exp(-t)));
            case HARD_SIGMOID -> {
                double alpha = a.getFloat("alpha", 0.2f), beta = a.getFloat("beta", 0.5f);
                map(x, y, t -> Math.max(0, Math.min(1, alpha * t + beta)));
            }
            case HARD_SWISH -> map(x, y, t -> t * Math.max(0, Math.min(1, t / 6 + 0.5)));
            case TANH -> map(x, y, Math::tanh);
            case EXP -> map(x, y, Math::exp);
            case SQRT -> map(x, y, Math::sqrt);
            case ERF -> map(x, y, ReferenceInterpreter::erf);
            case ADD, SUB, MUL, DIV, POW, EQUAL -> binary(n, v.get(n.input(0)), xs, v.get(n.input(1)), shapes.get(n.input(1)), y, ys);
            case BATCH_NORMALIZATION -> {
                double[] g = v.get(n.input(1)), b = v.get(n.input(2)), m = v.get(n.input(3)), var = v.get(n.input(4));
                double eps = a.getFloat("epsilon", 1e-5f);
                long c = xs[1], spatial = prod(xs, 2, xs.length);
                for (int i = 0; i < y.length; i++) {
                    int ch = (int) (i / spatial % c);
                    y[i] = (x[i] - m[ch]) / Math.sqrt(var[ch] + eps) * g[ch] + b[ch];
                }
            }
            case CONV -> conv(n, v, x, xs, y, ys);
            case MAX_POOL, AVERAGE_POOL -> pool(n, x, xs, y, ys);
            case GLOBAL_AVERAGE_POOL -> {
                long spatial = prod(xs, 2, xs.length);
                for (int p = 0; p < y.length; p++) {
                    double s = 0;
                    for (int i = 0; i < spatial; i++) {
                        s += x[(int) (p * spatial + i)];
                    }
                    y[p] = s / spatial;
                }
            }
            case FLATTEN, RESHAPE, SQUEEZE, UNSQUEEZE, CAST -> System.arraycopy(x, 0, y, 0, y.length);
            case CONV_TRANSPOSE -> convTranspose(n, v, x, xs, y, ys);
            case RESIZE -> resize(n, v, x, xs, y, ys);
            case PAD -> pad(n, v, x, xs, y, ys);
            case SLICE -> slice(n, x, xs, y, ys);
            case GATHER -> {
                int axis = axis(a.getInt("axis", 0), xs.length);
                long[] idx = graph.initializer(n.input(1)).orElseThrow().longs();
                long outer = prod(xs, 0, axis), inner = prod(xs, axis + 1, xs.length);
                for (long o = 0; o < outer; o++) {
                    for (int j = 0; j < idx.length; j++) {
                        long k = idx[j] < 0 ? idx[j] + xs[axis] : idx[j];
                        for (long i = 0; i < inner; i++) {
                            y[(int) ((o * idx.length + j) * inner + i)] = x[(int) ((o * xs[axis] + k) * inner + i)];
                        }
                    }
                }
            }
            case REDUCE_MEAN, REDUCE_SUM, REDUCE_MAX -> reduce(n, x, xs, y);
            case LAYER_NORMALIZATION -> {
                int axis = axis(a.getInt("axis", -1), xs.length);
                long rows = prod(xs, 0, axis), cols = prod(xs, axis, xs.length);
                double eps = a.getFloat("epsilon", 1e-5f);
                double[] g = v.get(n.input(1)), b = n.input(2).isEmpty() ? null : v.get(n.input(2));
                for (long r = 0; r < rows; r++) {
                    double mean = 0, var = 0;
                    for (long c = 0; c < cols; c++) {
                        mean += x[(int) (r * cols + c)];
                    }
                    mean /= cols;
                    for (long c = 0; c < cols; c++) {
                        double d = x[(int) (r * cols + c)] - mean;
                        var += d * d;
                    }
                    var /= cols;
                    for (long c = 0; c < cols; c++) {
                        int at = (int) (r * cols + c);
                        y[at] = (x[at] - mean) / Math.sqrt(var + eps) * g[(int) c] + (b == null ? 0 : b[(int) c]);
                    }
                }
            }
            case TRANSPOSE -> {
                long[] perm = a.getInts("perm", null);
                int rank = xs.length;
                long[] xStride = new long[rank];
                for (int d = rank - 1, s = 1; d >= 0; d--) {
                    xStride[d] = s;
                    s *= (int) xs[d];
                }
                for (int i = 0; i < y.length; i++) {
                    long rem = i, src = 0;
                    for (int d = rank - 1; d >= 0; d--) {
                        int from = perm == null ? rank - 1 - d : (int) perm[d];
                        src += (rem % ys[d]) * xStride[from];
                        rem /= ys[d];
                    }
                    y[i] = x[(int) src];
                }
            }
            case CONCAT -> {
                int axis = (int) (a.getInt("axis", 0) < 0 ? a.getInt("axis", 0) + ys.length : a.getInt("axis", 0));
                long inner = prod(ys, axis + 1, ys.length), outer = prod(ys, 0, axis), offset = 0;
                for (String in : n.inputs()) {
                    long block = shapes.get(in)[axis] * inner;
                    double[] src = v.get(in);
                    for (long o = 0; o < outer; o++) {
                        System.arraycopy(src, (int) (o * block), y, (int) (o * ys[axis] * inner + offset), (int) block);
                    }
                    offset += block;
                }
            }
            case SOFTMAX -> {
                int axis = (int) (a.getInt("axis", -1) < 0 ? a.getInt("axis", -1) + xs.length : a.getInt("axis", -1));
                long inner = prod(xs, axis + 1, xs.length), outer = prod(xs, 0, axis), len = xs[axis];
                for (long o = 0; o < outer; o++) {
                    for (long i = 0; i < inner; i++) {
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        for (long k = 0; k < len; k++) {
                            max = Math.max(max, x[(int) ((o * len + k) * inner + i)]);
                        }
                        for (long k = 0; k < len; k++) {
                            sum += Math.exp(x[(int) ((o * len + k) * inner + i)] - max);
                        }
                        for (long k = 0; k < len; k++) {
                            int at = (int) ((o * len + k) * inner + i);
                            y[at] = Math.exp(x[at] - max) / sum;
                        }
                    }
                }
            }
            case GEMM -> {
                double[] b = v.get(n.input(1));
                long[] bs = shapes.get(n.input(1));
                boolean ta = a.getInt("transA", 0) != 0, tb = a.getInt("transB", 0) != 0;
                long m = ys[0], cols = ys[1], k = ta ? xs[0] : xs[1];
                double[] c = n.input(2).isEmpty() ? null : v.get(n.input(2));
                long[] cs = c == null ? null : shapes.get(n.input(2));
                for (long i = 0; i < m; i++) {
                    for (long j = 0; j < cols; j++) {
                        double s = 0;
                        for (long t = 0; t < k; t++) {
                            s += x[(int) (ta ? t * xs[1] + i : i * xs[1] + t)] * b[(int) (tb ? j * bs[1] + t : t * bs[1] + j)];
                        }
                        if (c != null) {
                            long ci = cs.length == 2 ? (cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j) : (cs[0] == 1 ? 0 : j);
                            s += c[(int) ci];
                        }
                        y[(int) (i * cols + j)] = s;
                    }
                }
            }
            case MATMUL -> matmul(x, xs, v.get(n.input(1)), shapes.get(n.input(1)), y);
            default -> throw new IllegalArgumentException("reference has no " + n.describe());
        }
        return y;
    }

    /**
     * erf in double: its Maclaurin series below |x| = 3 (at most ~40 terms; the largest term is ~200, so
     * cancellation leaves ~1e-13), and 1 - erfc from erfc's continued fraction above (erfc < 2.3e-5 there,
     * 60 levels converge to double precision).
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 3) {
            double term = x, sum = x;
            for (int n = 1; n < 80 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x * x / n;
                sum += term / (2 * n + 1);
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        double k = ax;
        for (int n = 60; n >= 1; n--) {
            k = ax + n / 2.0 / k;
        }
        double erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * k);
        return Math.signum(x) * (1 - erfc);
    }

    private interface Fn {
        double apply(double t);
    }

    private static void map(double[] x, double[] y, Fn f) {
        for (int i = 0; i < y.length; i++) {
            y[i] = f.apply(x[i]);
        }
    }

    private static void binary(Node n, double[] a, long[] as, double[] b, long[] bs, double[] y, long[] ys) {
        int rank = ys.length;
        for (int i = 0; i < y.length; i++) {
            long rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
            for (int d = rank - 1; d >= 0; d--) {
                long idx = rem % ys[d];
                rem /= ys[d];
                int da = d - (rank - as.length), db = d - (rank - bs.length);
                if (da >= 0) {
                    ia += (as[da] == 1 ? 0 : idx) * sa;
                    sa *= as[da];
                }
                if (db >= 0) {
                    ib += (bs[db] == 1 ? 0 : idx) * sb;
                    sb *= bs[db];
                }
            }
            double p = a[(int) ia], q = b[(int) ib];
            y[i] = switch (n.op()) {
                case ADD -> p + q;
                case SUB -> p - q;
                case MUL -> p * q;
                case POW -> Math.pow(p, q);
                case EQUAL -> p == q ? 1.0 : 0.0;
                default -> p / q;
            };
        }
    }

    private void conv(Node n, Map<String, double[]> v, double[] x, long[] xs, double[] y, long[] ys) {
        double[] w = v.get(n.input(1));
        long[] ws = shapes.get(n.input(1));
        double[] bias = n.input(2).isEmpty() ? null : v.get(n.input(2));
        long[][] win = Windows.of(n, xs, Arrays.copyOfRange(ws, 2, 4), false);
        long group = n.attributes().getInt("group", 1), cinG = ws[1], coutG = ws[0] / group;
        for (long b = 0; b < xs[0]; b++) {
            for (long oc = 0; oc < ys[1]; oc++) {
                long g = oc / coutG;
                for (long oh = 0; oh < ys[2]; oh++) {
                    for (long ow = 0; ow < ys[3]; ow++) {
                        double s = bias == null ? 0 : bias[(int) oc];
                        for (long ic = 0; ic < cinG; ic++) {
                            for (long kh = 0; kh < ws[2]; kh++) {
                                for (long kw = 0; kw < ws[3]; kw++) {
                                    long ih = oh * win[0][3] - win[0][1] + kh * win[0][4];
                                    long iw = ow * win[1][3] - win[1][1] + kw * win[1][4];
                                    if (ih >= 0 && ih < xs[2] && iw >= 0 && iw < xs[3]) {
                                        s += x[(int) (((b * xs[1] + g * cinG + ic) * xs[2] + ih) * xs[3] + iw)]
                                                * w[(int) (((oc * cinG + ic) * ws[2] + kh) * ws[3] + kw)];
                                    }
                                }
                            }
                        }
                        y[(int) (((b * ys[1] + oc) * ys[2] + oh) * ys[3] + ow)] = s;
                    }
                }
            }
        }
    }

    private void pool(Node n, double[] x, long[] xs, double[] y, long[] ys) {
        Attributes a = n.attributes();
        long[] k = a.getInts("kernel_shape", null);
        long[][] win = Windows.of(n, xs, k, a.getInt("ceil_mode", 0) != 0);
        boolean max = n.op().name().equals("MAX_POOL"), includePad = a.getInt("count_include_pad", 0) != 0;
        for (long p = 0; p < xs[0] * xs[1]; p++) {
            for (long oh = 0; oh < ys[2]; oh++) {
                for (long ow = 0; ow < ys[3]; ow++) {
                    double s = max ? Double.NEGATIVE_INFINITY : 0;
                    int count = 0;
                    for (long kh = 0; kh < k[0]; kh++) {
                        for (long kw = 0; kw < k[1]; kw++) {
                            long ih = oh * win[0][3] - win[0][1] + kh * win[0][4];
                            long iw = ow * win[1][3] - win[1][1] + kw * win[1][4];
                            boolean inside = ih >= 0 && ih < xs[2] && iw >= 0 && iw < xs[3];
                            if (inside) {
                                double t = x[(int) ((p * xs[2] + ih) * xs[3] + iw)];
                                s = max ? Math.max(s, t) : s + t;
                                count++;
                            } else if (includePad && ih < xs[2] + win[0][2] && iw < xs[3] + win[1][2]) {
                                count++;
                            }
                        }
                    }
                    y[(int) ((p * ys[2] + oh) * ys[3] + ow)] = max ? s : s / count;
                }
            }
        }
    }

    private static int axis(long a, int rank) {
        return (int) (a < 0 ? a + rank : a);
    }

    /** Row-major strides of a shape. */
    private static long[] strides(long[] s) {
        long[] st = new long[s.length];
        long p = 1;
        for (int d = s.length - 1; d >= 0; d--) {
            st[d] = p;
            p *= s[d];
        }
        return st;
    }

    /** An integer parameter: constant input {@code i} when the node has it, else the attribute (null: neither). */
    private long[] longs(Node n, int i, String attribute) {
        if (!n.input(i).isEmpty()) {
            return graph.initializer(n.input(i)).orElseThrow().longs();
        }
        return attribute.isEmpty() ? null : n.attributes().getInts(attribute, null);
    }

    /** Split: consecutive blocks along axis, sizes from input 1 / the split attribute / equal parts. */
    private double[][] split(Node n, Map<String, double[]> v) {
        double[] x = v.get(n.input(0));
        long[] xs = shapes.get(n.input(0));
        int axis = axis(n.attributes().getInt("axis", 0), xs.length), parts = n.outputs().size();
        long[] sizes = longs(n, 1, "split");
        if (sizes == null) {
            long each = (xs[axis] + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.max(0, Math.min(each, xs[axis] - i * each));
            }
        }
        long outer = prod(xs, 0, axis), inner = prod(xs, axis + 1, xs.length);
        double[][] out = new double[parts][];
        long start = 0;
        for (int p = 0; p < parts; p++) {
            out[p] = new double[(int) (outer * sizes[p] * inner)];
            for (long o = 0; o < outer; o++) {
                for (long k = 0; k < sizes[p]; k++) {
                    for (long i = 0; i < inner; i++) {
                        out[p][(int) ((o * sizes[p] + k) * inner + i)] = x[(int) ((o * xs[axis] + start + k) * inner + i)];
                    }
                }
            }
            start += sizes[p];
        }
        return out;
    }

    /**
     * ConvTranspose from its definition: every input element x[b, ic, ih, iw] adds x w[ic, ocg, kh, kw] to
     * y[b, g C_out/g + ocg, ih s - pad_begin + kh d, ...] (inside the output), plus the bias.
     */
    private void convTranspose(Node n, Map<String, double[]> v, double[] x, long[] xs, double[] y, long[] ys) {
        Attributes a = n.attributes();
        double[] w = v.get(n.input(1));
        long[] ws = shapes.get(n.input(1));
        double[] bias = n.input(2).isEmpty() ? null : v.get(n.input(2));
        long group = a.getInt("group", 1), cinG = xs[1] / group, coutG = ws[1];
        long[] s = a.getInts("strides", new long[] {1, 1}), d = a.getInts("dilations", new long[] {1, 1});
        long[] pads = a.getInts("pads", new long[4]), op = a.getInts("output_padding", new long[2]);
        String autoPad = a.getString("auto_pad", "NOTSET");
        long[] begin = new long[2];
        for (int i = 0; i < 2; i++) {
            begin[i] = pads[i];
            if (a.has("output_shape") || autoPad.startsWith("SAME")) {
                long total = s[i] * (xs[2 + i] - 1) + op[i] + (ws[2 + i] - 1) * d[i] + 1 - ys[2 + i];
                begin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
            } else if (autoPad.equals("VALID")) {
                begin[i] = 0;
            }
        }
        for (long b = 0; b < ys[0]; b++) {
            for (long oc = 0; oc < ys[1]; oc++) {
                for (long p = 0; p < ys[2] * ys[3]; p++) {
                    y[(int) ((b * ys[1] + oc) * ys[2] * ys[3] + p)] = bias == null ? 0 : bias[(int) oc];
                }
            }
            for (long ic = 0; ic < xs[1]; ic++) {
                long g = ic / cinG;
                for (long ih = 0; ih < xs[2]; ih++) {
                    for (long iw = 0; iw < xs[3]; iw++) {
                        double xv = x[(int) (((b * xs[1] + ic) * xs[2] + ih) * xs[3] + iw)];
                        for (long ocg = 0; ocg < coutG; ocg++) {
                            long oc = g * coutG + ocg;
                            for (long kh = 0; kh < ws[2]; kh++) {
                                long oh = ih * s[0] - begin[0] + kh * d[0];
                                if (oh < 0 || oh >= ys[2]) {
                                    continue;
                                }
                                for (long kw = 0; kw < ws[3]; kw++) {
                                    long ow = iw * s[1] - begin[1] + kw * d[1];
                                    if (ow >= 0 && ow < ys[3]) {
                                        y[(int) (((b * ys[1] + oc) * ys[2] + oh) * ys[3] + ow)] += xv
                                                * w[(int) (((ic * coutG + ocg) * ws[2] + kh) * ws[3] + kw)];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Resize: y at output coordinate (o_0, ...) is the sum over the product of per-axis taps (index,
     * weight) of x, the taps of axis i from o_i mapped to an input coordinate by the coordinate mode
     * (nearest: one tap by nearest_mode; linear: floor and floor + 1 of the coordinate clamped to the axis);
     * an axis of scale 1 is the identity, as in ONNX Runtime.
     */
    private void resize(Node n, Map<String, double[]> v, double[] x, long[] xs, double[] y, long[] ys) {
        Attributes a = n.attributes();
        int rank = xs.length;
        boolean linear = a.getString("mode", "nearest").equals("linear");
        String ct = a.getString("coordinate_transformation_mode", "half_pixel");
        String nearest = a.getString("nearest_mode", "round_prefer_floor");
        boolean fromSizes = n.inputs().size() > 3 && !n.input(3).isEmpty()
                && graph.initializer(n.input(3)).orElseThrow().size() > 0;
        long[][][] idx = new long[rank][][];
        double[][][] wt = new double[rank][][];
        for (int i = 0; i < rank; i++) {
            long in = xs[i], out = ys[i];
            double scale = fromSizes ? (double) out / in : v.get(n.input(2))[i];
            idx[i] = new long[(int) out][];
            wt[i] = new double[(int) out][];
            for (long o = 0; o < out; o++) {
                if (in == out && scale == 1) {
                    // ONNX Runtime maps an axis of scale 1 one to one, skipping the coordinate transform (which
                    // would shift it under tf_half_pixel_for_nn)
                    idx[i][(int) o] = new long[] {o};
                    wt[i][(int) o] = new double[] {1};
                    continue;
                }
                double c = switch (ct) {
                    case "asymmetric" -> o / scale;
                    case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
                    case "tf_half_pixel_for_nn" -> (o + 0.5) / scale;
                    case "align_corners" -> out == 1 ? 0 : o * (in - 1) / (double) (out - 1);
                    default -> (o + 0.5) / scale - 0.5;
                };
                if (linear) {
                    c = Math.max(0, Math.min(c, in - 1));
                    long lo = (long) Math.floor(c), hi = Math.min(lo + 1, in - 1);
                    double f = c - lo;
                    idx[i][(int) o] = new long[] {lo, hi};
                    wt[i][(int) o] = new double[] {1 - f, f};
                } else {
                    double fl = Math.floor(c);
                    long k = switch (nearest) {
                        case "floor" -> (long) fl;
                        case "ceil" -> (long) Math.ceil(c);
                        case "round_prefer_ceil" -> c - fl >= 0.5 ? (long) fl + 1 : (long) fl;
                        default -> c - fl > 0.5 ? (long) fl + 1 : (long) fl;
                    };
                    idx[i][(int) o] = new long[] {Math.max(0, Math.min(in - 1, k))};
                    wt[i][(int) o] = new double[] {1};
                }
            }
        }
        long[] xst = strides(xs), yst = strides(ys);
        for (int p = 0; p < y.length; p++) {
            long[] o = new long[rank];
            for (int d = 0; d < rank; d++) {
                o[d] = p / yst[d] % ys[d];
            }
            y[p] = taps(x, xst, idx, wt, o, 0, 0);
        }
    }

    private static double taps(double[] x, long[] xst, long[][][] idx, double[][][] wt, long[] o, int d, long at) {
        if (d == o.length) {
            return x[(int) at];
        }
        long[] k = idx[d][(int) o[d]];
        double[] w = wt[d][(int) o[d]];
        double s = 0;
        for (int t = 0; t < k.length; t++) {
            if (w[t] != 0) {
                s += w[t] * taps(x, xst, idx, wt, o, d + 1, at + k[t] * xst[d]);
            }
        }
        return s;
    }

    /** Pad: output coordinate j reads j - pad_begin when inside, else by mode (constant value otherwise). */
    private void pad(Node n, Map<String, double[]> v, double[] x, long[] xs, double[] y, long[] ys) {
        int rank = xs.length;
        long[] pads = longs(n, 1, "pads"), axesGiven = n.inputs().size() > 3 ? longs(n, 3, "") : null;
        long[] begin = new long[rank];
        int count = pads.length / 2;
        for (int i = 0; i < count; i++) {
            begin[axesGiven == null ? i : axis(axesGiven[i], rank)] = pads[i];
        }
        String mode = n.attributes().getString("mode", "constant");
        double fill = n.inputs().size() > 2 && !n.input(2).isEmpty() ? v.get(n.input(2))[0]
                : n.attributes().getFloat("value", 0f);
        long[] xst = strides(xs), yst = strides(ys);
        for (int p = 0; p < y.length; p++) {
            long src = 0;
            boolean inside = true;
            for (int d = 0; d < rank; d++) {
                long k = p / yst[d] % ys[d] - begin[d], dim = xs[d];
                if (k < 0 || k >= dim) {
                    switch (mode) {
                        case "edge" -> k = k < 0 ? 0 : dim - 1;
                        case "wrap" -> k = Math.floorMod(k, dim);
                        case "reflect" -> {
                            while (k < 0 || k >= dim) {
                                k = k < 0 ? -k : 2 * (dim - 1) - k;
                            }
                        }
                        default -> inside = false;
                    }
                }
                src += k * xst[d];
            }
            y[p] = inside ? x[(int) src] : fill;
        }
    }

    /** Slice: along each listed axis output coordinate j reads start + j step, start and end clamped as ONNX says. */
    private void slice(Node n, double[] x, long[] xs, double[] y, long[] ys) {
        int rank = xs.length;
        long[] starts = longs(n, 1, "starts"), ends = longs(n, 2, "ends");
        long[] axes = n.inputs().size() > 3 ? longs(n, 3, "axes") : n.attributes().getInts("axes", null);
        long[] steps = n.inputs().size() > 4 ? longs(n, 4, "") : null;
        long[] start = new long[rank], step = new long[rank];
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int d = axes == null ? i : axis(axes[i], rank);
            long st = steps == null ? 1 : steps[i], dim = xs[d];
            long b = starts[i] < 0 ? starts[i] + dim : starts[i];
            b = st > 0 ? Math.max(0, Math.min(dim, b)) : Math.max(0, Math.min(dim - 1, b));
            start[d] = b;
            step[d] = st;
        }
        long[] xst = strides(xs), yst = strides(ys);
        for (int p = 0; p < y.length; p++) {
            long src = 0;
            for (int d = 0; d < rank; d++) {
                src += (start[d] + (p / yst[d] % ys[d]) * step[d]) * xst[d];
            }
            y[p] = x[(int) src];
        }
    }

    /** ReduceMean / Sum / Max: every input element goes to the output coordinate with its reduced axes zeroed. */
    private void reduce(Node n, double[] x, long[] xs, double[] y) {
        int rank = xs.length;
        long[] axes = longs(n, 1, "axes");
        boolean[] red = new boolean[rank];
        if (axes == null || axes.length == 0) {
            Arrays.fill(red, n.attributes().getInt("noop_with_empty_axes", 0) == 0);
        } else {
            for (long ax : axes) {
                red[axis(ax, rank)] = true;
            }
        }
        long[] kept = xs.clone();
        long count = 1;
        for (int d = 0; d < rank; d++) {
            if (red[d]) {
                kept[d] = 1;
                count *= xs[d];
            }
        }
        boolean max = n.op() == OpType.REDUCE_MAX;
        Arrays.fill(y, max ? Double.NEGATIVE_INFINITY : 0);
        long[] xst = strides(xs), kst = strides(kept);
        for (int p = 0; p < x.length; p++) {
            long at = 0;
            for (int d = 0; d < rank; d++) {
                at += red[d] ? 0 : (p / xst[d] % xs[d]) * kst[d];
            }
            y[(int) at] = max ? Math.max(y[(int) at], x[p]) : y[(int) at] + x[p];
        }
        if (n.op() == OpType.REDUCE_MEAN) {
            for (int i = 0; i < y.length; i++) {
                y[i] /= count;
            }
        }
    }

    /** MatMul as numpy: 1-D operands promoted, batch axes broadcast, y[..., i, j] = sum_t a[..., i, t] b[..., t, j]. */
    private static void matmul(double[] a, long[] as, double[] b, long[] bs, double[] y) {
        long[] a2 = as.length == 1 ? new long[] {1, as[0]} : as, b2 = bs.length == 1 ? new long[] {bs[0], 1} : bs;
        int ra = a2.length - 2, rb = b2.length - 2, rank = Math.max(ra, rb);
        long m = a2[ra], k = a2[ra + 1], cols = b2[rb + 1];
        long[] batch = new long[rank];
        for (int d = 0; d < rank; d++) {
            int da = d - (rank - ra), db = d - (rank - rb);
            batch[d] = Math.max(da >= 0 ? a2[da] : 1, db >= 0 ? b2[db] : 1);
        }
        long batches = prod(batch, 0, rank);
        for (long q = 0; q < batches; q++) {
            long rem = q, offA = 0, offB = 0, sa = 1, sb = 1;
            for (int d = rank - 1; d >= 0; d--) {
                long idx = rem % batch[d];
                rem /= batch[d];
                int da = d - (rank - ra), db = d - (rank - rb);
                if (da >= 0) {
                    offA += (a2[da] == 1 ? 0 : idx) * sa;
                    sa *= a2[da];
                }
                if (db >= 0) {
                    offB += (b2[db] == 1 ? 0 : idx) * sb;
                    sb *= b2[db];
                }
            }
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < cols; j++) {
                    double s = 0;
                    for (long t = 0; t < k; t++) {
                        s += a[(int) (offA * m * k + i * k + t)] * b[(int) (offB * k * cols + t * cols + j)];
                    }
                    y[(int) ((q * m + i) * cols + j)] = s;
                }
            }
        }
    }
}
