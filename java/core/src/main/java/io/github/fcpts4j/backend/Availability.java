package io.github.fcpts4j.backend;

import java.util.Objects;

/**
 * Answer of a backend probe: available or not, and one line saying why
 * (device name and build when available; the missing piece when not).
 */
public record Availability(boolean available, String detail) {

    public Availability {
        Objects.requireNonNull(detail, "detail");
    }

    public static Availability yes(String detail) {
        return new Availability(true, detail);
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
