package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.NativeFailure;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * The status check every caller of {@link CpuNatives} goes through
 * ({@link #check}: a failure becomes an {@link FcptsException} carrying the
 * native code, message and call site), the KDE and copy calls, and the lazy,
 * failure-tolerant loader used by the provider's availability probe. The
 * network operators and plans (CpuNetworkKernels, CpuSparseConvPlan,
 * CpuSparseLinearPlan) call their natives directly and check them here.
 */
final class CpuKernels {
    private CpuKernels() {
    }

    /** Loads libfcpts_cpu; returns null on success or the reason it failed. */
    static String loadFailure() {
        try {
            CpuNatives.fcpts_cpu_default_threads();
            return null;
        } catch (LinkageError | RuntimeException e) {
            return "libfcpts_cpu could not be loaded: " + e;
        }
    }

    static int defaultThreads() {
        return CpuNatives.fcpts_cpu_default_threads();
    }

    /** How many native plans libfcpts_cpu holds now (its fcpts_cpu_live_plans): the leak tests' counter. */
    static long livePlans() {
        return CpuNatives.fcpts_cpu_live_plans();
    }

    static String buildInfo() {
        return CpuNatives.fcpts_cpu_build_info().getString();
    }

    static void kdeFused(FloatPointer w, FloatPointer g, FloatPointer gw, LongPointer offsets, int segments,
                         FloatPointer thresholds, FloatPointer invBandwidths, DoublePointer stats, int threads,
                         CpuNatives.Status status) {
        check(CpuNatives.fcpts_kde_fused_cpu(w, g, gw, offsets, segments, thresholds, invBandwidths, stats,
                threads, status), status, "fcpts_kde_fused_cpu");
    }

    static void kdeForward(FloatPointer w, LongPointer offsets, int segments, FloatPointer thresholds,
                           FloatPointer invBandwidths, DoublePointer stats, int threads, CpuNatives.Status status) {
        check(CpuNatives.fcpts_kde_forward_cpu(w, offsets, segments, thresholds, invBandwidths, stats, threads,
                status), status, "fcpts_kde_forward_cpu");
    }

    /** Throws the typed exception for a non-zero native status. */
    static void check(int rc, CpuNatives.Status status, String function) {
        if (rc != 0) {
            throw NativeFailure.of(rc, function, status.message().getString(), status.index(),
                    status.library_name().getString(), status.library_code(), status.file().getString(),
                    status.line());
        }
    }
}
