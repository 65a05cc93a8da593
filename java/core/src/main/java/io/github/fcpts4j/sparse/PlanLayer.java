package io.github.fcpts4j.sparse;

import io.github.fcpts4j.engine.LayerOverride;

/** A {@link ConvChain}'s dense or sparse implementation inside a {@link SparsePlan}: it owns native plans. */
interface PlanLayer extends LayerOverride, AutoCloseable {
    @Override
    void close();
}
