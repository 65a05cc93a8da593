/*
 * libfcpts_cuda for a build machine without a CUDA compiler: the same C ABI
 * as kde_fused.cu, every kernel entry point answering FCPTS_NOT_COMPILED, so
 * the Java CUDA backend reports "this build has no CUDA kernels" instead of
 * failing to link. Selected by cmake/CMakeLists.txt when check_language(CUDA)
 * finds no compiler.
 */
#include "fcpts/kde_fused_cuda.h"

static int not_compiled(fcpts_status* status) {
    FCPTS_FAIL(status, FCPTS_NOT_COMPILED, -1,
               "libfcpts_cuda was built without a CUDA compiler (CPU-only build)");
}

extern "C" int fcpts_kde_fused_cuda(const float*, const float*, float*, const int64_t*,
                                    const int64_t*, int32_t, int64_t, const float*, const float*,
                                    double*, double*, void*, fcpts_status* status) {
    return not_compiled(status);
}

extern "C" int fcpts_kde_forward_cuda(const float*, const int64_t*, const int64_t*, int32_t,
                                      int64_t, const float*, const float*, double*, double*,
                                      void*, fcpts_status* status) {
    return not_compiled(status);
}

extern "C" const char* fcpts_cuda_build_info(void) {
    return "libfcpts_cuda " FCPTS_VERSION "; CPU-only build (no CUDA compiler found)";
}

extern "C" int32_t fcpts_cuda_compiled(void) { return 0; }
