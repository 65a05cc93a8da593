package io.github.fcpts4j.backend.cuda;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Availability;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.BackendProvider;

/**
 * Registers the {@code cuda} backend. Available only when the org.bytedeco CUDA presets are on the classpath
 * (an optional dependency of fcpts4j-core), and the NVIDIA driver, a device and a libfcpts_cuda built with nvcc
 * are all present; otherwise {@link #availability()} says which is missing, without throwing. Nothing that
 * links the presets' classes is loaded before they are found.
 */
public final class CudaBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cuda";
    }

    /** The class whose absence means the presets' jars are not on the classpath. */
    private static final String PRESETS_CLASS = "org.bytedeco.cuda.global.cudart";

    @Override
    public Availability availability() {
        return probe(0);
    }

    @Override
    public String nativeLibraryInfo() {
        return presetsPresent() ? CudaKernels.libraryInfo() : PRESETS_MISSING;
    }

    @Override
    public Backend create(BackendOptions options) {
        Availability availability = probe(options.cudaDevice());
        if (!availability.available()) {
            throw new FcptsException(ErrorCode.BACKEND_UNAVAILABLE, "cuda: " + availability.detail());
        }
        return new CudaBackend(options.cudaDevice(), options.allowTf32(), availability.detail());
    }

    static final String PRESETS_MISSING = "the org.bytedeco CUDA presets are not on the classpath: the cuda backend "
            + "needs org.bytedeco:cuda and its linux-x86_64 jar (an optional dependency of fcpts4j-core)";

    private static Availability probe(int device) {
        return presetsPresent() ? CudaKernels.probe(device) : Availability.no(PRESETS_MISSING);
    }

    private static boolean presetsPresent() {
        try {
            Class.forName(PRESETS_CLASS, false, CudaBackendProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
