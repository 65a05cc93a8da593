/**
 * Independent scoring with ONNX Runtime (its Java API, through DJL's engine for latency): accuracy
 * ({@link io.github.fcpts4j.eval.OrtEvaluator}), fidelity to a reference ({@link io.github.fcpts4j.eval.Fidelity}),
 * latency, and {@link io.github.fcpts4j.eval.EngineCheck} (our engine against ONNX Runtime). Public API.
 */
package io.github.fcpts4j.eval;
