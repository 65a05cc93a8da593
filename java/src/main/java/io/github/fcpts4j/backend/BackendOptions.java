package io.github.fcpts4j.backend;

/**
 * Configuration handed to a backend when it is opened.
 *
 * @param cpuThreads  OpenMP threads of the CPU backend; 0 means the runtime default (all cores)
 * @param cudaDevice  CUDA device ordinal for the cuda backend
 */
public record BackendOptions(int cpuThreads, int cudaDevice) {

    public BackendOptions {
        if (cpuThreads < 0) {
            throw new IllegalArgumentException("cpuThreads must be >= 0 (0 = all cores), got " + cpuThreads);
        }
        if (cudaDevice < 0) {
            throw new IllegalArgumentException("cudaDevice must be >= 0, got " + cudaDevice);
        }
    }

    public static BackendOptions defaults() {
        return new BackendOptions(0, 0);
    }

    public BackendOptions withCpuThreads(int threads) {
        return new BackendOptions(threads, cudaDevice);
    }
}
