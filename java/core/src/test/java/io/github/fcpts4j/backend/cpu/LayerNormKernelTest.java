package io.github.fcpts4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.testing.CpuTest;
import io.github.fcpts4j.testing.TestData;

import org.junit.jupiter.api.Test;

/**
 * {@link NetworkKernels#layerNorm} and {@link NetworkKernels#layerNormBackward} on the cpu backend against a
 * double-precision reference: rows 1 and 5, cols 1, 7, 33 and 300, beta null and given, the saved statistics,
 * the backward against the analytic gradient in double, which is itself checked against central finite
 * differences of the double forward (so that test and kernel cannot share a wrong formula), and null outputs.
 *
 * <p>Tolerance (CONVENTIONS section 2): |got - ref| <= 1e-5 (|ref| + scale), scale the magnitude of the float
 * terms an output is built from, with s(xhat) = |xhat| + invstd (|mu| + |x|) for xhat's own terms
 * (s(xhat) |gamma| + |beta| forward; invstd / cols (cols |g| + sum |g| + s(xhat) sum |g| s(xhat)) for dx;
 * sum |dy| s(xhat) for dgamma, sum |dy| for dbeta). The kernel sums in double and
 * rounds mu, invstd and each product to float: a few 6e-8 roundings, amplified by the cancellation the scale
 * accounts for; 1e-5 leaves two decades. Biased vs unbiased variance (cols / (cols - 1)), a dropped beta or a
 * missing backward term is off by O(1e-2) or more of the scale at these sizes.
 */
class LayerNormKernelTest extends CpuTest {
    private static final float EPS = 1e-5f;

    /** The double reference: y, mu, invstd per row, and the backward for dy. */
    private static final class Reference {
        final double[] y, mu, inv, dx, dgamma, dbeta, yScale, dxScale, dgScale, dbScale;

        Reference(float[] x, float[] gamma, float[] beta, float[] dy, int rows, int cols) {
            y = new double[rows * cols];
            yScale = new double[y.length];
            dx = new double[y.length];
            dxScale = new double[y.length];
            mu = new double[rows];
            inv = new double[rows];
            dgamma = new double[cols];
            dbeta = new double[cols];
            dgScale = new double[cols];
            dbScale = new double[cols];
            for (int r = 0; r < rows; r++) {
                double m = 0, v = 0;
                for (int j = 0; j < cols; j++) {
                    m += x[r * cols + j];
                }
                m /= cols;
                for (int j = 0; j < cols; j++) {
                    v += (x[r * cols + j] - m) * (x[r * cols + j] - m);
                }
                v /= cols;   // biased
                double is = 1 / Math.sqrt(v + EPS);
                mu[r] = m;
                inv[r] = is;
                double sg = 0, sgx = 0, ag = 0, agx = 0;
                for (int j = 0; j < cols; j++) {
                    int at = r * cols + j;
                    double xhat = (x[at] - m) * is, g = (double) dy[at] * gamma[j], xs = xhatScale(x[at], m, is);
                    y[at] = xhat * gamma[j] + (beta == null ? 0 : beta[j]);
                    yScale[at] = xs * Math.abs(gamma[j]) + (beta == null ? 0 : Math.abs(beta[j]));
                    sg += g;
                    sgx += g * xhat;
                    ag += Math.abs(g);
                    agx += Math.abs(g) * xs;
                    dgamma[j] += dy[at] * xhat;
                    dgScale[j] += Math.abs(dy[at]) * xs;
                    dbeta[j] += dy[at];
                    dbScale[j] += Math.abs(dy[at]);
                }
                for (int j = 0; j < cols; j++) {
                    int at = r * cols + j;
                    double xhat = (x[at] - m) * is, g = (double) dy[at] * gamma[j];
                    dx[at] = is / cols * (cols * g - sg - xhat * sgx);
                    dxScale[at] = is / cols * (cols * Math.abs(g) + ag + xhatScale(x[at], m, is) * agx);
                }
            }
        }
    }

    /**
     * The magnitude of the float terms of xhat = (x - mu) invstd: |xhat| plus invstd (|mu| + |x|), since mu is
     * rounded to float (6e-8 |mu|) before the subtraction, which may cancel.
     */
    private static double xhatScale(double x, double mu, double invstd) {
        return Math.abs((x - mu) * invstd) + invstd * (Math.abs(mu) + Math.abs(x));
    }

    private static void assertClose(float[] got, double[] want, double[] scale, String what) {
        assertEquals(want.length, got.length, what + ": length");
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < got.length; i++) {
            double allowed = 1e-5 * (Math.abs(want[i]) + scale[i]) + 1e-30;
            if (!(Math.abs(got[i] - want[i]) <= allowed)) {
                if (bad++ < 3) {
                    first.append(String.format(" [%d] got %.9g want %.12g (allowed %.3g);", i, got[i], want[i],
                            allowed));
                }
            }
        }
        assertEquals(0, bad, what + ": " + bad + " of " + got.length + " outside:" + first);
    }

    @Test
    void forwardAndBackwardMatchTheDoubleReference() {
        long seed = 1;
        for (int rows : new int[] {1, 5}) {
            for (int cols : new int[] {1, 7, 33, 300}) {
                for (boolean withBeta : new boolean[] {false, true}) {
                    float[] x = TestData.uniform(rows * cols, seed++, 2.0);
                    for (int j = 0; j < cols; j++) {
                        x[j] += 3f;   // a row away from zero: the mean matters
                    }
                    float[] gamma = TestData.uniform(cols, seed++), beta = TestData.uniform(cols, seed++);
                    for (int j = 0; j < cols; j++) {
                        gamma[j] = 0.5f + Math.abs(gamma[j]);
                    }
                    float[] dy = TestData.uniform(rows * cols, seed++);
                    Reference ref = new Reference(x, gamma, withBeta ? beta : null, dy, rows, cols);
                    String what = "rows " + rows + " cols " + cols + (withBeta ? " beta" : "");
                    try (TensorScope s = new TensorScope()) {
                        Tensor tx = s.upload(cpu, x, rows, cols), tg = s.upload(cpu, gamma, cols);
                        Tensor tb = withBeta ? s.upload(cpu, beta, cols) : null;
                        Tensor ty = s.allocate(cpu, rows, cols), tm = s.allocate(cpu, rows), ti = s.allocate(cpu, rows);
                        Tensor tdy = s.upload(cpu, dy, rows, cols), tdx = s.allocate(cpu, rows, cols);
                        Tensor tdg = s.upload(cpu, new float[cols], cols), tdb = s.upload(cpu, new float[cols], cols);
                        cpu.network().fill(tdg, 7f);   // overwritten, not accumulated
                        cpu.network().fill(tdb, 7f);
                        cpu.network().layerNorm(tx, rows, cols, tg, tb, EPS, ty, tm, ti);
                        cpu.network().layerNormBackward(tx, tdy, rows, cols, tg, tm, ti, tdx, tdg, tdb);
                        double[] one = new double[rows];
                        java.util.Arrays.fill(one, 1.0);
                        assertClose(ty.toArray(), ref.y, ref.yScale, what + " y");
                        assertClose(tm.toArray(), ref.mu, one, what + " saved mean");
                        assertClose(ti.toArray(), ref.inv, ref.inv, what + " saved invstd");
                        assertClose(tdx.toArray(), ref.dx, ref.dxScale, what + " dx");
                        assertClose(tdg.toArray(), ref.dgamma, ref.dgScale, what + " dgamma");
                        assertClose(tdb.toArray(), ref.dbeta, ref.dbScale, what + " dbeta");
                    }
                }
            }
        }
    }

    /** L(x, gamma, beta) = sum dy y in double, the function whose gradient the backward computes. */
    private static double loss(float[] x, double[] xd, double[] gammaD, double[] betaD, float[] dy, int rows,
                               int cols) {
        double l = 0;
        for (int r = 0; r < rows; r++) {
            double m = 0, v = 0;
            for (int j = 0; j < cols; j++) {
                m += xd[r * cols + j];
            }
            m /= cols;
            for (int j = 0; j < cols; j++) {
                v += (xd[r * cols + j] - m) * (xd[r * cols + j] - m);
            }
            double is = 1 / Math.sqrt(v / cols + EPS);
            for (int j = 0; j < cols; j++) {
                l += dy[r * cols + j] * ((xd[r * cols + j] - m) * is * gammaD[j] + betaD[j]);
            }
        }
        return l;
    }

    /**
     * The analytic gradient of the reference against central differences of the double forward, h = 1e-6:
     * truncation error h^2 |L'''| ~ 1e-12 and rounding 1e-16 |L| / h ~ 1e-10, so 1e-6 absolute is far
     * beyond both and far below any formula error.
     */
    @Test
    void theReferenceGradientIsTheFiniteDifferenceOfTheReferenceForward() {
        int rows = 3, cols = 7;
        float[] x = TestData.uniform(rows * cols, 40, 2.0), dy = TestData.uniform(rows * cols, 41);
        float[] gamma = TestData.uniform(cols, 42), beta = TestData.uniform(cols, 43);
        Reference ref = new Reference(x, gamma, beta, dy, rows, cols);
        double[] xd = new double[x.length], gd = new double[cols], bd = new double[cols];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        for (int j = 0; j < cols; j++) {
            gd[j] = gamma[j];
            bd[j] = beta[j];
        }
        double h = 1e-6;
        for (double[] arg : new double[][] {xd, gd, bd}) {
            double[] analytic = arg == xd ? ref.dx : arg == gd ? ref.dgamma : ref.dbeta;
            for (int i = 0; i < arg.length; i++) {
                double keep = arg[i];
                arg[i] = keep + h;
                double up = loss(x, xd, gd, bd, dy, rows, cols);
                arg[i] = keep - h;
                double down = loss(x, xd, gd, bd, dy, rows, cols);
                arg[i] = keep;
                assertEquals((up - down) / (2 * h), analytic[i], 1e-6, "finite difference at " + i);
            }
        }
    }

    @Test
    void nullGradientOutputsAreSkippedAndDxMayOverwriteDy() {
        int rows = 5, cols = 33;
        float[] x = TestData.uniform(rows * cols, 50, 2.0), dy = TestData.uniform(rows * cols, 51);
        float[] gamma = TestData.uniform(cols, 52);
        try (TensorScope s = new TensorScope()) {
            Tensor tx = s.upload(cpu, x, rows, cols), tg = s.upload(cpu, gamma, cols);
            Tensor ty = s.allocate(cpu, rows, cols), tm = s.allocate(cpu, rows), ti = s.allocate(cpu, rows);
            Tensor tdy = s.upload(cpu, dy, rows, cols), dx = s.allocate(cpu, rows, cols);
            Tensor db = s.allocate(cpu, cols), dbOnly = s.allocate(cpu, cols);
            cpu.network().layerNorm(tx, rows, cols, tg, null, EPS, ty, tm, ti);
            cpu.network().layerNormBackward(tx, tdy, rows, cols, tg, tm, ti, dx, null, db);
            cpu.network().layerNormBackward(tx, tdy, rows, cols, tg, tm, ti, null, null, dbOnly);
            assertArrayEquals(db.toArray(), dbOnly.toArray(), "dbeta alone");
            cpu.network().layerNormBackward(tx, tdy, rows, cols, tg, tm, ti, tdy, null, null);   // in place
            assertArrayEquals(dx.toArray(), tdy.toArray(), "dx written over dy");
        }
    }
}
