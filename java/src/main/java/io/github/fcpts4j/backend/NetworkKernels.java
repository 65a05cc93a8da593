package io.github.fcpts4j.backend;

/**
 * The network operators a backend runs for the execution engine (forward,
 * inference semantics), on dense float32 row-major tensors. Convolution,
 * pooling and matrix products are plans built once per shape (they own their
 * primitive and must be closed); the rest are direct calls. Shapes are checked
 * by the engine (ir.ShapeInference) before these are called.
 */
public interface NetworkKernels {

    /** Elementwise unary operators; alpha / beta as documented per constant. */
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
        HARD_SWISH
    }

    /** Elementwise binary operators with numpy broadcasting. */
    enum Binary { ADD, SUB, MUL, DIV }

    /** Pooling algorithms (average: ONNX count_include_pad = 0 or 1). */
    enum Pool { MAX, AVERAGE_EXCLUDE_PAD, AVERAGE_INCLUDE_PAD }

    /** y = conv(x, weight) + bias. */
    interface ConvPlan extends AutoCloseable {
        void forward(Tensor x, Tensor weight, Tensor bias, Tensor y);

        @Override
        void close();
    }

    /** y = pool(x). */
    interface PoolPlan extends AutoCloseable {
        void forward(Tensor x, Tensor y);

        @Override
        void close();
    }

    /** y[m, n] = op(a) op(b) + bias[n]. */
    interface MatMulPlan extends AutoCloseable {
        void forward(Tensor a, Tensor b, Tensor bias, Tensor y);

        @Override
        void close();
    }

    ConvPlan conv(WindowGeometry geometry, boolean withBias);

    PoolPlan pool(WindowGeometry geometry, Pool kind);

    MatMulPlan matmul(long m, long k, long n, boolean transposeA, boolean transposeB, boolean withBias);

    void unary(Unary op, float alpha, float beta, Tensor x, Tensor y);

    /** y = a (op) b; shapes of equal rank, a and b broadcast (size-1 axes) to yShape. */
    void binary(Binary op, Tensor a, long[] aShape, Tensor b, long[] bShape, Tensor y, long[] yShape);

    /** Inference BatchNorm over x viewed as [n, c, spatial]. */
    void batchNorm(Tensor x, long n, long c, long spatial, Tensor gamma, Tensor beta, Tensor mean, Tensor variance,
                   float epsilon, Tensor y);

    /** y[p] = mean of x over plane p of {@code spatial} elements. */
    void globalAveragePool(Tensor x, long planes, long spatial, Tensor y);

    /** Softmax over the middle axis of x viewed as [outer, axis, inner]. */
    void softmax(Tensor x, long outer, long axis, long inner, Tensor y);

    void transpose(Tensor x, long[] xShape, long[] perm, Tensor y);

    /** For o < outer: y[o * yBlock + offset, + block) = x[o * block, + block). */
    void concatPiece(Tensor x, long outer, long block, Tensor y, long yBlock, long offset);
}
