package io.github.fcpts4j.engine;

import java.util.List;
import java.util.Objects;

/**
 * Parameters updated with the same settings: their names (graph initializers),
 * L2 weight decay, and a factor on the schedule's learning rate.
 */
public record ParameterGroup(String name, List<String> parameters, float weightDecay, float learningRateScale) {

    public ParameterGroup {
        Objects.requireNonNull(name, "name");
        parameters = List.copyOf(parameters);
        if (!(weightDecay >= 0) || !(learningRateScale >= 0)) {
            throw new IllegalArgumentException("group '" + name + "': weight decay and learning-rate scale must be >= 0");
        }
    }
}
