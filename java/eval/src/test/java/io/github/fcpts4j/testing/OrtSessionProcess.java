package io.github.fcpts4j.testing;

import io.github.fcpts4j.eval.OrtModel;

import java.nio.file.Path;

/** A process that opens {@code args[0]} in ONNX Runtime, says "opened" and exits as the CLI does. */
public final class OrtSessionProcess {
    private OrtSessionProcess() {
    }

    public static void main(String[] args) {
        try (OrtModel m = OrtModel.open(Path.of(args[0]))) {
            System.out.println("opened " + m.inputs().keySet());
        }
        System.exit(0);
    }
}
