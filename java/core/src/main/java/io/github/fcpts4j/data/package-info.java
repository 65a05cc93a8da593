/**
 * Calibration and evaluation data: data specs ({@link io.github.fcpts4j.data.DataSpec}: image folders, IDX sets,
 * the embedded Fashion-MNIST slice), image {@link io.github.fcpts4j.data.Preprocessing}, caller-supplied samples
 * ({@link io.github.fcpts4j.data.SampleList}). Public API.
 */
package io.github.fcpts4j.data;
