package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Availability;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.BackendProvider;

/** Registers the {@code cpu} backend; available wherever libfcpts_cpu loads. */
public final class CpuBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Availability availability() {
        String failure = CpuKernels.loadFailure();
        return failure == null
                ? Availability.yes("host CPU, " + CpuKernels.defaultThreads() + " OpenMP threads by default")
                : Availability.no(failure);
    }

    @Override
    public String nativeLibraryInfo() {
        String failure = CpuKernels.loadFailure();
        return failure == null ? CpuKernels.buildInfo() : failure;
    }

    @Override
    public Backend create(BackendOptions options) {
        String failure = CpuKernels.loadFailure();
        if (failure != null) {
            throw new FcptsException(ErrorCode.NATIVE_LOAD_FAILED, failure);
        }
        return new CpuBackend(options.cpuThreads());
    }
}
