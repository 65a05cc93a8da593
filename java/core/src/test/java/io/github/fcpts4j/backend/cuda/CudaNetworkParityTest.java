package io.github.fcpts4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;
import io.github.fcpts4j.backend.NetworkKernels.Binary;
import io.github.fcpts4j.backend.NetworkKernels.Pool;
import io.github.fcpts4j.backend.NetworkKernels.Unary;
import io.github.fcpts4j.backend.Tensor;
import io.github.fcpts4j.backend.TensorScope;
import io.github.fcpts4j.backend.WindowGeometry;
import io.github.fcpts4j.engine.NetworkExecutor;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.testing.RequiresCuda;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.TestNets;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every network operator of the cuda backend against the cpu backend on the
 * same random data, plus whole networks forward and backward (skipped with the
 * probe's reason where no device answers).
 *
 * <p>Tolerance: {@link CudaParity}. Every test ends with the device pool
 * holding no block: nothing leaks on any path.
 */
@Tag("gpu")
@RequiresCuda
class CudaNetworkParityTest {
    private Backend cpu;
    private CudaBackend gpu;

    @BeforeEach
    void open() {
        cpu = Backends.openResolved("cpu", BackendOptions.defaults());
        gpu = (CudaBackend) Backends.openResolved("cuda", BackendOptions.defaults());
    }

    @AfterEach
    void close() {
        assertEquals(0, gpu.memoryPool().blocksInUse(), "device blocks still in use after the test");
        gpu.close();
        cpu.close();
    }

    /** The same data on both backends. */
    private record Pair(Tensor cpu, Tensor gpu) {
    }

    private Pair pair(TensorScope scope, long seed, long... shape) {
        float[] data = TestData.uniform((int) Tensor.elementCount(shape), seed);
        return new Pair(scope.upload(cpu, data, shape), scope.upload(gpu, data, shape));
    }

    private Pair empty(TensorScope scope, long... shape) {
        return new Pair(scope.allocate(cpu, shape), scope.allocate(gpu, shape));
    }

    private static void assertMatches(Pair p, String what) {
        assertMatches(p.gpu.toArray(), p.cpu.toArray(), what);
    }

    private static void assertMatches(float[] gpu, float[] cpu, String what) {
        CudaParity.assertMatches(gpu, cpu, what);
    }

    private void onBoth(BiConsumer<NetworkKernels, Boolean> op) {
        op.accept(cpu.network(), false);
        op.accept(gpu.network(), true);
    }

    private static Tensor side(Pair p, boolean gpu) {
        return p == null ? null : gpu ? p.gpu : p.cpu;
    }

    private static final List<WindowGeometry> CONVS = List.of(
            // n, c, h, w, oc, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups
            new WindowGeometry(2, 16, 14, 14, 32, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            new WindowGeometry(2, 16, 15, 15, 24, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
            new WindowGeometry(1, 8, 12, 11, 8, 12, 10, 3, 3, 1, 1, 2, 2, 2, 1, 2, 2, 1),     // dilated, asymmetric
            new WindowGeometry(2, 12, 10, 10, 12, 5, 5, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 12),   // depthwise, TF "SAME"
            new WindowGeometry(3, 6, 7, 7, 9, 7, 7, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3));        // grouped 1x1

    @Test
    void convolutionForwardAndBackward() {
        for (WindowGeometry g : CONVS) {
            try (TensorScope s = new TensorScope()) {
                long[] xs = {g.batch(), g.channels(), g.height(), g.width()};
                long[] ws = {g.outChannels(), g.channels() / g.groups(), g.kernelHeight(), g.kernelWidth()};
                long[] ys = {g.batch(), g.outChannels(), g.outHeight(), g.outWidth()};
                Pair x = pair(s, 1, xs), w = pair(s, 2, ws), b = pair(s, 3, g.outChannels()), y = empty(s, ys);
                Pair dy = pair(s, 4, ys), dx = empty(s, xs), dw = empty(s, ws), db = empty(s, g.outChannels());
                onBoth((k, onGpu) -> {
                    try (NetworkKernels.ConvPlan plan = k.conv(g, true, false)) {
                        plan.forward(side(x, onGpu), side(w, onGpu), side(b, onGpu), side(y, onGpu));
                        plan.backward(side(x, onGpu), side(w, onGpu), side(dy, onGpu), side(dx, onGpu),
                                side(dw, onGpu), side(db, onGpu));
                    }
                });
                assertMatches(y, "conv y " + g);
                assertMatches(dx, "conv dx " + g);
                assertMatches(dw, "conv dw " + g);
                assertMatches(db, "conv dbias " + g);
            }
        }
    }

    @Test
    void fusedConvolutionEpilogues() {
        WindowGeometry g = CONVS.get(2);
        for (ConvActivation act : ConvActivation.values()) {
            try (TensorScope s = new TensorScope()) {
                long[] ys = {g.batch(), g.outChannels(), g.outHeight(), g.outWidth()};
                Pair x = pair(s, 5, g.batch(), g.channels(), g.height(), g.width());
                Pair w = pair(s, 6, g.outChannels(), g.channels(), g.kernelHeight(), g.kernelWidth());
                Pair b = pair(s, 7, g.outChannels()), r = pair(s, 8, ys), y = empty(s, ys);
                onBoth((k, onGpu) -> {
                    try (NetworkKernels.FusedConvPlan plan = k.fusedConv(g, true, true, act, -0.1f, 0.2f)) {
                        plan.forward(side(x, onGpu), side(w, onGpu), side(b, onGpu), side(r, onGpu), side(y, onGpu));
                    }
                });
                assertMatches(y, "fused conv " + act);
            }
        }
    }

    @Test
    void poolingForwardAndBackward() {
        WindowGeometry[] geometries = {
            new WindowGeometry(2, 5, 9, 9, 5, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
            new WindowGeometry(1, 3, 8, 7, 3, 4, 4, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1),      // ceil mode overhang
            new WindowGeometry(1, 2, 10, 10, 2, 4, 4, 3, 3, 2, 2, 2, 2, 1, 0, 0, 1, 1)};   // dilated, asymmetric
        for (WindowGeometry g : geometries) {
            for (Pool kind : Pool.values()) {
                if (kind != Pool.MAX && g.dilationHeight() > 1) {
                    continue;   // ONNX AveragePool has dilations only from opset 19; the cpu plan refuses them
                }
                try (TensorScope s = new TensorScope()) {
                    long[] xs = {g.batch(), g.channels(), g.height(), g.width()};
                    long[] ys = {g.batch(), g.channels(), g.outHeight(), g.outWidth()};
                    Pair x = pair(s, 9, xs), y = empty(s, ys), dy = pair(s, 10, ys), dx = empty(s, xs);
                    onBoth((k, onGpu) -> {
                        try (NetworkKernels.PoolPlan plan = k.pool(g, kind)) {
                            plan.forward(side(x, onGpu), side(y, onGpu));
                            plan.backward(side(x, onGpu), side(dy, onGpu), side(dx, onGpu));
                        }
                    });
                    assertMatches(y, kind + " pool y " + g);
                    assertMatches(dx, kind + " pool dx " + g);
                }
            }
        }
    }

    @Test
    void matrixProductsInEveryTransposition() {
        long m = 7, k = 33, n = 10;
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            try (TensorScope s = new TensorScope()) {
                Pair a = ta ? pair(s, 11, k, m) : pair(s, 11, m, k), b = tb ? pair(s, 12, n, k) : pair(s, 12, k, n);
                Pair bias = pair(s, 13, n), y = empty(s, m, n);
                onBoth((kk, onGpu) -> {
                    try (NetworkKernels.MatMulPlan plan = kk.matmul(m, k, n, ta, tb, true)) {
                        plan.forward(side(a, onGpu), side(b, onGpu), side(bias, onGpu), side(y, onGpu));
                    }
                });
                assertMatches(y, "matmul transA " + ta + " transB " + tb);
            }
        }
    }

    @Test
    void elementwiseOperatorsAndTheirGradients() {
        try (TensorScope s = new TensorScope()) {
            Pair x = pair(s, 14, 3, 4, 5, 6), dy = pair(s, 15, 3, 4, 5, 6);
            for (Unary op : Unary.values()) {
                Pair y = empty(s, 3, 4, 5, 6), dx = empty(s, 3, 4, 5, 6);
                onBoth((k, onGpu) -> {
                    k.unary(op, 0.2f, 0.6f, side(x, onGpu), side(y, onGpu));
                    k.unaryBackward(op, 0.2f, 0.6f, side(x, onGpu), side(dy, onGpu), side(dx, onGpu));
                });
                assertMatches(y, op + " y");
                assertMatches(dx, op + " dx");
            }
            long[] as = {3, 4, 5, 6}, bs = {4, 1, 1}, ys = {3, 4, 5, 6};
            Pair b = pair(s, 16, bs);
            float[] divisor = b.cpu.toArray();   // keep the divisor away from 0
            for (int j = 0; j < divisor.length; j++) {
                divisor[j] = 0.5f + Math.abs(divisor[j]);
            }
            b.cpu.copyFrom(divisor);
            b.gpu.copyFrom(divisor);
            for (Binary op : Binary.values()) {
                Pair y = empty(s, ys), da = empty(s, as), db = empty(s, bs);
                onBoth((k, onGpu) -> {
                    k.binary(op, side(x, onGpu), as, side(b, onGpu), bs, side(y, onGpu), ys);
                    k.binaryBackward(op, side(x, onGpu), as, side(b, onGpu), bs, side(dy, onGpu), ys,
                            side(da, onGpu), side(db, onGpu));
                });
                assertMatches(y, op + " y");
                assertMatches(da, op + " da");
                assertMatches(db, op + " db (broadcast sum)");
            }
        }
    }

    @Test
    void normalizationSoftmaxAndLayout() {
        try (TensorScope s = new TensorScope()) {
            long n = 4, c = 6, sp = 25;
            Pair x = pair(s, 17, n, c, 5, 5), dy = pair(s, 18, n, c, 5, 5), gamma = pair(s, 19, c),
                    beta = pair(s, 20, c), mean = pair(s, 21, c), var = pair(s, 22, c);
            float[] positive = var.cpu.toArray();
            for (int i = 0; i < positive.length; i++) {
                positive[i] = 0.3f + Math.abs(positive[i]);
            }
            var.cpu.copyFrom(positive);
            var.gpu.copyFrom(positive);
            Pair y = empty(s, n, c, 5, 5), dx = empty(s, n, c, 5, 5), dg = empty(s, c), db = empty(s, c);
            Pair runMean = pair(s, 23, c), runVar = empty(s, c), saveMean = empty(s, c), saveInv = empty(s, c);
            onBoth((k, g) -> {
                k.batchNorm(side(x, g), n, c, sp, side(gamma, g), side(beta, g), side(mean, g), side(var, g), 1e-5f,
                        side(y, g));
                k.batchNormBackward(side(x, g), side(dy, g), n, c, sp, side(gamma, g), side(mean, g), side(var, g),
                        1e-5f, side(dx, g), side(dg, g), side(db, g));
            });
            assertMatches(y, "batchnorm y");
            assertMatches(dx, "batchnorm dx");
            assertMatches(dg, "batchnorm dgamma");
            assertMatches(db, "batchnorm dbeta");
            onBoth((k, g) -> {
                k.batchNormTraining(side(x, g), n, c, sp, side(gamma, g), side(beta, g), side(runMean, g),
                        side(runVar, g), 0.9f, 1e-5f, side(y, g), side(saveMean, g), side(saveInv, g));
                k.batchNormTrainingBackward(side(x, g), side(dy, g), n, c, sp, side(gamma, g), side(saveMean, g),
                        side(saveInv, g), side(dx, g), side(dg, g), side(db, g));
            });
            for (Pair p : new Pair[] {y, dx, dg, db, runMean, runVar, saveMean, saveInv}) {
                assertMatches(p, "training batchnorm");
            }
            Pair gap = empty(s, n * c), soft = empty(s, n, c, 5, 5), t = empty(s, 5, n, 5, c);
            Pair cat = empty(s, n, 2 * c, 5, 5), sliced = empty(s, n, c, 5, 5), cols = empty(s, 25 * c);
            onBoth((k, g) -> {
                k.globalAveragePool(side(x, g), n * c, sp, side(gap, g));
                k.globalAveragePoolBackward(side(gap, g), n * c, sp, side(dx, g));
                k.softmax(side(x, g), n, c, sp, side(soft, g));
                k.softmaxBackward(side(soft, g), side(dy, g), n, c, sp, side(y, g));
                k.transpose(side(x, g), new long[] {n, c, 5, 5}, new long[] {2, 0, 3, 1}, side(t, g));
                k.fill(side(cat, g), 3f);
                k.concatPiece(side(x, g), n, c * sp, side(cat, g), 2 * c * sp, c * sp);
                k.slicePiece(side(cat, g), n, c * sp, 2 * c * sp, 0, side(sliced, g));
                k.columnSum(side(x, g), n, c * sp, side(cols, g));
            });
            assertMatches(gap, "global average pool");
            assertMatches(dx, "global average pool backward");
            assertMatches(soft, "softmax");
            assertMatches(y, "softmax backward");
            assertMatches(t, "transpose");
            assertMatches(cat, "concat piece");
            assertMatches(sliced, "slice piece");
            assertMatches(cols, "column sum");
        }
    }

    /**
     * Index maps: SUM (weights null and given) and MAX with empty rows, repeated columns and ties; forward and
     * backward. Both backends run the same float operations in the same order (native/include/fcpts/
     * index_map_math.h), so they must agree bit for bit, which the emulation test also checks; here the
     * usual CudaParity tolerance is asserted plus exact equality of the MAX routing.
     */
    @Test
    void indexMapsForwardAndBackward() {
        int outer = 3, in = 33, out = 41;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(60);
        int[] rowPtr = new int[out + 1];
        java.util.List<Integer> taps = new java.util.ArrayList<>();
        for (int r = 0; r < out; r++) {
            int n = r % 5 == 1 ? 0 : rng.nextInt(5);
            for (int t = 0; t < n; t++) {
                taps.add(t == 1 ? taps.get(taps.size() - 1) : rng.nextInt(in));
            }
            rowPtr[r + 1] = taps.size();
        }
        int[] cols = taps.stream().mapToInt(Integer::intValue).toArray();
        float[] weights = TestData.uniform(cols.length, 61, 1.5);
        try (TensorScope s = new TensorScope()) {
            Pair x = pair(s, 62, outer, in), dy = pair(s, 63, outer, out);
            float[] levels = x.cpu.toArray();
            for (int i = 0; i < levels.length; i++) {
                levels[i] = Math.round(levels[i] * 2) / 2f;   // ties for MAX
            }
            x.cpu.copyFrom(levels);
            x.gpu.copyFrom(levels);
            for (int mode = 0; mode < 3; mode++) {
                boolean max = mode == 2;
                float[] w = mode == 1 ? weights : null;
                Pair y = empty(s, outer, out), dx = empty(s, outer, in);
                onBoth((k, g) -> {
                    try (NetworkKernels.IndexMapPlan plan = k.indexMap(outer, in, out, rowPtr, cols, w, 0.5f, max)) {
                        plan.forward(side(x, g), side(y, g));
                        plan.backward(side(dy, g), side(dx, g));
                    }
                });
                assertMatches(y, "index map mode " + mode + " y");
                assertMatches(dx, "index map mode " + mode + " dx");
                if (max) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(dx.cpu.toArray(), dx.gpu.toArray(),
                            "MAX routing is exact");
                }
            }
            assertThrows(FcptsException.class, () -> gpu.network().indexMap(1, 2, 3, new int[] {0, 2, 1, 2},
                    new int[] {0, 1}, null, 0, false), "decreasing row pointers rejected on cuda too");
        }
    }

    /** Layer norm forward and backward, beta null and given, odd and real (768) row lengths. */
    @Test
    void layerNormForwardAndBackward() {
        for (long[] shape : new long[][] {{5, 7}, {1, 300}, {197, 768}}) {
            long rows = shape[0], cols = shape[1];
            for (boolean withBeta : new boolean[] {false, true}) {
                try (TensorScope s = new TensorScope()) {
                    Pair x = pair(s, 70, rows, cols), dy = pair(s, 71, rows, cols), gamma = pair(s, 72, cols);
                    Pair beta = withBeta ? pair(s, 73, cols) : null;
                    Pair y = empty(s, rows, cols), mean = empty(s, rows), inv = empty(s, rows);
                    Pair dx = empty(s, rows, cols), dg = empty(s, cols), db = empty(s, cols);
                    onBoth((k, g) -> {
                        k.layerNorm(side(x, g), rows, cols, side(gamma, g), side(beta, g), 1e-5f, side(y, g),
                                side(mean, g), side(inv, g));
                        k.layerNormBackward(side(x, g), side(dy, g), rows, cols, side(gamma, g), side(mean, g),
                                side(inv, g), side(dx, g), side(dg, g), side(db, g));
                    });
                    String what = "layer norm " + rows + " x " + cols + (withBeta ? " beta" : "");
                    for (Pair p : new Pair[] {y, mean, inv, dx, dg, db}) {
                        assertMatches(p, what);
                    }
                }
            }
        }
    }

    /** Batched products in every transposition, B per batch entry and shared (cublasSgemmStridedBatched). */
    @Test
    void batchedMatrixProducts() {
        long batch = 3, m = 7, k = 33, n = 10;
        for (int t = 0; t < 8; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0, shared = (t & 4) != 0;
            try (TensorScope s = new TensorScope()) {
                Pair a = ta ? pair(s, 80, batch, k, m) : pair(s, 80, batch, m, k);
                // a shared B has no batch dimension
                Pair b = shared ? (tb ? pair(s, 81, n, k) : pair(s, 81, k, n))
                        : (tb ? pair(s, 81, batch, n, k) : pair(s, 81, batch, k, n));
                Pair y = empty(s, batch, m, n);
                onBoth((kk, g) -> {
                    try (NetworkKernels.BatchedMatMulPlan plan = kk.batchedMatmul(batch, m, k, n, ta, tb, shared)) {
                        plan.forward(side(a, g), side(b, g), side(y, g));
                    }
                });
                assertMatches(y, "batched matmul transA " + ta + " transB " + tb + " sharedB " + shared);
            }
        }
    }

    @Test
    void lossesAndTheirGradients() {
        long n = 16, classes = 10;
        long[] labels = new long[(int) n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i * 7) % classes;
        }
        try (TensorScope s = new TensorScope()) {
            Pair student = pair(s, 24, n, classes), teacher = pair(s, 25, n, classes), grad = empty(s, n, classes);
            double[] values = new double[6];
            onBoth((k, g) -> {
                int o = g ? 3 : 0;
                values[o] = k.crossEntropy(side(student, g), labels, n, classes, side(grad, g));
            });
            assertMatches(grad, "cross-entropy gradient");
            onBoth((k, g) -> values[g ? 4 : 1] = k.klDistill(side(student, g), side(teacher, g), n, classes, 4f,
                    side(grad, g)));
            assertMatches(grad, "KL gradient");
            onBoth((k, g) -> values[g ? 5 : 2] = k.mse(side(student, g), side(teacher, g), n, classes, side(grad, g)));
            assertMatches(grad, "MSE gradient");
            for (int i = 0; i < 3; i++) {
                assertEquals(values[i], values[i + 3], 1e-5 * Math.max(1, Math.abs(values[i])), "loss " + i);
            }
            assertTrue(values[1] > 0 && values[2] > 0, "KL and MSE of different logits are positive");
        }
    }

    @Test
    void optimizerStepsKeepMaskedWeightsAtZero() {
        try (TensorScope s = new TensorScope()) {
            int n = 1000;
            float[] maskData = new float[n], weights = TestData.uniform(n, 26);
            for (int i = 0; i < n; i++) {
                maskData[i] = i % 3 == 0 ? 0f : 1f;
                weights[i] = maskData[i] == 0 ? 0f : weights[i];
            }
            Pair mask = new Pair(s.upload(cpu, maskData, n), s.upload(gpu, maskData, n));
            for (boolean adam : new boolean[] {false, true}) {
                Pair w = new Pair(s.upload(cpu, weights, n), s.upload(gpu, weights, n));
                Pair m1 = empty(s, n), m2 = empty(s, n);
                for (int step = 1; step <= 5; step++) {
                    Pair g = pair(s, 100 + step, n);
                    int t = step;
                    onBoth((k, onGpu) -> {
                        if (adam) {
                            k.adamStep(side(w, onGpu), side(g, onGpu), side(m1, onGpu), side(m2, onGpu),
                                    side(mask, onGpu), 1e-2f, 0.9f, 0.999f, 1e-8f, 1e-4f, t);
                        } else {
                            k.sgdStep(side(w, onGpu), side(g, onGpu), side(m1, onGpu), side(mask, onGpu), 1e-2f,
                                    0.9f, 1e-4f);
                        }
                    });
                }
                assertMatches(w, adam ? "adam weights" : "sgd weights");
                float[] result = w.gpu.toArray();
                for (int i = 0; i < n; i += 3) {
                    assertEquals(0f, result[i], "masked weight " + i + " stays exactly 0");
                }
            }
        }
    }

    /** Whole networks, forward and backward, in inference and training mode. */
    @Test
    void networksForwardAndBackward() {
        Map<String, Graph> nets = Map.of("all ops", TestNets.allOpsNet(3), "resnet20", TestNets.resnet20(4),
                "mobilenetv2", TestNets.mobilenetV2(5));
        for (Map.Entry<String, Graph> e : nets.entrySet()) {
            Graph graph = e.getValue();
            String input = graph.inputs().get(0).name(), output = graph.outputs().get(0).name();
            long[] shape = graph.inputs().get(0).shape();
            shape[0] = 2;
            float[] image = TestData.uniform((int) Tensor.elementCount(shape), 27);
            for (boolean training : new boolean[] {false, true}) {
                try (NetworkExecutor c = NetworkExecutor.compile(graph, cpu, Map.of(input, shape), true);
                     NetworkExecutor g = NetworkExecutor.compile(graph, gpu, Map.of(input, shape), true)) {
                    c.setTraining(training);
                    g.setTraining(training);
                    float[] yc = c.run(Map.of(input, image)).get(output), yg = g.run(Map.of(input, image)).get(output);
                    String what = e.getKey() + (training ? " (training)" : "");
                    assertMatches(yg, yc, what + " output");
                    float[] seed = TestData.uniform(yc.length, 28);
                    c.backward(Map.of(output, seed));
                    g.backward(Map.of(output, seed));
                    for (String w : graph.initializers().keySet()) {
                        if (graph.initializers().get(w).isFloat()) {
                            assertMatches(g.gradient(w), c.gradient(w), what + " gradient of " + w);
                        }
                    }
                }
            }
        }
    }

    /** An allocation the device cannot hold: a typed error naming it and the free memory; nothing leaks. */
    @Test
    void outOfMemoryIsTypedAndLeavesThePoolEmpty() {
        try (TensorScope s = new TensorScope()) {
            s.allocate(gpu, 1024, 1024);
            FcptsException e = assertThrows(FcptsException.class, () -> s.allocate(gpu, 1L << 40));
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            assertTrue(e.getMessage().contains("a tensor [1099511627776]") && e.getMessage().contains("free of"),
                    e.getMessage());
            assertEquals(1, gpu.memoryPool().blocksInUse(), "only the first tensor is held");
        }
    }

    /** A run refused for a wrongly sized input and a compile that runs out of memory release every block. */
    @Test
    void aFailingRunReleasesEveryBlock() {
        Graph graph = TestNets.resnet20(6);
        String input = graph.inputs().get(0).name();
        try (NetworkExecutor g = NetworkExecutor.compile(graph, gpu, Map.of(input, new long[] {2, 1, 28, 28}))) {
            assertThrows(IllegalArgumentException.class, () -> g.run(Map.of(input, new float[7])));
            assertTrue(gpu.memoryPool().blocksInUse() > 0, "the executor holds its activations while open");
        }
        assertEquals(0, gpu.memoryPool().blocksInUse(), "closing the executor after a failure frees everything");
        assertThrows(FcptsException.class, () -> NetworkExecutor.compile(graph, gpu,
                Map.of(input, new long[] {1L << 20, 1, 28, 28})));
    }
}
