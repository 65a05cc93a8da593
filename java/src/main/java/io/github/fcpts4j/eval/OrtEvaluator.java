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
import io.github.fcpts4j.data.LabeledImages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scores a classifier ONNX file with ONNX Runtime through DJL, independently
 * of fcpts4j's own engine: top-1 and top-5 accuracy over a labelled image set
 * fed as [batch, channels, rows, cols] floats as the set prepares them (IDX sets
 * give [0, 1] pixels; the shipped models normalize inside the graph).
 */
public final class OrtEvaluator {

    /** Accuracy over {@code samples} images. */
    public record Accuracy(int samples, double top1, double top5) {
    }

    private OrtEvaluator() {
    }

    public static Accuracy evaluate(Path model, LabeledImages data, int batch) {
        if (!Files.isRegularFile(model)) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "model file " + model + " does not exist");
        }
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(model).optEngine("OnnxRuntime").build();
        int pixels = data.channels() * data.rows() * data.cols();
        int top1 = 0, top5 = 0;
        try (ZooModel<NDList, NDList> loaded = criteria.loadModel();
             Predictor<NDList, NDList> predictor = loaded.newPredictor();
             NDManager manager = NDManager.newBaseManager("OnnxRuntime")) {
            for (int start = 0; start < data.size(); start += batch) {
                int b = Math.min(batch, data.size() - start);
                float[] images = new float[b * pixels];
                int[] labels = new int[b];
                for (int i = 0; i < b; i++) {
                    labels[i] = data.read(start + i, images, i * pixels);
                }
                float[] logits = predictor.predict(new NDList(manager.create(images,
                        new Shape(b, data.channels(), data.rows(), data.cols())))).get(0).toFloatArray();
                int classes = logits.length / b;
                for (int i = 0; i < b; i++) {
                    int rank = rankOfLabel(logits, i * classes, classes, labels[i]);
                    top1 += rank == 0 ? 1 : 0;
                    top5 += rank < 5 ? 1 : 0;
                }
            }
        } catch (ModelNotFoundException | MalformedModelException | IOException e) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, "ONNX Runtime cannot load " + model + ": "
                    + e.getMessage(), e);
        } catch (TranslateException e) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, "ONNX Runtime failed on " + model + " with input [N, "
                    + data.channels() + ", " + data.rows() + ", " + data.cols() + "]: " + e.getMessage(), e);
        }
        return new Accuracy(data.size(), (double) top1 / data.size(), (double) top5 / data.size());
    }

    /** How many classes score strictly higher than the label (0 = top-1 hit). */
    private static int rankOfLabel(float[] logits, int offset, int classes, int label) {
        int higher = 0;
        for (int k = 0; k < classes; k++) {
            higher += logits[offset + k] > logits[offset + label] ? 1 : 0;
        }
        return higher;
    }
}
