package io.github.fcpts4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

class BackendsTest {

    private static boolean cudaAvailable() {
        return Backends.provider("cuda").orElseThrow().availability().available();
    }

    @Test
    void bothBackendsAreDiscoveredAndCpuIsAlwaysAvailable() {
        assertEquals(List.of("cpu", "cuda"), Backends.providers().stream().map(BackendProvider::name).toList());
        Availability cpu = Backends.provider("cpu").orElseThrow().availability();
        assertTrue(cpu.available(), cpu.detail());
        assertTrue(cpu.detail().contains("OpenMP threads"), cpu.detail());
        assertTrue(Backends.provider("cpu").orElseThrow().nativeLibraryInfo().startsWith("libfcpts_cpu "));
    }

    @Test
    void concreteRequestsWinOverTheOverrides() {
        assertEquals("cpu", Backends.resolve("cpu", "cuda", Map.of(Backends.ENVIRONMENT, "cuda")));
        assertEquals("cuda", Backends.resolve("CUDA", "cpu", Map.of()));
    }

    @Test
    void autoIsOverriddenByThePropertyThenTheEnvironment() {
        assertEquals("cpu", Backends.resolve("auto", "cpu", Map.of(Backends.ENVIRONMENT, "cuda")));
        assertEquals("cuda", Backends.resolve(null, null, Map.of(Backends.ENVIRONMENT, "cuda")));
        assertEquals("cpu", Backends.resolve(" ", "", Map.of(Backends.ENVIRONMENT, "cpu")));
    }

    @Test
    void plainAutoPicksCudaOnlyWhenItIsAvailable() {
        assertEquals(cudaAvailable() ? "cuda" : "cpu", Backends.resolve("auto", null, Map.of()));
    }

    @Test
    void unknownBackendNamesTheSourceAndTheChoices() {
        FcptsException e = assertThrows(FcptsException.class,
                () -> Backends.resolve("auto", null, Map.of(Backends.ENVIRONMENT, "tpu")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains(Backends.ENVIRONMENT)
                && e.getMessage().contains("cpu, cuda"), e.getMessage());
    }

    @Test
    void cudaProbeAnswersWithoutThrowingAndOpeningItWithoutADeviceIsATypedError() {
        BackendProvider cuda = Backends.provider("cuda").orElseThrow();
        Availability a = cuda.availability();
        assertFalse(a.detail().isBlank());
        if (!a.available()) {
            FcptsException e = assertThrows(FcptsException.class,
                    () -> Backends.openResolved("cuda", BackendOptions.defaults()));
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code());
            assertTrue(e.getMessage().contains(a.detail()), e.getMessage());
        }
    }

    /** The CPU path never loads the presets' CUDA libraries (they need the NVIDIA driver). */
    @Test
    void cpuPathLoadsNoCudaPresetLibrary() {
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            cpu.allocate(4).close();
        }
        if (!cudaAvailable()) {
            Backends.provider("cuda").orElseThrow().availability();
            assertTrue(Loader.getLoadedLibraries().keySet().stream().noneMatch(name -> name.contains("cudart")),
                    "loaded: " + Loader.getLoadedLibraries().keySet());
        }
    }

    @Test
    void backendOptionsRejectNegativeValues() {
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FcptsException.class, () -> new BackendOptions(-1, 0, false)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FcptsException.class, () -> new BackendOptions(0, -2, false)).code());
    }
}
