package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;

import java.util.Arrays;
import java.util.List;

/**
 * BatchNormalization over channel axis 1: y = (x - mu) / sqrt(var + eps) gamma + beta. Inference mode
 * reads the running statistics (inputs 3, 4); training mode (a run-time switch of the executor) uses the
 * batch's, updates running = m running + (1 - m) batch, and back-propagates through the batch statistics.
 * Gamma and beta (inputs 1, 2) get gradients; the running statistics get none.
 */
public final class BatchNormOp implements OpDefinition {

    @Override
    public List<OpType> ops() {
        return List.of(OpType.BATCH_NORMALIZATION);
    }

    @Override
    public long[] outputShape(Node n, ShapeContext in) {
        long[] x = in.shape(n.input(0));
        if (x.length < 2) {
            throw OpShapes.bad(n, "input " + Arrays.toString(x) + " has no channel dimension (rank below 2)");
        }
        for (int i = 1; i <= 4; i++) {
            OpShapes.requireShape(n, in.shape(n.input(i)), new long[] {x[1]}, "parameter " + i);
        }
        return x.clone();
    }

    @Override
    public Runnable lower(Node n, Lowering on) {
        long[] xShape = on.shape(n.input(0));
        Tensor x = on.value(n.input(0)), gamma = on.value(n.input(1)), beta = on.value(n.input(2));
        Tensor mean = on.value(n.input(3)), var = on.value(n.input(4)), y = on.value(n.output());
        float eps = n.attributes().getFloat("epsilon", 1e-5f);
        float momentum = n.attributes().getFloat("momentum", 0.9f);
        long spatial = OpShapes.product(xShape, 2, xShape.length), batch = xShape[0], channels = xShape[1];
        Tensor dx = on.gradientTarget(n.input(0)), dgamma = on.gradientTarget(n.input(1));
        Tensor dbeta = on.gradientTarget(n.input(2));
        Tensor dy = on.gradient(n.output());
        // batch statistics of a training-mode forward (read by its backward); a teacher without gradients
        // runs training-mode forwards too, so they exist in every executor that owns its weights
        Tensor saveMean = on.constantWeights() ? null : on.allocate(channels);
        Tensor saveInvStd = on.constantWeights() ? null : on.allocate(channels);
        on.backward(() -> {
            if (on.training()) {
                on.kernels().batchNormTrainingBackward(x, dy, batch, channels, spatial, gamma, saveMean, saveInvStd,
                        dx, dgamma, dbeta);
            } else {
                on.kernels().batchNormBackward(x, dy, batch, channels, spatial, gamma, mean, var, eps, dx, dgamma,
                        dbeta);
            }
        }, new String[] {n.input(0), n.input(1), n.input(2)}, new Tensor[] {dx, dgamma, dbeta});
        return () -> {
            if (on.training()) {
                if (saveMean == null) {
                    throw new IllegalStateException("training mode is not available in a serving executor");
                }
                on.kernels().batchNormTraining(x, batch, channels, spatial, gamma, beta, mean, var,
                        on.batchNormMomentum(momentum), eps, y, saveMean, saveInvStd);
            } else {
                on.kernels().batchNorm(x, batch, channels, spatial, gamma, beta, mean, var, eps, y);
            }
        };
    }

    @Override
    public List<Integer> affineInputs() {
        return List.of(1, 2);
    }

    @Override
    public List<Integer> runningStatisticInputs() {
        return List.of(3, 4);
    }
}
