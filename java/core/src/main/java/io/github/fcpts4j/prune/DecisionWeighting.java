package io.github.fcpts4j.prune;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;

/**
 * The squared error of an output that its users read through a decision threshold T on the raw value (a
 * detector's score logits, sigmoid(x) &gt; 0.75 being x &gt; logit(0.75)), weighted so that the elements where
 * the decision is positive, in the teacher or in the student, weigh as much in total as all the others, and
 * relative to the teacher's weighted mean square on the same batch (so its scale does not grow with the weights:
 * on PP-OCRv3 det, whose positives carry most of the map's mean square, the term divided by the unweighted
 * mean square drove the map to zero):
 * <pre>
 *   m_i  = 1[t_i &gt; T or s_i &gt; T]        (HARD_SIGMOID(A x + 1/2 - A T), A = 1e4: 0 or 1 beyond 5e-5 of T)
 *   p    = sum_i m_i / |m|,  beta = (1 - p) / p  (0 when no element is positive)
 *   r_i  = 1 + (sqrt(1 + beta) - 1) m_i,  w_i = r_i^2
 *   Q    = (1 / N) sum_i w_i t_i^2  (1 when 0: nothing to normalize by)
 *   L    = (1 / Q) (1 / N) sum_i w_i (s_i - t_i)^2,   dL/ds = 2 w (s - t) / (N Q)   (Q held constant)
 * </pre>
 * All on the backend with the elementwise kernels; two floats (sum m and Q) come back to the host per step.
 */
final class DecisionWeighting {
    private static final float SHARPNESS = 1e4f;
    private final float threshold;
    private final Tensor maskTeacher;
    private final Tensor maskStudent;
    private final Tensor root;
    private final Tensor weightedStudent;
    private final Tensor weightedTeacher;
    private final Tensor weightedGrad;
    private final Tensor zeros;
    private final Tensor inverse;
    private final Tensor sum;
    private final Tensor factor;
    private final Tensor one;

    /** Buffers for a value of {@code shape}; {@code threshold} on the raw value. */
    DecisionWeighting(TensorScope scope, Backend backend, long[] shape, float threshold) {
        this.threshold = threshold;
        maskTeacher = scope.allocate(backend, shape);
        maskStudent = scope.allocate(backend, shape);
        root = scope.allocate(backend, shape);
        weightedStudent = scope.allocate(backend, shape);
        weightedTeacher = scope.allocate(backend, shape);
        weightedGrad = scope.allocate(backend, shape);
        zeros = scope.allocate(backend, shape);
        backend.network().fill(zeros, 0f);
        inverse = scope.allocate(backend, new long[] {1});
        sum = scope.allocate(backend, new long[] {1});
        factor = scope.allocate(backend, new long[] {1});
        one = scope.upload(backend, new float[] {1f}, 1);
    }

    /** The raw threshold T. */
    float threshold() {
        return threshold;
    }

    /** L of {@code student} against {@code teacher} ([n, features]); writes dL/ds into {@code grad}. */
    double mse(NetworkKernels k, Tensor student, Tensor teacher, long n, long features, Tensor grad) {
        long[] flat = {student.size()}, scalar = {1};
        float beta = 0.5f - SHARPNESS * threshold;
        k.unary(NetworkKernels.Unary.HARD_SIGMOID, SHARPNESS, beta, teacher, maskTeacher);
        k.unary(NetworkKernels.Unary.HARD_SIGMOID, SHARPNESS, beta, student, maskStudent);
        // m = mt + ms - mt ms (the union), into maskTeacher
        k.binary(NetworkKernels.Binary.MUL, maskTeacher, flat, maskStudent, flat, root, flat);
        k.binary(NetworkKernels.Binary.ADD, maskTeacher, flat, maskStudent, flat, maskTeacher, flat);
        k.binary(NetworkKernels.Binary.SUB, maskTeacher, flat, root, flat, maskTeacher, flat);
        k.columnSum(maskTeacher, student.size(), 1, sum);
        double p = sum.toArray()[0] / student.size();
        double b = p > 0 ? (1 - p) / p : 0;
        factor.copyFrom(new float[] {(float) (Math.sqrt(1 + b) - 1)});
        k.binary(NetworkKernels.Binary.MUL, maskTeacher, flat, factor, scalar, root, flat);
        k.binary(NetworkKernels.Binary.ADD, root, flat, one, scalar, root, flat);
        k.binary(NetworkKernels.Binary.MUL, student, flat, root, flat, weightedStudent, flat);
        k.binary(NetworkKernels.Binary.MUL, teacher, flat, root, flat, weightedTeacher, flat);
        double q = k.mse(weightedTeacher, zeros, n, features, null);
        double scale = q > 0 && Double.isFinite(q) ? 1 / q : 1;
        inverse.copyFrom(new float[] {(float) scale});
        double loss = k.mse(weightedStudent, weightedTeacher, n, features, weightedGrad) * scale;
        k.binary(NetworkKernels.Binary.MUL, weightedGrad, flat, root, flat, grad, flat);
        k.binary(NetworkKernels.Binary.MUL, grad, flat, inverse, scalar, grad, flat);
        return loss;
    }
}
