package io.github.fcpts4j;

import java.util.Objects;

/**
 * The one exception type of fcpts4j: a typed {@link ErrorCode} plus a message
 * that names the file, layer, parameter or native call at fault and what was
 * expected. Native failures add the library's own error name and code and the
 * native call site (see {@link #libraryErrorName()}).
 */
public class FcptsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String libraryErrorName;
    private final int libraryErrorCode;
    private final String callSite;

    public FcptsException(ErrorCode code, String message) {
        this(code, message, "", 0, "", null);
    }

    public FcptsException(ErrorCode code, String message, Throwable cause) {
        this(code, message, "", 0, "", cause);
    }

    /**
     * @param libraryErrorName e.g. {@code cudaErrorMemoryAllocation}; empty when no library error applies
     * @param libraryErrorCode the library's numeric error code, 0 when none
     * @param callSite         where the failure was detected, e.g. {@code kde_fused.cu:171}; empty if unknown
     */
    public FcptsException(ErrorCode code, String message, String libraryErrorName, int libraryErrorCode,
                          String callSite, Throwable cause) {
        super(format(code, message, libraryErrorName, libraryErrorCode, callSite), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.libraryErrorName = libraryErrorName == null ? "" : libraryErrorName;
        this.libraryErrorCode = libraryErrorCode;
        this.callSite = callSite == null ? "" : callSite;
    }

    /**
     * The public API's null check: {@code value}, or {@link ErrorCode#INVALID_ARGUMENT} naming the argument.
     *
     * @param argument how the caller knows the argument, e.g. {@code "model"} or {@code "inputs"}
     */
    public static <T> T requireNonNull(T value, String argument) {
        if (value == null) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, argument + " is null");
        }
        return value;
    }

    public ErrorCode code() {
        return code;
    }

    /** The failing library's error name ({@code cudaErrorInvalidValue}, ...), or "" when none applies. */
    public String libraryErrorName() {
        return libraryErrorName;
    }

    public int libraryErrorCode() {
        return libraryErrorCode;
    }

    /** Native file:line (or Java operation) where the failure was detected, or "". */
    public String callSite() {
        return callSite;
    }

    private static String format(ErrorCode code, String message, String libName, int libCode, String site) {
        StringBuilder sb = new StringBuilder().append(code).append(": ").append(message);
        if (libName != null && !libName.isEmpty()) {
            sb.append(" [").append(libName).append(" (").append(libCode).append(")]");
        }
        if (site != null && !site.isEmpty()) {
            sb.append(" at ").append(site);
        }
        return sb.toString();
    }
}
