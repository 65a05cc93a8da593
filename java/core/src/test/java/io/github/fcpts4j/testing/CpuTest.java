package io.github.fcpts4j.testing;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of tests that run on a fresh cpu backend, opened before and closed after each test. */
public abstract class CpuTest {
    protected Backend cpu;

    @BeforeEach
    void openCpu() {
        cpu = Backends.openResolved("cpu", BackendOptions.defaults());
    }

    @AfterEach
    void closeCpu() {
        cpu.close();
    }
}
