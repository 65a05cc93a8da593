package io.github.fcpts4j.eval;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Latency of one ONNX file under ONNX Runtime through DJL (the dense peer of
 * {@code fcpts bench}): wall time of predict() on a fixed input, input
 * creation and output copy included, as our engine's timings include them.
 */
public final class OrtLatency {
    private OrtLatency() {
    }

    /**
     * @param threads intra-op threads (0 = ONNX Runtime's default)
     * @return {@code runs} samples in milliseconds, after {@code warmup} unrecorded runs
     */
    public static double[] measure(Path model, float[] input, long[] shape, int threads, int warmup, int runs) {
        Criteria.Builder<NDList, NDList> builder = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(model).optEngine("OnnxRuntime");
        if (threads > 0) {
            builder = builder.optOption("intraOpNumThreads", Integer.toString(threads))
                    .optOption("interOpNumThreads", "1");
        }
        double[] samples = new double[runs];
        try (ZooModel<NDList, NDList> loaded = builder.build().loadModel();
             Predictor<NDList, NDList> predictor = loaded.newPredictor();
             NDManager manager = NDManager.newBaseManager("OnnxRuntime")) {
            OrtTempDirectory.deleteOnExit();
            for (int r = -warmup; r < runs; r++) {
                long start = System.nanoTime();
                try (NDManager step = manager.newSubManager()) {
                    predictor.predict(new NDList(step.create(input, new Shape(shape)))).get(0).toFloatArray();
                }
                if (r >= 0) {
                    samples[r] = (System.nanoTime() - start) / 1e6;
                }
            }
        } catch (ModelNotFoundException | MalformedModelException | IOException | TranslateException e) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, "ONNX Runtime cannot run " + model + ": "
                    + e.getMessage(), e);
        }
        return samples;
    }
}
