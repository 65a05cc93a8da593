package io.github.fcpts4j.eval;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Latency of one ONNX file under ONNX Runtime (its Java API, the runtime DJL's
 * OnnxRuntime engine wraps; the dense peer of {@code fcpts bench}): wall time
 * of one run on a fixed input, input tensor creation and the copy of the first
 * output included, as our engine's timings include them. The session stays
 * open so that the caller can interleave it with other paths in rounds. Its
 * intra-op threads do not spin while idle
 * ({@code session.intra_op.allow_spinning = 0}): spinning workers would take
 * the cores from the path timed next.
 */
public final class OrtLatency implements AutoCloseable {
    private final Path model;
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final String inputName;
    private final float[] input;
    private final long[] shape;

    private OrtLatency(Path model, OrtEnvironment env, OrtSession.SessionOptions options, OrtSession session,
                       float[] input, long[] shape) {
        this.model = model;
        this.env = env;
        this.options = options;
        this.session = session;
        this.inputName = session.getInputNames().iterator().next();
        this.input = input;
        this.shape = shape.clone();
    }

    /**
     * @param threads intra-op threads (0 = ONNX Runtime's default)
     * @throws FcptsException INVALID_MODEL when ONNX Runtime cannot load the file
     */
    public static OrtLatency open(Path model, float[] input, long[] shape, int threads) {
        OrtEnvironment env = OrtModel.environment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
            }
            return new OrtLatency(model, env, options, env.createSession(model.toString(), options), input, shape);
        } catch (OrtException e) {
            options.close();
            throw new FcptsException(ErrorCode.INVALID_MODEL, "ONNX Runtime cannot load " + model + ": "
                    + e.getMessage(), e);
        }
    }

    /** One timed run, in milliseconds. */
    public double timeOnce() {
        long start = System.nanoTime();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result r = session.run(Map.of(inputName, x))) {
            if (r.get(0) instanceof OnnxTensor t && t.getInfo().type == OnnxJavaType.FLOAT) {
                FloatBuffer out = t.getFloatBuffer();
                out.get(new float[out.remaining()]);
            } else {
                r.get(0).getValue();
            }
        } catch (OrtException e) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, "ONNX Runtime cannot run " + model + ": "
                    + e.getMessage(), e);
        }
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new FcptsException(ErrorCode.INTERNAL, "ONNX Runtime cannot close its session of " + model
                    + ": " + e.getMessage(), e);
        } finally {
            options.close();
        }
    }
}
