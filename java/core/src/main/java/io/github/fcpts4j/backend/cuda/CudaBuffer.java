package io.github.fcpts4j.backend.cuda;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One block of device memory from the backend's {@link CudaMemoryPool}, owned
 * by exactly one Java object; close gives it back to the pool. Close is
 * idempotent; use after close throws IllegalStateException.
 */
final class CudaBuffer implements AutoCloseable {
    private final CudaMemoryPool pool;
    private final long bytes;
    private final String purpose;
    private long address;

    /** @param purpose what the memory is for, named in an out-of-memory error */
    CudaBuffer(CudaMemoryPool pool, long bytes, String purpose) {
        this.pool = pool;
        this.bytes = bytes;
        this.purpose = purpose;
        this.address = pool.allocate(bytes, purpose);
    }

    long bytes() {
        return bytes;
    }

    /** Device address of byte {@code offset}. */
    Pointer at(long offset) {
        return new DeviceAddress(live() + offset);
    }

    FloatPointer floats() {
        return new FloatPointer(new DeviceAddress(live()));
    }

    DoublePointer doubles() {
        return new DoublePointer(new DeviceAddress(live()));
    }

    LongPointer longs() {
        return new LongPointer(new DeviceAddress(live()));
    }

    @Override
    public void close() {
        long a = address;
        address = 0;
        if (a != 0) {
            pool.release(a, bytes);
        }
    }

    private long live() {
        if (address == 0) {
            throw new IllegalStateException("device buffer for " + purpose + " used after close()");
        }
        return address;
    }
}
