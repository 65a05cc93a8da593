/**
 * Internal: ONNX import (shape-subgraph folding, fusions, fp16 weights) and export (dense and sparse-initializer
 * files). Not part of the public API.
 */
package io.github.fcpts4j.onnx;
