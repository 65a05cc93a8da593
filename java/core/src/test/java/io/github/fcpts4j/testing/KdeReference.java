package io.github.fcpts4j.testing;

import io.github.fcpts4j.backend.SegmentLayout;

/**
 * Plain-Java, double-precision reference of the fused KDE-CDF pass (FCPTS.md
 * section 5), written from the formulas and not from the kernels:
 * z = (t - |w|) * invH in double, Phi by Marsaglia's series (absolute error
 * below 1e-15), phi = exp(-z^2/2)/sqrt(2 pi). invH is the float inverse
 * bandwidth 1.0f / h that the kernels receive, so only kernel error is measured.
 */
public final class KdeReference {
    /** Per layer: the 7 sums of kde_fused.h plus sum |g w| (for tolerances) at index 7. */
    public static final int FIELDS = 8;
    public static final int SUM_ABS_GW = 7;

    private KdeReference() {
    }

    /** Standard normal CDF to about 1e-15 absolute (G. Marsaglia, J. Stat. Softw. 11(4), 2004). */
    public static double phiCdf(double x) {
        if (x < -9) {
            return 0.0;
        }
        if (x > 9) {
            return 1.0;
        }
        double s = x, t = 0, b = x, q = x * x, i = 1;
        while (s != t) {
            t = s;
            i += 2;
            b *= q / i;
            s = t + b;
        }
        return 0.5 + s * Math.exp(-0.5 * q - 0.91893853320467274178);
    }

    public static double phiPdf(double x) {
        return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }

    /**
     * Reference pass. {@code g} may be null (forward only); {@code maskedOut} (may be
     * null) receives g * 1[|w| > t] as the kernel must produce it, bit for bit.
     */
    public static double[] pass(SegmentLayout layout, float[] w, float[] g, float[] t, float[] h, float[] maskedOut) {
        double[] out = new double[layout.count() * FIELDS];
        for (int l = 0; l < layout.count(); l++) {
            double invH = 1.0f / h[l];
            float threshold = t[l];
            double cdf = 0, pdf = 0, gwPdf = 0, kept = 0, abs = 0, sq = 0, absGw = 0;
            for (long i = layout.offset(l); i < layout.offset(l + 1); i++) {
                float wi = w[(int) i];
                float a = Math.abs(wi);
                double z = ((double) threshold - a) * invH;
                double density = phiPdf(z);
                cdf += phiCdf(z);
                pdf += density;
                boolean keep = a > threshold;
                kept += keep ? 1 : 0;
                abs += a;
                sq += (double) wi * wi;
                if (g != null) {
                    gwPdf += (double) g[(int) i] * wi * density;
                    absGw += Math.abs((double) g[(int) i] * wi);
                    if (maskedOut != null) {
                        maskedOut[(int) i] = keep ? g[(int) i] : 0.0f;
                    }
                }
            }
            double[] row = {cdf, pdf, gwPdf, kept, abs, sq, 0, absGw};
            System.arraycopy(row, 0, out, l * FIELDS, FIELDS);
        }
        return out;
    }
}
