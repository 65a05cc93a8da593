package io.github.fcpts4j.backend.cpu;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI bindings of libfcpts_cpu (native/include/fcpts/kde_fused.h), generated
 * by JavaCPP at build time. The only class that touches the library; callers
 * go through {@link CpuKernels}. Loading it first preloads oneDNN and the
 * GNU OpenMP runtime it was built with from the org.bytedeco:dnnl native jar
 * (the same libgomp.so.1 then serves libfcpts_cpu). The dnnl Java presets are
 * not used: they inherit the OpenCL presets, which need an OpenCL driver.
 */
@Platform(include = {"fcpts/status.h", "fcpts/kde_fused.h"}, link = "fcpts_cpu",
        preload = {"gomp@.1", "dnnl@.3"}, preloadresource = "/org/bytedeco/dnnl/")
final class CpuNatives {
    static {
        Loader.load();
    }

    private CpuNatives() {
    }

    /** fcpts_status: the error record filled on failure (see status.h). */
    @Name("fcpts_status")
    static final class Status extends Pointer {
        static {
            Loader.load();
        }

        Status() {
            allocate();
        }

        private native void allocate();

        @MemberGetter native int code();

        @MemberGetter native int library_code();

        @MemberGetter @Cast("int64_t") native long index();

        @MemberGetter native int line();

        @MemberGetter native @Cast("char*") BytePointer library_name();

        @MemberGetter native @Cast("char*") BytePointer file();

        @MemberGetter native @Cast("char*") BytePointer message();
    }

    static native int fcpts_kde_fused_cpu(@Const FloatPointer w, @Const FloatPointer g, FloatPointer gw,
                                          @Cast("const int64_t*") LongPointer segOffsets, int nSeg,
                                          @Const FloatPointer thresholds, @Const FloatPointer invBandwidths,
                                          DoublePointer stats, int nThreads, Status status);

    static native int fcpts_kde_forward_cpu(@Const FloatPointer w, @Cast("const int64_t*") LongPointer segOffsets,
                                            int nSeg, @Const FloatPointer thresholds,
                                            @Const FloatPointer invBandwidths, DoublePointer stats, int nThreads,
                                            Status status);

    static native int fcpts_parallel_copy_cpu(@Const Pointer src, Pointer dst, @Cast("int64_t") long nBytes,
                                              int nThreads, Status status);

    static native int fcpts_cpu_default_threads();

    static native @Cast("const char*") BytePointer fcpts_cpu_build_info();
}
