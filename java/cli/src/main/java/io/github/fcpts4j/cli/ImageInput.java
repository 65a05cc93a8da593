package io.github.fcpts4j.cli;

import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.Preprocessing;
import io.github.fcpts4j.eval.OrtModel;

import java.util.Arrays;

/**
 * The input a command feeds images to, as ONNX Runtime declares it (first input), with
 * {@code --input-shape} applied; and data specs opened for it with the preprocessing flags resolved
 * against its shape (layout inferred, sizes checked).
 */
record ImageInput(String name, long[] shape) {

    static ImageInput of(OrtModel model, InputShapeOption shapes) {
        shapes.checkNames(model.file(), model.inputs().keySet());
        String name = model.imageInput();
        return new ImageInput(name, shapes.apply(name, model.inputs().get(name)));
    }

    /** The preprocessing for {@code spec} fitted to this input (image folders), or as given (IDX data). */
    Preprocessing preprocessing(String spec, PreprocessOptions flags) {
        Preprocessing p = flags.forSpec(spec);
        return DataSpec.parse(spec).kind().images() ? p.resolve(name, shape) : p;
    }

    LabeledImages open(String spec, DataSpec.Role role, PreprocessOptions flags) {
        return DataSpec.open(spec, role, preprocessing(spec, flags));
    }

    @Override
    public String toString() {
        return "input '" + name + "' " + Arrays.toString(shape);
    }
}
