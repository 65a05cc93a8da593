package io.github.fcpts4j.prune;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.data.ChannelsLast;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.Preprocessing;
import io.github.fcpts4j.data.SampleList;
import io.github.fcpts4j.engine.BatchRelaxation;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.NonFiniteParameters;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.onnx.OnnxModel;
import io.github.fcpts4j.sparse.LatencyCheck;
import io.github.fcpts4j.sparse.LatencyTables;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.MagnitudeAllocation;
import io.github.fcpts4j.sparsity.Masks;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The library entry point: prunes an ONNX model to an exact global sparsity
 * with FCPTS or a magnitude baseline.
 * <pre>{@code
 * PruneResult r = Pruner.builder()
 *         .model(Path.of("resnet20.onnx"))
 *         .calibration("embedded:fashion-mnist")        // or .calibration("images:DIR", preprocessing),
 *                                                         // .calibration(images), .calibration(samples, c, h, w)
 *         .targetSparsity(0.7)
 *         .method(Pruner.Method.FCPTS)
 *         .backend("cpu")                                 // "auto" and "cuda": see backend(String)
 *         .seed(1)
 *         .listener(s -> { System.out.println(s); return true; })
 *         .build()
 *         .run();
 * r.export(Path.of("resnet20.sparse.onnx"));
 * r.report(Path.of("report.json"));
 * }</pre>
 * A Pruner is immutable and may run several times; each run opens and closes
 * its own backend. Runs are deterministic for a given seed on the CPU.
 */
public final class Pruner {

    /** How the mask is chosen: FCPTS, or one of the magnitude allocations as a baseline. */
    public enum Method {
        /** learned per-layer thresholds with the KDE bridge and net-wise reconstruction */
        FCPTS(null),
        UNIFORM(MagnitudeAllocation.UNIFORM),
        GLOBAL(MagnitudeAllocation.GLOBAL),
        ERK(MagnitudeAllocation.ERK),
        LAMP(MagnitudeAllocation.LAMP);

        private final MagnitudeAllocation baseline;

        Method(MagnitudeAllocation baseline) {
            this.baseline = baseline;
        }

        /** The magnitude allocation this baseline computes; empty for FCPTS. */
        public Optional<MagnitudeAllocation> baseline() {
            return Optional.ofNullable(baseline);
        }

        /** Parses {@code fcpts}, {@code uniform}, {@code global}, {@code erk} or {@code lamp}. */
        public static Method parse(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "unknown method '" + name
                        + "': expected fcpts, uniform, global, erk or lamp");
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final OnnxModel model;
    private final Path modelPath;
    private final LabeledImages calibration;
    private final Method method;
    private final boolean reconstruct;
    private final FcptsConfig config;
    private final List<String> exclude;
    private final String backend;
    private final boolean allowTf32;
    private final ProgressListener listener;
    private final List<ReconstructionTerm> reconstruction;

    private Pruner(Builder b, LabeledImages calibration, FcptsConfig config, List<ReconstructionTerm> reconstruction) {
        this.model = b.model;
        this.modelPath = b.modelPath;
        this.calibration = calibration;
        this.method = b.method;
        this.reconstruct = b.reconstruct;
        this.config = config;
        this.exclude = List.copyOf(b.exclude);
        this.backend = b.backend;
        this.allowTf32 = b.allowTf32;
        this.listener = b.listener;
        this.reconstruction = reconstruction;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The configuration this pruner runs with. */
    public FcptsConfig config() {
        return config;
    }

    /**
     * The loss term each reconstructed output will get ({@link ReconstructionPlan}; normalized MSE scales are
     * measured when the run starts, NaN here), whether or not this method reconstructs.
     */
    public List<ReconstructionTerm> reconstruction() {
        return reconstruction;
    }

    /**
     * Prunes. FCPTS runs its optimization; a baseline computes its mask and, with
     * {@code reconstruct}, runs the same reconstruction at that fixed mask.
     *
     * @throws FcptsException {@link ErrorCode#CANCELLED} when the listener cancels,
     *                        {@link ErrorCode#INVALID_ARGUMENT} for bad settings or data
     */
    public PruneResult run() {
        Graph dense = model.graph();
        List<Node> prunable = PrunableSelection.select(dense, exclude);
        List<PrunableLayer> layers = new ArrayList<>();
        for (Node n : prunable) {
            TensorData w = dense.initializer(n.input(1)).orElseThrow();
            layers.add(new PrunableLayer(n.name(), w.dims(), w.floats()));
        }
        long[] shape = calibration.sampleShape();
        long[] sample = {1, shape[0], shape[1], shape[2]};
        double[] macsPerWeight = TargetBudget.resolve(dense, prunable,
                config.toBuilder().costBasis(FcptsConfig.CostBasis.FLOPS).build().target(), sample).costs();
        FcptsLoop.Outcome outcome;
        String backendName;
        Budget budget;
        LatencyOutcome latency = null;
        double seconds;
        try (Backend b = Backends.open(backend, BackendOptions.defaults().withTf32(allowTf32))) {
            backendName = b.description();
            long[] latencySample = sample.clone();
            latencySample[0] = config.target().latencyBatch();
            Map<String, long[]> latencyShape = Map.of(dense.inputs().get(0).name(), latencySample);
            LatencyTables.Obtained table = config.target().costBasis() != FcptsConfig.CostBasis.LATENCY ? null
                    : LatencyTables.obtain(modelPath, dense, b, latencyShape, step -> { });
            budget = TargetBudget.resolve(dense, prunable, config.target(), sample,
                    table == null ? null : table.table());
            long start = System.nanoTime();
            Masks baselineMasks = method == Method.FCPTS ? null
                    : Allocations.baseline(method.baseline().orElseThrow(), layers, budget);
            if (method != Method.FCPTS && !reconstruct) {
                outcome = new FcptsLoop.Outcome(baselineMasks.applyTo(dense, prunable, layers), baselineMasks, null,
                        new double[0], new double[0], (System.nanoTime() - start) / 1e9);
            } else {
                // a model that fixes its batch at 1 is relaxed for the calibration batches (checked on b)
                Graph trained = BatchRelaxation.relax(dense, sample, config.schedule().batch(), b);
                outcome = FcptsLoop.run(trained, calibration, config, b, listener, baselineMasks, prunable, budget);
                if (trained != dense) {
                    outcome = outcome.onGraph(BatchRelaxation.restore(dense, outcome.pruned()));
                }
            }
            seconds = (System.nanoTime() - start) / 1e9;
            if (table != null) {
                Map<String, Double> sparsity = new LinkedHashMap<>();
                for (int l = 0; l < prunable.size(); l++) {
                    sparsity.put(prunable.get(l).name(), outcome.masks().sparsity(l));
                }
                latency = new LatencyOutcome(table, LatencyCheck.measure(outcome.pruned(), b, latencyShape,
                        table.table(), sparsity, LatencyCheck.DEFAULT_RUNS));
            }
        }
        Map<String, double[]> references = new LinkedHashMap<>();
        references.put("uniform", perLayer(Allocations.uniform(layers, budget)));
        references.put("ERK", perLayer(Allocations.erk(layers, budget)));
        return new PruneResult(model.withGraph(outcome.pruned()), modelPath, method,
                method == Method.FCPTS || reconstruct, config, macsPerWeight, prunable, layers, outcome,
                references, backendName, seconds, latency);
    }

    private static double[] perLayer(Masks m) {
        double[] s = new double[m.layers()];
        for (int l = 0; l < s.length; l++) {
            s[l] = m.sparsity(l);
        }
        return s;
    }

    /** Collects the settings of a {@link Pruner}; {@link #build} checks them. */
    public static final class Builder {
        private OnnxModel model;
        private Path modelPath;
        private LabeledImages calibration;
        private String calibrationSpec;
        private Preprocessing preprocessing;
        private Method method = Method.FCPTS;
        private boolean reconstruct;
        private FcptsConfig.Builder config = FcptsConfig.builder(0.7);
        private final List<String> exclude = new ArrayList<>();
        private String backend = "cpu";
        private boolean allowTf32;
        private ProgressListener listener = ProgressListener.none();

        private Builder() {
        }

        /** Reads the model (typed errors for missing, corrupt or unsupported files). */
        public Builder model(Path onnxFile) {
            this.model = OnnxImporter.read(onnxFile);
            this.modelPath = onnxFile;
            return this;
        }

        /**
         * Reads the model with the shapes of inputs whose non-batch dimensions are symbolic fixed, e.g.
         * {@code Map.of("x", new long[] {1, 3, 48, 192})} (the batch dimension stays free).
         */
        public Builder model(Path onnxFile, Map<String, long[]> inputShapes) {
            this.model = OnnxImporter.read(onnxFile, inputShapes);
            this.modelPath = onnxFile;
            return this;
        }

        /** A model already read. */
        public Builder model(OnnxModel onnx) {
            this.model = FcptsException.requireNonNull(onnx, "model");
            this.modelPath = null;
            return this;
        }

        /**
         * Calibration data from a spec ({@link DataSpec}: idx's train split, the embedded calibration slice;
         * image files preprocessed as their kind's default, {@link DataSpec.Kind#preprocessing()}: the ImageNet
         * way for image folders, PaddleOCR's for text lines; see {@link #calibration(String, Preprocessing)}).
         */
        public Builder calibration(String dataSpec) {
            DataSpec.Kind kind = DataSpec.parse(dataSpec).kind();
            return calibration(dataSpec, kind.images() ? kind.preprocessing() : Preprocessing.imagenet());
        }

        /**
         * Calibration data from a spec, image files ({@code imagefolder:DIR}, {@code images:DIR},
         * {@code textlines:DIR}) decoded with {@code p}; its layout AUTO is inferred from the model's first input when {@link #build} runs.
         * Labels are not needed. The spec is checked at once, the folder listed at build time.
         */
        public Builder calibration(String dataSpec, Preprocessing p) {
            DataSpec.parse(dataSpec);
            this.calibrationSpec = dataSpec;
            this.preprocessing = FcptsException.requireNonNull(p, "preprocessing");
            this.calibration = null;
            return this;
        }

        /**
         * Calibration images from any image set (labels unused), CHW or, for channels-last sets, HWC; a CHW set
         * meets a model input declared [N, H, W, C] channels-last ({@link ChannelsLast}).
         */
        public Builder calibration(LabeledImages images) {
            this.calibration = FcptsException.requireNonNull(images, "calibration");
            this.calibrationSpec = null;
            return this;
        }

        /** The caller's own preprocessed samples, each channels x rows x cols floats (CHW; see above for NHWC). */
        public Builder calibration(Iterable<float[]> samples, int channels, int rows, int cols) {
            return calibration(SampleList.of(samples, channels, rows, cols));
        }

        public Builder targetSparsity(double s) {
            config.targetSparsity(s);
            return this;
        }

        public Builder method(Method m) {
            this.method = FcptsException.requireNonNull(m, "method");
            return this;
        }

        /** Baselines: also run the net-wise reconstruction at the baseline's fixed mask. */
        public Builder reconstruct(boolean on) {
            this.reconstruct = on;
            return this;
        }

        /** Layers to keep dense, as globs over node or weight names; each must match a layer. */
        public Builder exclude(String... patterns) {
            exclude.addAll(Arrays.asList(patterns));
            return this;
        }

        /**
         * {@code cpu} (default), {@code cuda} or {@code auto} (cuda where a device answers). On
         * {@code cuda} the whole loop runs on the GPU (cuDNN, cuBLAS and the kernels of libfcpts_cuda).
         */
        public Builder backend(String name) {
            this.backend = FcptsException.requireNonNull(name, "backend");
            return this;
        }

        /** Lets the cuda backend use TF32 tensor cores (about 1e-3 relative error); float32 by default. */
        public Builder allowTf32(boolean allow) {
            this.allowTf32 = allow;
            return this;
        }

        public Builder seed(long seed) {
            config.seed(seed);
            return this;
        }

        public Builder iterations(int n) {
            config.iterations(n);
            return this;
        }

        public Builder batch(int n) {
            config.batch(n);
            return this;
        }

        public Builder calibrationSamples(int n) {
            config.calibrationSamples(n);
            return this;
        }

        /** Any other hyperparameter, e.g. {@code c -> c.costBasis(FLOPS).layerSparsityRange(0, 0.95)}. */
        public Builder configure(Consumer<FcptsConfig.Builder> change) {
            change.accept(config);
            return this;
        }

        /** Replaces every hyperparameter (including target, seed and schedule) by {@code c}. */
        public Builder config(FcptsConfig c) {
            this.config = c.toBuilder();
            return this;
        }

        /**
         * Restricts the reconstruction loss to these graph outputs (default: every output; see
         * {@link ReconstructionPlan} for the loss each gets). Replaces earlier calls; none resets to all.
         */
        public Builder outputs(String... names) {
            config.outputs(List.of(names));
            return this;
        }

        public Builder listener(ProgressListener l) {
            this.listener = FcptsException.requireNonNull(l, "listener");
            return this;
        }

        /**
         * A pruner with the settings made so far; the builder is left as it is, so building twice gives two
         * equal pruners. The calibration samples drawn per run are capped at the size of the calibration set.
         *
         * @throws FcptsException {@link ErrorCode#INVALID_ARGUMENT} when the model or the calibration data is
         *                        missing or they do not fit each other, or a hyperparameter is out of range;
         *                        {@link ErrorCode#NON_FINITE_INPUT} naming a model parameter that holds NaN or
         *                        an infinity
         */
        public Pruner build() {
            if (model == null) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "no model: call model(path)");
            }
            Graph g = model.graph();
            NonFiniteParameters.requireFinite(g, "pruning");
            long[] declared = g.inputs().get(0).shape();
            LabeledImages data = calibration;
            if (calibrationSpec != null) {
                boolean images = DataSpec.parse(calibrationSpec).kind().images();
                data = DataSpec.open(calibrationSpec, DataSpec.Role.CALIBRATION,
                        images ? preprocessing.resolve(g.inputs().get(0).name(), declared) : preprocessing);
            }
            if (data == null) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "no calibration data: call calibration(...)");
            }
            if (data.size() == 0) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the calibration set is empty");
            }
            data = ChannelsLast.forInput(data, declared);
            if (g.prunableNodes().isEmpty()) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "model '" + g.name() + "' has no prunable "
                        + "layer (Conv, Gemm or MatMul with a constant weight)");
            }
            long[] sample = data.sampleShape();
            long[] given = {-1, sample[0], sample[1], sample[2]};
            boolean fits = declared.length == 4;
            for (int i = 1; fits && i < 4; i++) {
                fits = declared[i] <= 0 || declared[i] == given[i];
            }
            if (!fits) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "calibration samples are "
                        + given[1] + "x" + given[2] + "x" + given[3] + " but input '" + g.inputs().get(0).name()
                        + "' of '" + g.name() + "' expects " + Arrays.toString(declared));
            }
            try {
                FcptsConfig c = config.build();
                int batch = c.schedule().batch();
                if (c.schedule().calibrationSamples() > data.size()) {
                    if (data.size() < batch) {
                        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "the calibration set holds " + data.size()
                                + " samples, fewer than one batch of " + batch);
                    }
                    c = c.toBuilder().calibrationSamples(data.size()).build();
                }
                // a graph that fixes its batch at 1 is relaxed when the run starts (BatchRelaxation)
                long planned = BatchRelaxation.fixedBatch(g) == 1 ? 1 : batch;
                ReconstructionPlan.requireOutputs(g, c.objective().decisions().keySet(), "decision threshold output");
                List<ReconstructionTerm> terms = ReconstructionPlan.of(g, ShapeInference.infer(g,
                        Map.of(g.inputs().get(0).name(), new long[] {planned, sample[0], sample[1], sample[2]})),
                        c.objective().outputs(), c.objective().loss());
                return new Pruner(this, data, c, terms);
            } catch (IllegalArgumentException e) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
            }
        }
    }
}
