package io.github.fcpts4j.backend;

/**
 * The network operators a backend runs for the execution engine (forward,
 * inference semantics), on dense float32 row-major tensors. Convolution,
 * pooling and matrix products are plans built once per shape (they own their
 * primitive and must be closed); the rest are direct calls. Shapes are checked
 * by the engine (ir.ShapeInference) before these are called.
 */
public interface NetworkKernels {

    /**
     * Elementwise unary operators; alpha / beta as documented per constant. The
     * ordinal is the native op value: the constants must match the list
     * FCPTS_UNARY_OPS of native/include/fcpts/ops.def, name for name and in order
     * (NativeEnumAgreementTest), which also holds each op's math.
     */
    enum Unary {
        /** max(x, 0). */
        RELU,
        /** min(max(x, alpha), beta). */
        CLIP,
        /** x >= 0 ? x : alpha x. */
        LEAKY_RELU,
        /** 1 / (1 + e^-x). */
        SIGMOID,
        /** max(0, min(1, alpha x + beta)). */
        HARD_SIGMOID,
        /** x max(0, min(1, x / 6 + 1/2)). */
        HARD_SWISH,
        /** tanh(x); gradient 1 - tanh(x)^2. */
        TANH,
        /** e^x; gradient e^x. */
        EXP,
        /** sqrt(x), NaN for x &lt; 0; gradient 0.5 / sqrt(x). */
        SQRT,
        /** erf(x); gradient 2 / sqrt(pi) e^(-x^2). */
        ERF,
        /** x^alpha (a constant exponent); gradient alpha x^(alpha - 1). */
        POW
    }

    /**
     * Elementwise binary operators with numpy broadcasting (native list FCPTS_BINARY_OPS of ops.def, in order).
     * EQUAL is 1 where a == b, else 0 (NaN equals nothing); both its gradients are 0.
     */
    enum Binary { ADD, SUB, MUL, DIV, EQUAL }

    /**
     * Pooling algorithms (average: ONNX count_include_pad = 0 or 1); native list
     * FCPTS_POOL_KINDS of ops.def, in order.
     */
    enum Pool { MAX, AVERAGE_EXCLUDE_PAD, AVERAGE_INCLUDE_PAD }

    /**
     * A fixed linear (or max) map applied to every one of {@code outer} slices, built once per shape: x is
     * [outer, inSize], y is [outer, outSize], and row r of the map has taps k in [rowPtr[r], rowPtr[r+1]):
     * <pre>
     *   SUM: y[o, r] = sum_k weight[k] x[o, col[k]]            (weight null: every weight is 1)
     *   MAX: y[o, r] = max_k x[o, col[k]]                        (the first maximum wins; weights ignored)
     *   a row without taps: y[o, r] = fill
     * </pre>
     * Resize, Pad, Slice, Split, Gather with constant indices and the reductions are such maps, computed on
     * the host from the op's attributes. Backward overwrites dx: SUM dx = map^T dy (the plan keeps the
     * transposed map, so it is deterministic); MAX routes dy[o, r] to the argmax of the last forward.
     */
    interface IndexMapPlan extends AutoCloseable {
        void forward(Tensor x, Tensor y);

        void backward(Tensor dy, Tensor dx);

        @Override
        void close();
    }

    /**
     * y[b] = op(A[b]) op(B[b]) for b &lt; batch (op = transpose when asked), A [batch, m, k] (or [batch, k, m]),
     * B [batch, k, n] (or [batch, n, k]) or, when {@code sharedB}, one B for every b; y [batch, m, n].
     */
    interface BatchedMatMulPlan extends AutoCloseable {
        void forward(Tensor a, Tensor b, Tensor y);

        @Override
        void close();
    }

    /** y = conv(x, weight) + bias. */
    interface ConvPlan extends AutoCloseable {
        void forward(Tensor x, Tensor weight, Tensor bias, Tensor y);

        /** Gradients from dy; null outputs are skipped (dbias only for a plan with bias). */
        void backward(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight, Tensor dbias);

        @Override
        void close();
    }

    /** y = act(conv(x, weight) + bias + residual) for constant weights (inference; no backward). */
    interface FusedConvPlan extends AutoCloseable {
        /** bias and residual null when the plan has none. */
        void forward(Tensor x, Tensor weight, Tensor bias, Tensor residual, Tensor y);

        @Override
        void close();
    }

    /** y = act(W_csr * x + bias + residual): a pruned convolution with its weight in CSR (sparse runtime). */
    interface SparseConvPlan extends AutoCloseable {
        /** residual null unless the plan was made with one. */
        void forward(Tensor x, Tensor residual, Tensor y);

        @Override
        void close();
    }

    /** y = pool(x). */
    /**
     * A sparse fully connected layer, built once per weight and batch size:
     * y [batch, out] = x [batch, in] W^T + bias, W [out, in] in CSR.
     */
    interface SparseLinearPlan extends AutoCloseable {
        void forward(Tensor x, Tensor y);

        @Override
        void close();
    }

    interface PoolPlan extends AutoCloseable {
        void forward(Tensor x, Tensor y);

        /** dx from dy (max pooling routes to each window's arg-max, recomputed from x). */
        void backward(Tensor x, Tensor dy, Tensor dx);

        @Override
        void close();
    }

    /** y[m, n] = op(a) op(b) + bias[n]. */
    interface MatMulPlan extends AutoCloseable {
        void forward(Tensor a, Tensor b, Tensor bias, Tensor y);

        @Override
        void close();
    }

    /**
     * @param constantWeights the weight passed to forward never changes (inference executors): the plan may
     *                        pack it into its preferred layout once and reuse that copy while the pointer stays
     *                        the same; backward is then not available
     */
    ConvPlan conv(WindowGeometry geometry, boolean withBias, boolean constantWeights);

    /** A fused inference convolution; lo / hi bound {@link ConvActivation#CLIP} (ignored otherwise). */
    FusedConvPlan fusedConv(WindowGeometry geometry, boolean withBias, boolean withResidual, ConvActivation activation,
                            float lo, float hi);

    /**
     * A sparse convolution plan (CPU: native/include/fcpts/sparse_cpu.h; cuda: cuSPARSE SpMM,
     * native/include/fcpts/sparse_cuda.h, groups 1 only).
     *
     * @param rowPtr [outChannels + 1]; colIdx / values [nnz]: the weight [c_out, c_in / groups x kh x kw] in CSR
     * @param bias   [c_out] or null
     */
    SparseConvPlan sparseConv(WindowGeometry geometry, int[] rowPtr, int[] colIdx, float[] values, float[] bias,
                              boolean withResidual, ConvActivation activation, float lo, float hi);

    /** Whether {@link #sparseConv} handles this geometry on this backend. */
    boolean supportsSparseConv(WindowGeometry geometry);

    /** A sparse fully connected layer; only where {@link #supportsSparseLinear()}. @param bias [out] or null */
    SparseLinearPlan sparseLinear(long batch, long in, long out, int[] rowPtr, int[] colIdx, float[] values,
                                  float[] bias);

    /** Whether this backend has a sparse fully connected kernel. */
    boolean supportsSparseLinear();

    PoolPlan pool(WindowGeometry geometry, Pool kind);

    MatMulPlan matmul(long m, long k, long n, boolean transposeA, boolean transposeB, boolean withBias);

    /** A batched matrix product (attention scores and their use; see {@link BatchedMatMulPlan}). */
    BatchedMatMulPlan batchedMatmul(long batch, long m, long k, long n, boolean transposeA, boolean transposeB,
                                    boolean sharedB);

    /**
     * An index map (see {@link IndexMapPlan}) with {@code rowPtr.length - 1 == outSize} rows; every column
     * index lies in [0, inSize). {@code weights} is null or as long as {@code cols}.
     */
    IndexMapPlan indexMap(long outer, long inSize, long outSize, int[] rowPtr, int[] cols, float[] weights,
                          float fill, boolean max);

    void unary(Unary op, float alpha, float beta, Tensor x, Tensor y);

    /** y = a (op) b; shapes of equal rank, a and b broadcast (size-1 axes) to yShape. */
    void binary(Binary op, Tensor a, long[] aShape, Tensor b, long[] bShape, Tensor y, long[] yShape);

    /** Inference BatchNorm over x viewed as [n, c, spatial]. */
    void batchNorm(Tensor x, long n, long c, long spatial, Tensor gamma, Tensor beta, Tensor mean, Tensor variance,
                   float epsilon, Tensor y);

    /**
     * Training-mode BatchNorm: normalizes with batch statistics, moves the running
     * statistics (ONNX momentum), keeps mean and 1/std per channel for the backward.
     */
    void batchNormTraining(Tensor x, long n, long c, long spatial, Tensor gamma, Tensor beta, Tensor runningMean,
                           Tensor runningVariance, float momentum, float epsilon, Tensor y, Tensor saveMean,
                           Tensor saveInvStd);

    /** y[p] = mean of x over plane p of {@code spatial} elements. */
    void globalAveragePool(Tensor x, long planes, long spatial, Tensor y);

    /** Softmax over the middle axis of x viewed as [outer, axis, inner]. */
    void softmax(Tensor x, long outer, long axis, long inner, Tensor y);

    /**
     * Layer normalization of each of {@code rows} rows of {@code cols} values:
     * y = (x - mu) / sqrt(var + eps) gamma + beta (gamma, beta [cols]; beta may be null), with the biased
     * variance; saves mu and 1 / sqrt(var + eps) per row for the backward.
     */
    void layerNorm(Tensor x, long rows, long cols, Tensor gamma, Tensor beta, float epsilon, Tensor y,
                   Tensor saveMean, Tensor saveInvStd);

    void transpose(Tensor x, long[] xShape, long[] perm, Tensor y);

    /** For o &lt; outer: y[o * yBlock + offset, + block) = x[o * block, + block). */
    void concatPiece(Tensor x, long outer, long block, Tensor y, long yBlock, long offset);

    // ---- backward; null gradient outputs are skipped ----

    void unaryBackward(Unary op, float alpha, float beta, Tensor x, Tensor dy, Tensor dx);

    /** Gradients of y = a (op) b, summed over broadcast axes into the operands' own shapes. */
    void binaryBackward(Binary op, Tensor a, long[] aShape, Tensor b, long[] bShape, Tensor dy, long[] yShape,
                        Tensor da, Tensor db);

    void batchNormBackward(Tensor x, Tensor dy, long n, long c, long spatial, Tensor gamma, Tensor mean,
                           Tensor variance, float epsilon, Tensor dx, Tensor dgamma, Tensor dbeta);

    void batchNormTrainingBackward(Tensor x, Tensor dy, long n, long c, long spatial, Tensor gamma, Tensor saveMean,
                                   Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta);

    void globalAveragePoolBackward(Tensor dy, long planes, long spatial, Tensor dx);

    /** Gradients of {@link #layerNorm} from its saved statistics; null outputs are skipped. */
    void layerNormBackward(Tensor x, Tensor dy, long rows, long cols, Tensor gamma, Tensor saveMean,
                           Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta);

    void softmaxBackward(Tensor y, Tensor dy, long outer, long axis, long inner, Tensor dx);

    /** Inverse of {@link #concatPiece}: dx[o * block, + block) = dy[o * yBlock + offset, + block). */
    void slicePiece(Tensor dy, long outer, long block, long yBlock, long offset, Tensor dx);

    /** Sets every element of y to value. */
    void fill(Tensor y, float value);

    /** out[j] = sum over rows of x[rows, cols]. */
    void columnSum(Tensor x, long rows, long cols, Tensor out);

    // ---- losses over [n, classes]; return the batch mean, write d loss / d input into grad (may be null) ----

    double crossEntropy(Tensor logits, long[] labels, long n, long classes, Tensor grad);

    /** T^2 KL(softmax(teacher / T) || softmax(student / T)) (FCPTS.md section 4). */
    double klDistill(Tensor student, Tensor teacher, long n, long classes, float temperature, Tensor grad);

    double mse(Tensor a, Tensor b, long n, long features, Tensor grad);

    // ---- the pruning loop's state on the backend (native/include/fcpts/optim_cpu.h) ----

    /**
     * For i &lt; count: dst[dstOffset + i] = kept ? src[srcOffset + i] : 0, where kept is
     * {@code keep[keepOffset + i] != 0} when keep is given, else {@code threshold < 0 || |src| > threshold}.
     * Builds the student's weights w 1[|w| > t_l] out of the flat weight vector and gathers layer gradients
     * back into it without a host copy. src and dst must be different tensors.
     */
    void maskedCopy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long count, float threshold, Tensor keep,
                    long keepOffset);

    /**
     * The array-length checks of {@link #indexMap}, shared by the backends (the native plans check the rest:
     * sizes > 0, row pointers from 0 to cols.length and non-decreasing, columns in [0, inSize)).
     */
    static void checkIndexMap(long outer, long inSize, long outSize, int[] rowPtr, int[] cols, float[] weights) {
        if (rowPtr == null || cols == null) {
            throw new IllegalArgumentException("indexMap: rowPtr and cols are required");
        }
        if (outSize < 0 || outSize >= Integer.MAX_VALUE || rowPtr.length != outSize + 1) {
            throw new IllegalArgumentException("indexMap: " + rowPtr.length + " row pointers for " + outSize
                    + " output rows (want outSize + 1)");
        }
        if (weights != null && weights.length != cols.length) {
            throw new IllegalArgumentException("indexMap: " + weights.length + " weights for " + cols.length
                    + " taps");
        }
    }

    /** The argument checks of {@link #maskedCopy}, shared by the backends. */
    static void checkMaskedCopy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long count, Tensor keep,
                                long keepOffset) {
        checkRange(src, srcOffset, count, "maskedCopy source");
        checkRange(dst, dstOffset, count, "maskedCopy destination");
        checkRange(keep, keepOffset, count, "maskedCopy keep mask");
        if (src == dst) {
            throw new IllegalArgumentException("maskedCopy: source and destination are the same tensor " + src);
        }
    }

    private static void checkRange(Tensor t, long offset, long count, String what) {
        if (t != null && (offset < 0 || count < 0 || offset > t.size() - count)) {
            throw new IndexOutOfBoundsException(what + ": elements [" + offset + ", " + offset + " + " + count
                    + ") are outside " + t);
        }
    }

    // ---- optimizer updates (native/include/fcpts/optim_cpu.h); mask may be null ----

    void sgdStep(Tensor weights, Tensor gradients, Tensor velocity, Tensor mask, float lr, float momentum,
                 float weightDecay);

    void adamStep(Tensor weights, Tensor gradients, Tensor firstMoment, Tensor secondMoment, Tensor mask, float lr,
                  float beta1, float beta2, float epsilon, float weightDecay, long step);
}
