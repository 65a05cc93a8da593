package io.github.fcpts4j.backend;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Discovery and selection of backends.
 *
 * <p>Requests are {@code auto}, {@code cpu} or {@code cuda}. A concrete request
 * ({@code cpu}, {@code cuda}) made in code or on the command line is honoured
 * as given. {@code auto} (or no request) can be overridden without touching
 * code by the system property {@value #PROPERTY}, then the environment variable
 * {@value #ENVIRONMENT}; what remains {@code auto} picks {@code cuda} when it is
 * available and {@code cpu} otherwise.
 */
public final class Backends {
    public static final String PROPERTY = "fcpts.backend";
    public static final String ENVIRONMENT = "FCPTS_BACKEND";
    public static final String AUTO = "auto";

    private Backends() {
    }

    /** Every backend on the class path, by name, whether available or not. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparing(BackendProvider::name));
        return List.copyOf(list);
    }

    /** The provider called {@code name}, if one is on the class path. */
    public static Optional<BackendProvider> provider(String name) {
        return providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Resolves a request against the overrides (see class comment) to a
     * concrete backend name, without opening anything.
     *
     * @param request  "auto", "cpu", "cuda" or null (= auto)
     * @param property value of {@value #PROPERTY}, or null
     * @param env      the environment (only {@value #ENVIRONMENT} is read)
     */
    public static String resolve(String request, String property, Map<String, String> env) {
        String source = "request";
        String chosen = normalize(request);
        if (chosen.equals(AUTO) && property != null && !property.isBlank()) {
            chosen = normalize(property);
            source = "system property " + PROPERTY;
        }
        if (chosen.equals(AUTO)) {
            String fromEnv = env.get(ENVIRONMENT);
            if (fromEnv != null && !fromEnv.isBlank()) {
                chosen = normalize(fromEnv);
                source = "environment variable " + ENVIRONMENT;
            }
        }
        if (chosen.equals(AUTO)) {
            return provider("cuda").filter(p -> p.availability().available()).isPresent() ? "cuda" : "cpu";
        }
        if (provider(chosen).isEmpty()) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "unknown backend '" + chosen + "' (from "
                    + source + "): expected auto, " + String.join(", ", names()));
        }
        return chosen;
    }

    /** Opens the backend for {@code request} with the process's system property and environment as overrides. */
    public static Backend open(String request, BackendOptions options) {
        FcptsException.requireNonNull(request, "request");
        FcptsException.requireNonNull(options, "options");
        return openResolved(resolve(request, System.getProperty(PROPERTY), System.getenv()), options);
    }

    /** Opens the backend called {@code name} (no overrides applied). */
    public static Backend openResolved(String name, BackendOptions options) {
        FcptsException.requireNonNull(name, "name");
        FcptsException.requireNonNull(options, "options");
        BackendProvider provider = provider(name).orElseThrow(() -> new FcptsException(
                ErrorCode.INVALID_ARGUMENT, "unknown backend '" + name + "': expected " + String.join(", ", names())));
        Availability availability = provider.availability();
        if (!availability.available()) {
            throw new FcptsException(ErrorCode.BACKEND_UNAVAILABLE,
                    "backend '" + name + "' is not available: " + availability.detail());
        }
        return provider.create(options);
    }

    private static List<String> names() {
        return providers().stream().map(BackendProvider::name).toList();
    }

    private static String normalize(String value) {
        return value == null || value.isBlank() ? AUTO : value.trim().toLowerCase(Locale.ROOT);
    }
}
