package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.KdeKernel;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;

import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;

import java.util.Arrays;

/**
 * The GPU backend: device memory from a caching pool over the presets' cudart,
 * one stream on which every kernel of this backend is queued (cuDNN, cuBLAS
 * and the hand-written kernels of libfcpts_cuda), TF32 only when the options
 * allow it. Host copies happen only in {@link Tensor#copyFrom} /
 * {@link Tensor#toArray}, when a pass returns its per-layer sums and when a
 * loss returns its value.
 */
public final class CudaBackend implements Backend {
    private final int device;
    private final String description;
    private final CudaMemoryPool pool = new CudaMemoryPool();
    private CUstream_st stream;
    private CudaHostStaging staging;
    private CudaNetworkKernels network;
    private CUevent_st startEvent, stopEvent;

    CudaBackend(int device, boolean allowTf32, String description) {
        this.device = device;
        this.description = description + (allowTf32 ? "; TF32 allowed" : "; float32 math");
        CudaErrors.check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        CUstream_st s = new CUstream_st();
        CudaErrors.check(cudaStreamCreate(s), "cudaStreamCreate on device " + device);
        this.stream = s;
        try {
            this.staging = new CudaHostStaging(s);
            this.network = new CudaNetworkKernels(pool, s, allowTf32);
        } catch (RuntimeException | Error e) {
            cudaStreamDestroy(s);
            throw e;
        }
    }

    /** The device memory pool, for tests and diagnostics (blocks in use return to 0 once all is closed). */
    CudaMemoryPool memoryPool() {
        return pool;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return "cuda: device " + device + ", " + description;
    }

    @Override
    public Tensor allocate(long... shape) {
        live();
        long n = Tensor.elementCount(shape);
        return new Tensor(this, shape, new CudaStorage(pool, staging, live(), n,
                "a tensor " + Arrays.toString(shape)));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src.size() != dst.size()) {
            throw new IllegalArgumentException("copy: source holds " + src.size() + " floats, destination "
                    + dst.size());
        }
        CudaErrors.check(cudaMemcpyAsync(dst.storage(CudaStorage.class).buffer().at(0),
                src.storage(CudaStorage.class).buffer().at(0), src.size() * Float.BYTES, cudaMemcpyDeviceToDevice,
                live()), "cudaMemcpyAsync device to device (" + src.size() + " floats)");
    }

    @Override
    public KdeKernel kdeKernel(SegmentLayout layout) {
        return new CudaKdeKernel(layout, pool, live());
    }

    @Override
    public NetworkKernels network() {
        live();
        return network;
    }

    @Override
    public double elapsedMillis(Runnable work) {
        CUstream_st s = live();
        if (startEvent == null) {
            CUevent_st start = new CUevent_st(), stop = new CUevent_st();
            CudaErrors.check(cudaEventCreate(start), "cudaEventCreate");
            int rc = cudaEventCreate(stop);
            if (rc != 0) {
                cudaEventDestroy(start);
                CudaErrors.check(rc, "cudaEventCreate");
            }
            startEvent = start;
            stopEvent = stop;
        }
        CudaErrors.check(cudaEventRecord(startEvent, s), "cudaEventRecord (start)");
        work.run();
        CudaErrors.check(cudaEventRecord(stopEvent, s), "cudaEventRecord (stop)");
        CudaErrors.check(cudaEventSynchronize(stopEvent), "cudaEventSynchronize");
        float[] ms = new float[1];
        CudaErrors.check(cudaEventElapsedTime(ms, startEvent, stopEvent), "cudaEventElapsedTime");
        return ms[0];
    }

    @Override
    public void synchronize() {
        CudaErrors.check(cudaStreamSynchronize(live()), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        CUstream_st s = stream;
        stream = null;
        if (s != null) {
            try {
                CudaErrors.check(cudaStreamSynchronize(s), "cudaStreamSynchronize before close");
            } finally {
                release(s);
            }
        }
    }

    /** Frees everything this backend owns, each step even when an earlier one failed (the first error wins). */
    private void release(CUstream_st s) {
        try {
            if (startEvent != null) {
                cudaEventDestroy(startEvent);
                cudaEventDestroy(stopEvent);
            }
            network.close();
        } finally {
            try {
                staging.close();
            } finally {
                try {
                    pool.close();
                } finally {
                    CudaErrors.check(cudaStreamDestroy(s), "cudaStreamDestroy");
                }
            }
        }
    }

    private CUstream_st live() {
        if (stream == null) {
            throw new IllegalStateException("cuda backend used after close()");
        }
        return stream;
    }
}
