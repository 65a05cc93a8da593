package io.github.fcpts4j.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.github.fcpts4j.backend.AbstractKdeKernel;
import io.github.fcpts4j.backend.KdeSums;
import io.github.fcpts4j.backend.SegmentLayout;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * GPU plan of the fused KDE-CDF pass (cuda-kernels/kde_fused.cu): the segment
 * offsets and chunk table are uploaded once; the chunk partials and per-layer
 * stats live on the device; per call only the thresholds and inverse
 * bandwidths go up and the 7 sums per layer come back.
 */
final class CudaKdeKernel extends AbstractKdeKernel {
    private final CUstream_st stream;
    private final long chunks;
    private final TensorScope owned = new TensorScope();
    private final CudaBuffer offsets;
    private final CudaBuffer chunkBases;
    private final CudaBuffer parameters;   // thresholds then inverse bandwidths, 2 * count floats
    private final CudaBuffer partials;
    private final CudaBuffer stats;
    private final FloatPointer hostParameters;
    private final DoublePointer hostStats;
    private final CudaNatives.Status status;

    CudaKdeKernel(SegmentLayout layout, CudaMemoryPool pool, CUstream_st stream) {
        super(layout);
        this.stream = stream;
        int n = layout.count();
        try {
            this.status = owned.track(new CudaNatives.Status());
            LongPointer hostOffsets = owned.track(new LongPointer(layout.offsets()));
            LongPointer hostChunkBases = owned.track(new LongPointer(n + 1L));
            this.chunks = CudaKernels.chunkBases(hostOffsets, n, hostChunkBases, status);
            long tableBytes = (n + 1L) * Long.BYTES;
            this.offsets = owned.track(new CudaBuffer(pool, tableBytes, "KDE segment offsets"));
            this.chunkBases = owned.track(new CudaBuffer(pool, tableBytes, "KDE chunk table"));
            this.parameters = owned.track(new CudaBuffer(pool, 2L * n * Float.BYTES, "KDE thresholds and bandwidths"));
            this.partials = owned.track(new CudaBuffer(pool, chunks * KdeSums.STATS_PER_LAYER * Double.BYTES,
                    "KDE chunk partials"));
            this.stats = owned.track(new CudaBuffer(pool, (long) n * KdeSums.STATS_PER_LAYER * Double.BYTES,
                    "KDE per-layer stats"));
            this.hostParameters = owned.track(new FloatPointer(Math.max(1, 2L * n)));
            this.hostStats = owned.track(new DoublePointer(Math.max(1, (long) n * KdeSums.STATS_PER_LAYER)));
            upload(offsets, hostOffsets, tableBytes, "segment offsets");
            upload(chunkBases, hostChunkBases, tableBytes, "chunk table");
            CudaErrors.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after uploading the KDE plan");
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    @Override
    protected double[] runFused(Tensor weights, Tensor gradients, Tensor maskedGradients, float[] t, float[] invH) {
        uploadParameters(t, invH);
        CudaKernels.kdeFused(floats(weights), floats(gradients), floats(maskedGradients), offsets.longs(),
                chunkBases.longs(), layout().count(), chunks, thresholdsOnDevice(), inverseBandwidthsOnDevice(),
                partials.doubles(), stats.doubles(), stream, status);
        return downloadStats();
    }

    @Override
    protected double[] runForward(Tensor weights, float[] t, float[] invH) {
        uploadParameters(t, invH);
        CudaKernels.kdeForward(floats(weights), offsets.longs(), chunkBases.longs(), layout().count(), chunks,
                thresholdsOnDevice(), inverseBandwidthsOnDevice(), partials.doubles(), stats.doubles(), stream,
                status);
        return downloadStats();
    }

    private static FloatPointer floats(Tensor tensor) {
        return tensor.storage(CudaStorage.class).buffer().floats();
    }

    private FloatPointer thresholdsOnDevice() {
        return new FloatPointer(parameters.at(0));
    }

    private FloatPointer inverseBandwidthsOnDevice() {
        return new FloatPointer(parameters.at((long) layout().count() * Float.BYTES));
    }

    private void uploadParameters(float[] t, float[] inverse) {
        int n = layout().count();
        hostParameters.put(t, 0, n);
        hostParameters.getPointer(n).put(inverse, 0, n);
        upload(parameters, hostParameters, 2L * n * Float.BYTES, "thresholds and bandwidths");
    }

    private double[] downloadStats() {
        long bytes = stats.bytes();
        CudaErrors.check(cudaMemcpyAsync(hostStats, stats.at(0), bytes, cudaMemcpyDeviceToHost, stream),
                "cudaMemcpyAsync of the KDE stats to the host");
        CudaErrors.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after the KDE pass");
        double[] raw = new double[layout().count() * KdeSums.STATS_PER_LAYER];
        hostStats.get(raw, 0, raw.length);
        return raw;
    }

    private void upload(CudaBuffer dst, Pointer src, long bytes, String what) {
        if (bytes > 0) {
            CudaErrors.check(cudaMemcpyAsync(dst.at(0), src, bytes, cudaMemcpyHostToDevice, stream),
                    "cudaMemcpyAsync of the KDE " + what + " to the device");
        }
    }

    @Override
    protected void release() {
        owned.close();
    }
}
