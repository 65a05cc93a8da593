package io.github.fcpts4j;

import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.data.CalibrationSampler;
import io.github.fcpts4j.data.DataSpec;
import io.github.fcpts4j.data.IdxDataset;
import io.github.fcpts4j.data.LabeledImages;
import io.github.fcpts4j.data.Preprocessing;
import io.github.fcpts4j.data.RandomImages;
import io.github.fcpts4j.data.SampleList;
import io.github.fcpts4j.prune.Pruner;
import io.github.fcpts4j.sparse.PlanChoices;
import io.github.fcpts4j.testing.Misuse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public API's misuse cases outside the sparse plan (those are {@code sparse.SparsePlanMisuseTest}): each
 * fails with an {@link FcptsException} of the listed code whose message names the argument at fault; none is
 * an {@link IllegalArgumentException}, an NPE or a half-done result.
 */
class ApiMisuseTest {
    private static final Path RESNET20 = Path.of("../../examples/models/resnet20_fashion_mnist.onnx");

    @TempDir
    static Path dir;

    /** A set with no samples. */
    private static final LabeledImages EMPTY = new LabeledImages() {
        @Override
        public int size() {
            return 0;
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int rows() {
            return 2;
        }

        @Override
        public int cols() {
            return 2;
        }

        @Override
        public int read(int i, float[] dst, int offset) {
            throw new IndexOutOfBoundsException(i);
        }
    };

    private static Misuse misuse(String name, ErrorCode code, String expected, Misuse.Action action) {
        return Misuse.of(name, code, expected, action);
    }

    static Stream<Misuse> misuses() {
        ErrorCode bad = ErrorCode.INVALID_ARGUMENT;
        return Stream.of(
                misuse("BackendOptions: negative threads", bad, "cpuThreads must be >= 0",
                        () -> BackendOptions.defaults().withCpuThreads(-1)),
                misuse("BackendOptions: negative device", bad, "cudaDevice must be >= 0",
                        () -> BackendOptions.defaults().withCudaDevice(-2)),
                misuse("Backends.open: unknown name", bad, "unknown backend 'tpu'",
                        () -> Backends.open("tpu", BackendOptions.defaults()).close()),
                misuse("Backends.open: null name", bad, "request is null",
                        () -> Backends.open(null, BackendOptions.defaults()).close()),
                misuse("Backends.openResolved: null options", bad, "options is null",
                        () -> Backends.openResolved("cpu", null).close()),
                misuse("DataSpec.parse: null", bad, "spec is null", () -> DataSpec.parse(null)),
                misuse("DataSpec.parse: unknown prefix", bad, "unknown data spec 'pics:x'",
                        () -> DataSpec.parse("pics:x")),
                misuse("DataSpec.open: images without preprocessing", bad, "preprocessing is null",
                        () -> DataSpec.open("images:" + dir, DataSpec.Role.CALIBRATION, null)),
                misuse("IdxDataset.embedded: unknown set", bad, "no embedded data set 'cifar'",
                        () -> IdxDataset.embedded("cifar", IdxDataset.Split.TEST)),
                misuse("Preprocessing: null resize", bad, "resize is null",
                        () -> Preprocessing.imagenet().withResize(null)),
                misuse("Preprocessing: crop above resize", bad, "resize 100 with crop 224",
                        () -> new Preprocessing.ShorterSide(100, 224)),
                misuse("Preprocessing: null mean", bad, "mean is null",
                        () -> Preprocessing.imagenet().withNormalization(null, new float[] {1})),
                misuse("RandomImages: 2-D shape", bad, "random images need a 3-D sample shape",
                        () -> new RandomImages(new long[] {28, 28}, false, 4, 1, 0, 1)),
                misuse("CalibrationSampler: empty set", bad, "the calibration set is empty",
                        () -> new CalibrationSampler(EMPTY, 8, 4, 1, false)),
                misuse("SampleList: no samples", bad, "no calibration samples given",
                        () -> SampleList.of(List.of(), 1, 2, 2)),
                misuse("SampleList: wrongly sized sample", bad, "sample 1",
                        () -> SampleList.of(List.of(new float[4], new float[3]), 1, 2, 2)),
                misuse("Pruner: no model", bad, "no model",
                        () -> Pruner.builder().calibration(DataSpec.DEFAULT).build()),
                misuse("Pruner: target sparsity 1", bad, "target sparsity must be in [0, 1), got 1.0",
                        () -> Pruner.builder().model(RESNET20).calibration(DataSpec.DEFAULT).targetSparsity(1.0)
                                .build()),
                misuse("Pruner: null method", bad, "method is null", () -> Pruner.builder().method(null)),
                misuse("Pruner: missing model file", bad, "no_such.onnx",
                        () -> Pruner.builder().model(dir.resolve("no_such.onnx")).calibration(DataSpec.DEFAULT)
                                .build().run()),
                misuse("Pruner: export onto the input", bad, "resnet20_fashion_mnist.onnx",
                        () -> Pruner.builder().model(RESNET20).calibration(DataSpec.DEFAULT).iterations(1).batch(4)
                                .calibrationSamples(4).build().run().export(RESNET20)),
                misuse("PlanChoices.load: missing file", bad, "missing.json",
                        () -> PlanChoices.load(dir.resolve("missing.json"))),
                misuse("PlanChoices.load: not JSON", bad, "broken.json",
                        () -> PlanChoices.load(Files.writeString(dir.resolve("broken.json"), "{not json"))),
                misuse("AtomicFiles: null target", bad, "target is null",
                        () -> AtomicFiles.writeString(null, "x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misuses")
    void failsWithItsCodeNamingTheArgument(Misuse m) {
        m.check();
    }
}
