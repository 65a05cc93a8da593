/**
 * Internal: the op registry, one {@link io.github.fcpts4j.ir.ops.OpDefinition} per ONNX op with its shape rule,
 * lowering and traits. Not part of the public API.
 */
package io.github.fcpts4j.ir.ops;
