package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * An index map on the CPU (see {@link NetworkKernels.IndexMapPlan}), a native plan built once
 * (native/src/index_map_ops_cpu.cpp, C ABI fcpts_index_map* of native/include/fcpts/ops_cpu.h): the plan
 * copies the map, builds its transpose for the backward and, for MAX, keeps the winning tap of every output of
 * the last forward. A map the native check rejects (row pointers decreasing or not ending at cols.length, a
 * column outside [0, inSize), a size of 0) is an FcptsException with INVALID_ARGUMENT naming the offender.
 * Owns its native memory: close it (idempotent); use after close throws IllegalStateException.
 */
public final class CpuIndexMapPlan implements NetworkKernels.IndexMapPlan {
    /** enum fcpts_index_map_mode of native/include/fcpts/index_map_math.h. */
    private static final int MODE_SUM = 0, MODE_MAX = 1;
    private final long inElements, outElements;
    private final CpuNatives.Status status = new CpuNatives.Status();
    private CpuNatives.IndexMapHandle handle;

    /** Arguments as {@link NetworkKernels#indexMap}; threads for the OpenMP loops. */
    public CpuIndexMapPlan(long outer, long inSize, long outSize, int[] rowPtr, int[] cols, float[] weights,
                           float fill, boolean max, int threads) {
        NetworkKernels.checkIndexMap(outer, inSize, outSize, rowPtr, cols, weights);
        this.inElements = outer * inSize;
        this.outElements = outer * outSize;
        CpuNatives.IndexMapHandle h = new CpuNatives.IndexMapHandle();
        try (IntPointer rp = new IntPointer(rowPtr);
             IntPointer c = new IntPointer(Math.max(1, cols.length)).put(cols);
             FloatPointer w = weights == null ? null : new FloatPointer(Math.max(1, weights.length)).put(weights)) {
            CpuKernels.check(CpuNatives.fcpts_index_map_create(outer, inSize, outSize, rp, c, w, cols.length, fill,
                    max ? MODE_MAX : MODE_SUM, threads, h, status), status, "fcpts_index_map_create");
        } catch (RuntimeException e) {
            status.close();
            throw e;
        }
        this.handle = h;
    }

    private CpuNatives.IndexMapHandle live() {
        if (handle == null) {
            throw new IllegalStateException("index map plan used after close()");
        }
        return handle;
    }

    private static FloatPointer host(Tensor t, long elements, String what) {
        if (t.size() != elements) {
            throw new IllegalArgumentException("index map " + what + ": " + t + " is not " + elements + " elements");
        }
        return t.storage(CpuStorage.class).pointer();
    }

    @Override
    public void forward(Tensor x, Tensor y) {
        CpuNatives.IndexMapHandle h = live();
        CpuKernels.check(CpuNatives.fcpts_index_map_forward(h, host(x, inElements, "x"), host(y, outElements, "y"),
                status), status, "fcpts_index_map_forward");
    }

    @Override
    public void backward(Tensor dy, Tensor dx) {
        CpuNatives.IndexMapHandle h = live();
        CpuKernels.check(CpuNatives.fcpts_index_map_backward(h, host(dy, outElements, "dy"),
                host(dx, inElements, "dx"), status), status, "fcpts_index_map_backward");
    }

    @Override
    public void close() {
        CpuNatives.IndexMapHandle h = handle;
        handle = null;
        if (h != null) {
            CpuNatives.fcpts_index_map_destroy(h);
            status.close();
        }
    }
}
