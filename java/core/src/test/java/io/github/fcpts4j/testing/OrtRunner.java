package io.github.fcpts4j.testing;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs an ONNX file with ONNX Runtime through DJL's OnnxRuntime engine: the independent reference. */
public final class OrtRunner {
    private OrtRunner() {
    }

    /** One output of a run: its shape and values. */
    public record Output(long[] shape, float[] values) {
    }

    public static List<Output> run(Path model, float[] input, long... shape) throws Exception {
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(model).optEngine("OnnxRuntime").build();
        try (ZooModel<NDList, NDList> loaded = criteria.loadModel();
             Predictor<NDList, NDList> predictor = loaded.newPredictor();
             NDManager manager = NDManager.newBaseManager("OnnxRuntime")) {
            NDList result = predictor.predict(new NDList(manager.create(input, new Shape(shape))));
            List<Output> outputs = new ArrayList<>();
            for (NDArray array : result) {
                outputs.add(new Output(array.getShape().getShape(), array.toFloatArray()));
            }
            return outputs;
        }
    }
}
