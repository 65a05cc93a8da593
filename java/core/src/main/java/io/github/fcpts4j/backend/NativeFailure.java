package io.github.fcpts4j.backend;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

/**
 * Turns the fields of a native {@code fcpts_status} record (status.h) into the
 * typed exception; shared by the wrappers of both native libraries so that a
 * failure reads the same whichever library reported it.
 */
public final class NativeFailure {
    private NativeFailure() {
    }

    /**
     * @param rc       the non-zero status the native function returned
     * @param function the native function called, e.g. {@code fcpts_kde_fused_cpu}
     */
    public static FcptsException of(int rc, String function, String message, long index, String libraryName,
                                    int libraryCode, String file, int line) {
        String where = file == null || file.isEmpty() ? function : file + ":" + line;
        return new FcptsException(ErrorCode.fromNative(rc), function + ": " + message
                + (index >= 0 ? " (index " + index + ")" : ""), libraryName, libraryCode, where, null);
    }
}
