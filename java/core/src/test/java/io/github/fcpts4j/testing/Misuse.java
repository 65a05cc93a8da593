package io.github.fcpts4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

/**
 * One row of a misuse table: what a caller does wrong, the {@link ErrorCode} it must fail with, and a text the
 * message must contain (the argument, key, value or file at fault). {@link #check} asserts all three.
 */
public record Misuse(String name, Action action, ErrorCode code, String expected) {
    /** The misuse itself. */
    public interface Action {
        void run() throws Exception;
    }

    public static Misuse of(String name, ErrorCode code, String expected, Action action) {
        return new Misuse(name, action, code, expected);
    }

    /** The action throws an {@link FcptsException} with this code and a message holding {@link #expected}. */
    public void check() {
        FcptsException e = assertThrows(FcptsException.class, action::run, name);
        assertEquals(code, e.code(), name + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(expected), name + ": '" + e.getMessage() + "' should contain '"
                + expected + "'");
    }

    @Override
    public String toString() {
        return name;
    }
}
