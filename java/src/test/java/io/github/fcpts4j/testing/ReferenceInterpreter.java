package io.github.fcpts4j.testing;

import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
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
        Map<String, double[]> v = new HashMap<>();
        graph.initializers().forEach((name, data) -> v.put(name, toDouble(data)));
        v.putAll(weights);
        v.putAll(inputs);
        for (Node n : graph.nodes()) {
            v.put(n.output(), eval(n, v));
        }
        return v.get(graph.outputs().get(0).name());
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
            case ADD, SUB, MUL, DIV -> binary(n, v.get(n.input(0)), xs, v.get(n.input(1)), shapes.get(n.input(1)), y, ys);
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
            case FLATTEN, RESHAPE -> System.arraycopy(x, 0, y, 0, y.length);
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
            case MATMUL -> {
                double[] b = v.get(n.input(1));
                long[] bs = shapes.get(n.input(1));
                long m = prod(xs, 0, xs.length - 1), k = bs[0], cols = bs[1];
                for (long i = 0; i < m; i++) {
                    for (long j = 0; j < cols; j++) {
                        double s = 0;
                        for (long t = 0; t < k; t++) {
                            s += x[(int) (i * k + t)] * b[(int) (t * cols + j)];
                        }
                        y[(int) (i * cols + j)] = s;
                    }
                }
            }
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
}
