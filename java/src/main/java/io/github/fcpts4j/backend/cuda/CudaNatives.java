package io.github.fcpts4j.backend.cuda;

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
 * JNI bindings of libfcpts_cuda (native/include/fcpts/kde_fused_cuda.h). The
 * library links libcudart.so.13 dynamically, so it shares the CUDA runtime and
 * context with the org.bytedeco CUDA presets; {@link CudaKernels} loads the
 * presets' cudart first and is the only caller of this class. Never loaded on
 * the CPU path.
 */
@Platform(include = {"fcpts/status.h", "fcpts/kde_fused_cuda.h"}, link = "fcpts_cuda")
final class CudaNatives {
    static {
        Loader.load();
    }

    private CudaNatives() {
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

    static native int fcpts_kde_chunk_bases(@Cast("const int64_t*") LongPointer segOffsets, int nSeg,
                                            @Cast("int64_t*") LongPointer chunkBases,
                                            @Cast("int64_t*") LongPointer nChunks, Status status);

    static native int fcpts_kde_fused_cuda(@Const FloatPointer w, @Const FloatPointer g, FloatPointer gw,
                                           @Cast("const int64_t*") LongPointer segOffsets,
                                           @Cast("const int64_t*") LongPointer chunkBases, int nSeg,
                                           @Cast("int64_t") long nChunks, @Const FloatPointer thresholds,
                                           @Const FloatPointer invBandwidths, DoublePointer partials,
                                           DoublePointer stats, Pointer stream, Status status);

    static native int fcpts_kde_forward_cuda(@Const FloatPointer w, @Cast("const int64_t*") LongPointer segOffsets,
                                             @Cast("const int64_t*") LongPointer chunkBases, int nSeg,
                                             @Cast("int64_t") long nChunks, @Const FloatPointer thresholds,
                                             @Const FloatPointer invBandwidths, DoublePointer partials,
                                             DoublePointer stats, Pointer stream, Status status);

    static native @Cast("const char*") BytePointer fcpts_cuda_build_info();

    static native int fcpts_cuda_compiled();
}
