package io.github.fcpts4j.eval;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX file in an ONNX Runtime session (its Java API, the library DJL's
 * OnnxRuntime engine wraps), independent of fcpts4j's own importer and engine,
 * so any model ONNX Runtime runs can be scored: its inputs with their declared
 * shapes (-1 for symbolic dimensions) and a run of one float input (or of
 * every input, by name) returning every numeric output as floats. Owns the session; close is idempotent.
 * {@link #run} keeps no state between calls and may be called from several threads at once (ONNX Runtime's
 * sessions allow concurrent runs); close it only once no run is in flight.
 */
public final class OrtModel implements AutoCloseable {

    /** One output of one run: name, shape and values (numeric types widened or narrowed to float). */
    public record Output(String name, long[] shape, float[] values) {
    }

    private final Path file;
    private final OrtSession session;
    private final Map<String, long[]> inputs = new LinkedHashMap<>();
    private final Map<String, OnnxJavaType> inputTypes = new LinkedHashMap<>();
    private final Map<String, long[]> outputs = new LinkedHashMap<>();
    private Map<String, String> metadata;
    private boolean closed;

    private OrtModel(Path file, OrtSession session) throws OrtException {
        this.file = file;
        this.session = session;
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            TensorInfo t = e.getValue().getInfo() instanceof TensorInfo ti ? ti : null;
            inputs.put(e.getKey(), t != null ? t.getShape() : new long[0]);
            inputTypes.put(e.getKey(), t != null ? t.type : OnnxJavaType.UNKNOWN);
        }
        for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo t) {
                outputs.put(e.getKey(), t.getShape());
            }
        }
    }

    /** @throws FcptsException INVALID_ARGUMENT for a missing file, INVALID_MODEL when ONNX Runtime refuses it */
    public static OrtModel open(Path file) {
        return open(file, true);
    }

    /**
     * As {@link #open(Path)}; with {@code optimize} false ONNX Runtime runs the graph as written (no fusions,
     * no layout changes): another valid float32 evaluation order of the same model.
     */
    public static OrtModel open(Path file, boolean optimize) {
        if (!Files.isRegularFile(file)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "model file " + file + " does not exist");
        }
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            // errors only: exporters' leftovers (unused initializers) are warnings nobody reading fcpts output can act on
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (!optimize) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            }
            return new OrtModel(file, environment().createSession(file.toString(), options));
        } catch (OrtException e) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, "ONNX Runtime cannot load " + file + ": "
                    + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Input names in declaration order, with their declared shapes (-1 where symbolic). */
    public Map<String, long[]> inputs() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        inputs.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** Tensor output names in output order, with their declared shapes (-1 where symbolic). */
    public Map<String, long[]> outputs() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        outputs.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /**
     * The model's own metadata ({@code metadata_props} of the ONNX file, read from the file on first use by
     * {@link OnnxMetadata}, not through ONNX Runtime), e.g. the {@code character} dictionary RapidOCR's PP-OCR
     * recognizers carry.
     */
    public Map<String, String> metadata() {
        check();
        if (metadata == null) {
            metadata = Map.copyOf(OnnxMetadata.read(file));
        }
        return metadata;
    }

    /**
     * {@code batch}, or the batch the image input fixes where it fixes one smaller than {@code batch} (tf2onnx
     * exports such as BlazeFace declare [1, H, W, C]): what one run can take.
     */
    public int batchFor(int batch) {
        long[] shape = inputs.get(imageInput());
        long fixed = shape.length > 0 ? shape[0] : -1;
        return fixed > 0 && fixed < batch ? (int) fixed : batch;
    }

    /** The input images are fed to: the first one. */
    public String imageInput() {
        return inputs.keySet().iterator().next();
    }

    /** Runs the model on one float input {@code [shape]}; returns every tensor output in output order. */
    public List<Output> run(String input, float[] data, long[] shape) {
        check();
        if (inputs.size() > 1) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, file + " has " + inputs.size() + " inputs "
                    + inputs.keySet() + "; only models with one image input can be fed from a data spec");
        }
        return run(Map.of(input, data), Map.of(input, shape));
    }

    /**
     * Runs the model on float inputs by name, {@code shapes} giving each one's concrete shape (every input
     * of the model must be given); returns every numeric tensor output in output order.
     *
     * @throws FcptsException UNSUPPORTED_MODEL for an input that is not float, INVALID_ARGUMENT for a
     *                        missing input or when ONNX Runtime refuses the run
     */
    public List<Output> run(Map<String, float[]> data, Map<String, long[]> shapes) {
        check();
        OrtEnvironment env = environment();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (String name : inputs.keySet()) {
                float[] x = data.get(name);
                long[] shape = shapes.get(name);
                if (x == null || shape == null) {
                    throw new FcptsException(ErrorCode.INVALID_ARGUMENT, file + ": no value given for input '"
                            + name + "' (its inputs: " + inputs.keySet() + ")");
                }
                if (inputTypes.get(name) != OnnxJavaType.FLOAT) {
                    throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, file + ": input '" + name + "' is "
                            + inputTypes.get(name) + "; only float inputs can be fed");
                }
                feed.put(name, OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape));
            }
            try (OrtSession.Result result = session.run(feed)) {
                List<Output> out = new ArrayList<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    if (e.getValue() instanceof OnnxTensor t) {
                        float[] values = floats(t);
                        if (values != null) {
                            out.add(new Output(e.getKey(), t.getInfo().getShape(), values));
                        }
                    }
                }
                return out;
            }
        } catch (OrtException e) {
            StringBuilder given = new StringBuilder();
            shapes.forEach((k, v) -> given.append(given.length() == 0 ? "" : ", ").append("'").append(k).append("' ")
                    .append(Arrays.toString(v)));
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "ONNX Runtime failed on " + file + " with input "
                    + given + ": " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * The process's one ONNX Runtime environment. DJL's OnnxRuntime engine (fcpts bench's latency peer)
     * insists on creating it itself, with its thread pool, and fails once another exists; so it is
     * asked first and this class only reuses what it made.
     */
    static OrtEnvironment environment() {
        ai.djl.engine.Engine.getEngine("OnnxRuntime");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtTempDirectory.deleteOnExit();
        return env;
    }

    private static float[] floats(OnnxTensor t) {
        OnnxJavaType type = t.getInfo().type;
        switch (type) {
            case FLOAT: {
                FloatBuffer b = t.getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                return v;
            }
            case DOUBLE: {
                double[] d = new double[t.getDoubleBuffer().remaining()];
                t.getDoubleBuffer().get(d);
                float[] v = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    v[i] = (float) d[i];
                }
                return v;
            }
            case INT64: {
                long[] l = new long[t.getLongBuffer().remaining()];
                t.getLongBuffer().get(l);
                float[] v = new float[l.length];
                for (int i = 0; i < l.length; i++) {
                    v[i] = l[i];
                }
                return v;
            }
            case INT32: {
                int[] n = new int[t.getIntBuffer().remaining()];
                t.getIntBuffer().get(n);
                float[] v = new float[n.length];
                for (int i = 0; i < n.length; i++) {
                    v[i] = n[i];
                }
                return v;
            }
            default:
                return null;
        }
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("OrtModel " + file + " is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                session.close();
            } catch (OrtException e) {
                throw new FcptsException(ErrorCode.INTERNAL, "closing the ONNX Runtime session of " + file + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
