package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The backend's page-locked staging buffer for host copies (Tensor.copyFrom /
 * read / write): Java arrays are copied into it and DMA'd on the backend's
 * stream, in pieces of at most {@link #MAX_BYTES}, each piece waited for before
 * the buffer is reused. Pinned memory is what lets a copy run at the bus's
 * speed; a pageable buffer per call would also cost a malloc of the batch's
 * size every pruning iteration. Grown on demand, freed on close.
 */
final class CudaHostStaging implements AutoCloseable {
    static final long MAX_BYTES = 64L << 20;
    private final CUstream_st stream;
    private long address, bytes;

    CudaHostStaging(CUstream_st stream) {
        this.stream = stream;
    }

    /** device[dstByte ..] = src[srcOffset .. + count). */
    void upload(float[] src, int srcOffset, Pointer device, long dstByte, int count) {
        for (int done = 0; done < count; ) {
            int piece = (int) Math.min(count - done, MAX_BYTES / Float.BYTES);
            FloatPointer host = floats(piece);
            host.put(src, srcOffset + done, piece);
            CudaErrors.check(cudaMemcpyAsync(new DeviceAddress(device.address() + dstByte + (long) done * Float.BYTES),
                    host, (long) piece * Float.BYTES, cudaMemcpyHostToDevice, stream),
                    "cudaMemcpyAsync host to device (" + piece + " floats)");
            CudaErrors.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after a host-to-device copy");
            done += piece;
        }
    }

    /** dst[dstOffset .. + count) = device[srcByte ..]. */
    void download(Pointer device, long srcByte, float[] dst, int dstOffset, int count) {
        for (int done = 0; done < count; ) {
            int piece = (int) Math.min(count - done, MAX_BYTES / Float.BYTES);
            FloatPointer host = floats(piece);
            CudaErrors.check(cudaMemcpyAsync(host, new DeviceAddress(device.address() + srcByte
                    + (long) done * Float.BYTES), (long) piece * Float.BYTES, cudaMemcpyDeviceToHost, stream),
                    "cudaMemcpyAsync device to host (" + piece + " floats)");
            CudaErrors.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after a device-to-host copy");
            host.get(dst, dstOffset + done, piece);
            done += piece;
        }
    }

    private FloatPointer floats(int count) {
        long need = Math.max(Float.BYTES, (long) count * Float.BYTES);
        if (need > bytes) {
            close();
            long size = Math.max(need, Math.min(MAX_BYTES, 2 * bytes));
            Pointer p = new Pointer();
            CudaErrors.check(cudaMallocHost(p, size), "cudaMallocHost(" + size + " bytes of staging memory)");
            address = p.address();
            bytes = size;
        }
        return new FloatPointer(new DeviceAddress(address));
    }

    @Override
    public void close() {
        long a = address;
        address = 0;
        bytes = 0;
        if (a != 0) {
            CudaErrors.check(cudaFreeHost(new DeviceAddress(a)), "cudaFreeHost(staging memory)");
        }
    }
}
