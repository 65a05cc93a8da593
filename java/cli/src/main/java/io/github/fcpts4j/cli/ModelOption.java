package io.github.fcpts4j.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** Mixin: the one required {@code --model} of eval, export and inspect. */
final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "ONNX model file")
    Path model;
}
