package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One cudaMalloc'd block of device memory, owned by exactly one Java object.
 * Close is idempotent; use after close throws IllegalStateException.
 */
final class CudaBuffer implements AutoCloseable {
    private final long bytes;
    private final String purpose;
    private long address;

    /** @param purpose what the memory is for, named in an out-of-memory error */
    CudaBuffer(long bytes, String purpose) {
        this.bytes = bytes;
        this.purpose = purpose;
        Pointer p = new Pointer();
        CudaErrors.check(cudaMalloc(p, Math.max(1, bytes)), "cudaMalloc(" + bytes + " bytes for " + purpose + ")");
        this.address = p.address();
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
            CudaErrors.check(cudaFree(new DeviceAddress(a)), "cudaFree(" + bytes + " bytes for " + purpose + ")");
        }
    }

    private long live() {
        if (address == 0) {
            throw new IllegalStateException("device buffer for " + purpose + " used after close()");
        }
        return address;
    }
}
