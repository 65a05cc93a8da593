package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.TensorStorage;

import org.bytedeco.javacpp.FloatPointer;

/** Off-heap host memory (zero-filled) behind a cpu tensor; native kernels read it in place. */
final class CpuStorage extends TensorStorage {
    private FloatPointer data;
    /**
     * A view of {@code data} (not owning it) whose position the host copies move, so that a copy allocates no
     * pointer object (getPointer makes one per call); guarded by itself.
     */
    private FloatPointer copyView;

    CpuStorage(long elements) {
        try {
            data = new FloatPointer(Math.max(1, elements));
        } catch (OutOfMemoryError e) {
            throw new FcptsException(ErrorCode.OUT_OF_MEMORY, "cpu: cannot allocate " + elements * 4L
                    + " bytes for a tensor of " + elements + " floats", e);
        }
        data.zero();
        copyView = new FloatPointer(data);
    }

    FloatPointer pointer() {
        return data;
    }

    @Override
    protected void write(float[] src, int srcOffset, long dstIndex, int count) {
        FloatPointer v = copyView;
        synchronized (v) {
            v.position(dstIndex).put(src, srcOffset, count);
        }
    }

    @Override
    protected void read(long srcIndex, float[] dst, int dstOffset, int count) {
        FloatPointer v = copyView;
        synchronized (v) {
            v.position(srcIndex).get(dst, dstOffset, count);
        }
    }

    @Override
    public void close() {
        FloatPointer d = data;
        data = null;
        copyView = null;
        if (d != null) {
            d.close();
        }
    }
}
