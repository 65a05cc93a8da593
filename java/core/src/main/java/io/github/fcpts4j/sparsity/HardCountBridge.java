package io.github.fcpts4j.sparsity;

/**
 * The ablation of the KDE bridge (FCPTS.md section 3): the derivative of a
 * layer's sparsity taken as a central difference of the hard count over the
 * same bandwidth h, i.e. a box kernel instead of a Gaussian:
 * <pre>
 *   ds_l/dt        ~ #{ i : | |w_i| - t | &lt; h } / (2 h N_l)
 *   straight-through dL_rec/dt ~ -(1/h) sum_i g_i w_i box((|w_i| - t) / h),  box(z) = 1/2 for |z| &lt; 1
 * </pre>
 * Computed on the host from the layer's weights and gradients (the fused
 * kernels only implement the Gaussian).
 */
public final class HardCountBridge {
    private HardCountBridge() {
    }

    /** d s_l / dt for the weights {@code w[from, from + n)}. */
    public static double density(float[] w, int from, int n, double t, double h) {
        if (n == 0) {
            return 0;
        }
        long near = 0;
        for (int i = from; i < from + n; i++) {
            near += Math.abs(Math.abs(w[i]) - t) < h ? 1 : 0;
        }
        return near / (2 * h * n);
    }

    /** The straight-through threshold gradient with the box kernel. */
    public static double straightThroughThresholdGradient(float[] w, float[] g, int from, int n, double t, double h) {
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            if (Math.abs(Math.abs(w[i]) - t) < h) {
                sum += 0.5 * g[i] * w[i];
            }
        }
        return -sum / h;
    }
}
