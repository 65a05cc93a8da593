package io.github.fcpts4j.backend.cuda;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Availability;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.BackendProvider;

/**
 * Registers the {@code cuda} backend. Available only when the NVIDIA driver,
 * a device and a libfcpts_cuda built with nvcc are all present; otherwise
 * {@link #availability()} says which is missing, without throwing.
 */
public final class CudaBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Availability availability() {
        return CudaKernels.probe(0);
    }

    @Override
    public String nativeLibraryInfo() {
        return CudaKernels.libraryInfo();
    }

    @Override
    public Backend create(BackendOptions options) {
        Availability availability = CudaKernels.probe(options.cudaDevice());
        if (!availability.available()) {
            throw new FcptsException(ErrorCode.BACKEND_UNAVAILABLE, "cuda: " + availability.detail());
        }
        return new CudaBackend(options.cudaDevice(), options.allowTf32(), availability.detail());
    }
}
