package io.github.fcpts4j.testing;

import io.github.fcpts4j.backend.Availability;
import io.github.fcpts4j.backend.Backends;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the annotated test class only where the cuda backend is available;
 * elsewhere every test is reported as skipped with the probe's reason (for
 * example "no NVIDIA driver on this machine").
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresCuda.Condition.class)
public @interface RequiresCuda {

    /** The condition behind {@link RequiresCuda}. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Availability a = Backends.provider("cuda").map(p -> p.availability())
                    .orElse(Availability.no("no cuda backend on the class path"));
            return a.available()
                    ? ConditionEvaluationResult.enabled("cuda: " + a.detail())
                    : ConditionEvaluationResult.disabled("cuda backend not available here: " + a.detail());
        }
    }
}
