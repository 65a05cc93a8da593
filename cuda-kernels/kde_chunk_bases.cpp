/*
 * Host side of the GPU work decomposition (fcpts/kde_fused_cuda.h):
 *   chunk_bases[0] = 0,  chunk_bases[l+1] = chunk_bases[l] + ceil(N_l / FCPTS_KDE_CHUNK).
 * Built once per segment layout by the Java CUDA backend and uploaded with it.
 * Compiled into libfcpts_cuda in both the CUDA and the CPU-only (stub) build.
 */
#include "fcpts/kde_fused_cuda.h"

extern "C" int fcpts_kde_chunk_bases(const int64_t* seg_offsets, int32_t n_seg,
                                     int64_t* chunk_bases, int64_t* n_chunks,
                                     fcpts_status* status) {
    fcpts_status_clear(status);
    FCPTS_REQUIRE(status, n_seg >= 0, -1, "n_seg must be >= 0, got %d", n_seg);
    FCPTS_REQUIRE(status, seg_offsets && chunk_bases && n_chunks, -1, "NULL argument");
    FCPTS_REQUIRE(status, seg_offsets[0] == 0, 0, "seg_offsets[0] must be 0");
    chunk_bases[0] = 0;
    for (int32_t l = 0; l < n_seg; ++l) {
        const int64_t len = seg_offsets[l + 1] - seg_offsets[l];
        FCPTS_REQUIRE(status, len >= 0, l, "segment %d: seg_offsets must be non-decreasing", l);
        chunk_bases[l + 1] = chunk_bases[l] + (len + FCPTS_KDE_CHUNK - 1) / FCPTS_KDE_CHUNK;
    }
    *n_chunks = chunk_bases[n_seg];
    return FCPTS_OK;
}
