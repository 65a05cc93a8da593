package io.github.fcpts4j.backend;

/**
 * Service-provider interface through which {@link Backends} discovers backends
 * ({@code META-INF/services/io.github.fcpts4j.backend.BackendProvider}).
 * {@link #availability()} must never throw and must not load anything that
 * needs hardware the machine lacks.
 */
public interface BackendProvider {

    /** The name the backend is selected by, e.g. {@code "cpu"}. */
    String name();

    /** Whether {@link #create} can succeed here, and if not, why. Never throws. */
    Availability availability();

    /**
     * The build of the native library behind this backend (version, compiler,
     * architectures), or why it cannot be loaded. Loads nothing that needs a
     * device, never throws.
     */
    String nativeLibraryInfo();

    /** Opens the backend; throws {@code FcptsException(BACKEND_UNAVAILABLE)} when it is not available. */
    Backend create(BackendOptions options);
}
