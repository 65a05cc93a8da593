package io.github.fcpts4j.backend.cuda;

import static io.github.fcpts4j.backend.cuda.CudaErrors.checkCudnn;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DETERMINISTIC;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardBias;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardData;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardFilter;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionForward;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardDataAlgorithm;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardFilterAlgorithm;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionForwardAlgorithm;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolution2dForwardOutputDim;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolution2dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionGroupCount;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionMathType;
import static org.bytedeco.cuda.global.cudnn.cudnnSetFilter4dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetTensor4dDescriptor;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.WindowGeometry;

import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A convolution through cuDNN, built once per shape:
 *   y = act(conv(x, w) + bias + residual)   forward (cuDNN, then our epilogue kernel),
 *   dx = conv_transpose(dy, w)               cudnnConvolutionBackwardData,
 *   dw = correlation(x, dy)                  cudnnConvolutionBackwardFilter,
 *   dbias = sum of dy over n, h, w           cudnnConvolutionBackwardBias.
 * Each direction's algorithm is measured once per shape and backend (cudnnFind*: the fastest
 * deterministic one that succeeds, so that runs repeat bit for bit; after an
 * allocation failure the pool's cache is freed and the search retried) with the
 * math type it was measured under. Workspace comes from the one buffer the
 * backend shares between its plans (one stream: plans never overlap). Float32
 * math (CUDNN_FMA_MATH) unless the backend allows TF32 tensor cores.
 *
 * <p>cuDNN pads symmetrically; ONNX pads that differ top / bottom or left /
 * right are applied by copying x into a zero-padded buffer owned by the plan
 * (fcpts_pad_planes_cuda), and dx is cropped back out of a padded gradient.
 */
final class CudnnConvPlan implements NetworkKernels.ConvPlan, NetworkKernels.FusedConvPlan {
    private final CudaNetworkKernels kernels;
    private final WindowGeometry g;
    private final boolean withBias, withResidual, backwardAllowed;
    private final ConvActivation activation;
    private final float lo, hi;
    private final boolean explicitPad;
    private final long paddedH, paddedW;
    private final String name;
    private cudnnTensorStruct xDesc = new cudnnTensorStruct(), yDesc = new cudnnTensorStruct(),
            biasDesc = new cudnnTensorStruct();
    private cudnnFilterStruct wDesc = new cudnnFilterStruct();
    private cudnnConvolutionStruct convDesc = new cudnnConvolutionStruct();
    private int forwardAlgo, dataAlgo = -1, filterAlgo = -1;
    private int forwardMath, dataMath, filterMath;
    private long forwardBytes, dataBytes, filterBytes;
    private CudaBuffer padded, paddedGrad;
    private boolean closed;

    CudnnConvPlan(CudaNetworkKernels kernels, WindowGeometry g, boolean withBias, boolean withResidual,
                  boolean backwardAllowed, ConvActivation activation, float lo, float hi) {
        this.kernels = kernels;
        this.g = g;
        this.withBias = withBias;
        this.withResidual = withResidual;
        this.backwardAllowed = backwardAllowed;
        this.activation = activation;
        this.lo = lo;
        this.hi = hi;
        this.explicitPad = g.padTop() != g.padBottom() || g.padLeft() != g.padRight();
        this.paddedH = explicitPad ? g.height() + g.padTop() + g.padBottom() : g.height();
        this.paddedW = explicitPad ? g.width() + g.padLeft() + g.padRight() : g.width();
        this.name = "convolution " + g;
        try {
            describe();
            chooseForward();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void describe() {
        checkCudnn(cudnnCreateTensorDescriptor(xDesc), "cudnnCreateTensorDescriptor");
        checkCudnn(cudnnCreateTensorDescriptor(yDesc), "cudnnCreateTensorDescriptor");
        checkCudnn(cudnnCreateTensorDescriptor(biasDesc), "cudnnCreateTensorDescriptor");
        checkCudnn(cudnnCreateFilterDescriptor(wDesc), "cudnnCreateFilterDescriptor");
        checkCudnn(cudnnCreateConvolutionDescriptor(convDesc), "cudnnCreateConvolutionDescriptor");
        checkCudnn(cudnnSetTensor4dDescriptor(xDesc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, dim(g.batch()),
                dim(g.channels()), dim(paddedH), dim(paddedW)), "cudnnSetTensor4dDescriptor(x) of " + name);
        checkCudnn(cudnnSetTensor4dDescriptor(yDesc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, dim(g.batch()),
                dim(g.outChannels()), dim(g.outHeight()), dim(g.outWidth())),
                "cudnnSetTensor4dDescriptor(y) of " + name);
        checkCudnn(cudnnSetTensor4dDescriptor(biasDesc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1,
                dim(g.outChannels()), 1, 1), "cudnnSetTensor4dDescriptor(bias) of " + name);
        checkCudnn(cudnnSetFilter4dDescriptor(wDesc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, dim(g.outChannels()),
                dim(g.channels() / g.groups()), dim(g.kernelHeight()), dim(g.kernelWidth())),
                "cudnnSetFilter4dDescriptor of " + name);
        int padH = explicitPad ? 0 : dim(g.padTop()), padW = explicitPad ? 0 : dim(g.padLeft());
        checkCudnn(cudnnSetConvolution2dDescriptor(convDesc, padH, padW, dim(g.strideHeight()), dim(g.strideWidth()),
                dim(g.dilationHeight()), dim(g.dilationWidth()), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                "cudnnSetConvolution2dDescriptor of " + name);
        checkCudnn(cudnnSetConvolutionGroupCount(convDesc, dim(g.groups())), "cudnnSetConvolutionGroupCount");
        checkCudnn(cudnnSetConvolutionMathType(convDesc, kernels.allowTf32() ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH),
                "cudnnSetConvolutionMathType");
        int[] n = new int[1], c = new int[1], h = new int[1], w = new int[1];
        checkCudnn(cudnnGetConvolution2dForwardOutputDim(convDesc, xDesc, wDesc, n, c, h, w),
                "cudnnGetConvolution2dForwardOutputDim of " + name);
        if (n[0] != g.batch() || c[0] != g.outChannels() || h[0] != g.outHeight() || w[0] != g.outWidth()) {
            throw new FcptsException(ErrorCode.INTERNAL, name + ": cuDNN computes an output of [" + n[0] + ", "
                    + c[0] + ", " + h[0] + ", " + w[0] + "], the graph's shape inference another");
        }
        if (explicitPad) {
            padded = kernels.buffer(g.batch() * g.channels() * paddedH * paddedW * Float.BYTES,
                    "zero-padded input of " + name);
        }
    }

    /** An algorithm found for one direction of one geometry: reused by every plan of that shape. */
    record Choice(int algo, int mathType, long workspaceBytes) {
    }

    private void chooseForward() {
        Choice c = kernels.algorithm("forward " + g, () -> {
            try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(8)) {
                int[] found = new int[1];
                kernels.retryAfterTrim(() -> checkCudnn(cudnnFindConvolutionForwardAlgorithm(kernels.cudnn(), xDesc,
                        wDesc, convDesc, yDesc, 8, found, perf), "cudnnFindConvolutionForwardAlgorithm of " + name));
                perf.position(pick(found[0], i -> perf.position(i).status(), i -> perf.position(i).determinism()));
                return new Choice(perf.algo(), perf.mathType(), perf.memory());
            }
        });
        forwardAlgo = c.algo();
        forwardMath = c.mathType();
        forwardBytes = c.workspaceBytes();
    }

    private void chooseBackward() {
        if (dataAlgo >= 0 && filterAlgo >= 0) {
            return;
        }
        int[] found = new int[1];
        Choice data = kernels.algorithm("backward data " + g, () -> {
            try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(8)) {
                kernels.retryAfterTrim(() -> checkCudnn(cudnnFindConvolutionBackwardDataAlgorithm(kernels.cudnn(),
                        wDesc, yDesc, convDesc, xDesc, 8, found, perf),
                        "cudnnFindConvolutionBackwardDataAlgorithm of " + name));
                perf.position(pick(found[0], i -> perf.position(i).status(), i -> perf.position(i).determinism()));
                return new Choice(perf.algo(), perf.mathType(), perf.memory());
            }
        });
        Choice filter = kernels.algorithm("backward filter " + g, () -> {
            try (cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(8)) {
                kernels.retryAfterTrim(() -> checkCudnn(cudnnFindConvolutionBackwardFilterAlgorithm(kernels.cudnn(),
                        xDesc, yDesc, convDesc, wDesc, 8, found, perf),
                        "cudnnFindConvolutionBackwardFilterAlgorithm of " + name));
                perf.position(pick(found[0], i -> perf.position(i).status(), i -> perf.position(i).determinism()));
                return new Choice(perf.algo(), perf.mathType(), perf.memory());
            }
        });
        dataMath = data.mathType();
        dataBytes = data.workspaceBytes();
        filterMath = filter.mathType();
        filterBytes = filter.workspaceBytes();
        if (explicitPad && paddedGrad == null) {
            paddedGrad = kernels.buffer(padded.bytes(), "zero-padded input gradient of " + name);
        }
        dataAlgo = data.algo();      // only now: a failed search above leaves the plan to search again
        filterAlgo = filter.algo();
    }

    /** The fastest deterministic algorithm that succeeded, else the fastest that succeeded (cuDNN sorts by time). */
    private int pick(int found, java.util.function.IntUnaryOperator status,
                     java.util.function.IntUnaryOperator determinism) {
        int fallback = -1;
        for (int i = 0; i < found; i++) {
            if (status.applyAsInt(i) == 0) {
                if (determinism.applyAsInt(i) == CUDNN_DETERMINISTIC) {
                    return i;
                }
                fallback = fallback < 0 ? i : fallback;
            }
        }
        if (fallback < 0) {
            throw new FcptsException(ErrorCode.CUDA_ERROR, name + ": cuDNN found no working algorithm ("
                    + found + " tried)");
        }
        return fallback;
    }

    /** With TF32 allowed, each direction runs under the math type its algorithm was measured with. */
    private void mathFor(int mathType) {
        if (kernels.allowTf32()) {
            checkCudnn(cudnnSetConvolutionMathType(convDesc, mathType), "cudnnSetConvolutionMathType of " + name);
        }
    }

    @Override
    public void forward(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        forward(x, weight, bias, null, y);
    }

    @Override
    public void forward(Tensor x, Tensor weight, Tensor bias, Tensor residual, Tensor y) {
        live();
        FloatPointer yPtr = CudaNetworkKernels.dev(y);
        mathFor(forwardMath);
        Pointer in = input(x);
        CudaBuffer ws = kernels.workspace(forwardBytes);
        checkCudnn(cudnnConvolutionForward(kernels.cudnn(), kernels.one(), xDesc, in, wDesc,
                CudaNetworkKernels.dev(weight), convDesc, forwardAlgo, ws.at(0), forwardBytes, kernels.zero(), yDesc,
                yPtr), "cudnnConvolutionForward of " + name);
        Tensor b = withBias ? bias : null, r = withResidual ? residual : null;
        if (b != null || r != null || activation != ConvActivation.NONE) {
            kernels.call(CudaNatives.fcpts_conv_epilogue_cuda(yPtr, CudaNetworkKernels.dev(b),
                    CudaNetworkKernels.dev(r), g.batch(), g.outChannels(), g.outHeight() * g.outWidth(),
                    activation.ordinal(), lo, hi, kernels.stream(), kernels.status()), "fcpts_conv_epilogue_cuda");
        }
    }

    /** x itself, or x copied into the zero-padded buffer when the pads are asymmetric. */
    private Pointer input(Tensor x) {
        if (!explicitPad) {
            return CudaNetworkKernels.dev(x);
        }
        kernels.call(CudaNatives.fcpts_pad_planes_cuda(CudaNetworkKernels.dev(x), g.batch() * g.channels(),
                g.height(), g.width(), g.padTop(), g.padBottom(), g.padLeft(), g.padRight(), padded.floats(),
                kernels.stream(), kernels.status()), "fcpts_pad_planes_cuda");
        return padded.floats();
    }

    @Override
    public void backward(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight, Tensor dbias) {
        live();
        if (!backwardAllowed) {
            throw new IllegalStateException(name + ": a plan for constant weights has no backward");
        }
        chooseBackward();
        FloatPointer dyPtr = CudaNetworkKernels.dev(dy);
        if (dweight != null) {
            mathFor(filterMath);
            Pointer in = input(x);
            CudaBuffer ws = kernels.workspace(filterBytes);
            checkCudnn(cudnnConvolutionBackwardFilter(kernels.cudnn(), kernels.one(), xDesc, in, yDesc, dyPtr,
                    convDesc, filterAlgo, ws.at(0), filterBytes, kernels.zero(), wDesc,
                    CudaNetworkKernels.dev(dweight)), "cudnnConvolutionBackwardFilter of " + name);
        }
        if (dx != null) {
            mathFor(dataMath);
            FloatPointer target = explicitPad ? paddedGrad.floats() : CudaNetworkKernels.dev(dx);
            CudaBuffer ws = kernels.workspace(dataBytes);
            checkCudnn(cudnnConvolutionBackwardData(kernels.cudnn(), kernels.one(), wDesc,
                    CudaNetworkKernels.dev(weight), yDesc, dyPtr, convDesc, dataAlgo, ws.at(0), dataBytes,
                    kernels.zero(), xDesc, target), "cudnnConvolutionBackwardData of " + name);
            if (explicitPad) {
                kernels.call(CudaNatives.fcpts_crop_planes_cuda(target, g.batch() * g.channels(), g.height(),
                        g.width(), g.padTop(), g.padBottom(), g.padLeft(), g.padRight(), CudaNetworkKernels.dev(dx),
                        kernels.stream(), kernels.status()), "fcpts_crop_planes_cuda");
            }
        }
        if (dbias != null && withBias) {
            checkCudnn(cudnnConvolutionBackwardBias(kernels.cudnn(), kernels.one(), yDesc, dyPtr,
                    kernels.zero(), biasDesc, CudaNetworkKernels.dev(dbias)),
                    "cudnnConvolutionBackwardBias of " + name);
        }
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException(name + ": plan used after close()");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (CudaBuffer b : new CudaBuffer[] {padded, paddedGrad}) {
            if (b != null) {
                b.close();
            }
        }
        if (!xDesc.isNull()) {
            cudnnDestroyTensorDescriptor(xDesc);
        }
        if (!yDesc.isNull()) {
            cudnnDestroyTensorDescriptor(yDesc);
        }
        if (!biasDesc.isNull()) {
            cudnnDestroyTensorDescriptor(biasDesc);
        }
        if (!wDesc.isNull()) {
            cudnnDestroyFilterDescriptor(wDesc);
        }
        if (!convDesc.isNull()) {
            cudnnDestroyConvolutionDescriptor(convDesc);
        }
    }

    private int dim(long v) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, name + ": dimension " + v
                    + " does not fit cuDNN's 32-bit descriptors");
        }
        return (int) v;
    }
}
