package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxImporter;
import io.github.fcpts4j.testing.Misuse;
import io.github.fcpts4j.testing.SerialBackend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every misuse of {@link SparsePlan}'s public API, at build and at run, is an {@link FcptsException} with the
 * exact {@link ErrorCode} and a message naming the argument or value at fault. One dense plan of the shipped
 * ResNet-20 at batch 1 serves every run case; each build case fails before anything is compiled. A thread
 * interrupted while it waits for the context of a plan that serializes its runs gets {@link ErrorCode#CANCELLED}
 * with its interrupt flag set again (the context held, deterministically, by a run blocked in the backend's
 * synchronize).
 */
class SparsePlanMisuseTest {
    private static final Path MODEL = SparsePlanServingTest.MODEL;
    private static final long[] SHAPE = {1, 1, 28, 28};
    private static final SparsePlan.Options DENSE = SparsePlan.Options.defaults().withPolicy(SparsePlan.Policy.DENSE);

    @TempDir
    static Path dir;
    private static Backend cpu;
    private static SparsePlan plan;
    /** Two convs reading one input, each output a graph output. */
    private static SparsePlan twoOutputs;
    private static SparsePlan closed;
    private static String input;
    private static String output;

    @BeforeAll
    static void build() {
        cpu = Backends.openResolved("cpu", BackendOptions.defaults());
        input = OnnxImporter.read(MODEL).graph().inputs().get(0).name();
        plan = SparsePlan.build(MODEL, cpu, Map.of(input, SHAPE), DENSE);
        output = plan.outputNames().get(0);
        NetBuilder b = new NetBuilder("two_outputs", 1, NetBuilder.Init.TRAINING);
        String x = b.input("x", 1, 4, 4);
        b.output(b.relu(b.conv(x, 1, 2, 3, 1, 1, true)), -1, 2, 4, 4);
        b.output(b.conv(x, 1, 2, 3, 1, 1, true), -1, 2, 4, 4);
        twoOutputs = SparsePlan.build(b.build(), cpu, Map.of("x", new long[] {1, 1, 4, 4}), DENSE);
        closed = SparsePlan.build(MODEL, cpu, Map.of(input, SHAPE), DENSE);
        closed.close();
    }

    @AfterAll
    static void close() {
        plan.close();
        twoOutputs.close();
        cpu.close();
    }

    private static Misuse misuse(String name, ErrorCode code, String expected, Misuse.Action action) {
        return Misuse.of(name, code, expected, action);
    }

    private static Map<String, long[]> shapes(long... shape) {
        return Map.of(input, shape);
    }

    private static <V> Map<String, V> withNull(String key) {
        Map<String, V> m = new HashMap<>();
        m.put(key, null);
        return m;
    }

    private static float[] x() {
        return new float[784];
    }

    static Stream<Misuse> misuses() {
        ErrorCode bad = ErrorCode.INVALID_ARGUMENT;
        return Stream.of(
                misuse("build: null model", bad, "model is null",
                        () -> SparsePlan.build((Path) null, cpu, shapes(SHAPE))),
                misuse("build: null graph", bad, "graph is null",
                        () -> SparsePlan.build((Graph) null, cpu, shapes(SHAPE), DENSE)),
                misuse("build: null backend", bad, "backend is null",
                        () -> SparsePlan.build(MODEL, null, shapes(SHAPE))),
                misuse("build: null inputShapes", bad, "inputShapes is null", () -> SparsePlan.build(MODEL, cpu, null)),
                misuse("build: null options", bad, "options is null",
                        () -> SparsePlan.build(MODEL, cpu, shapes(SHAPE), null)),
                misuse("build: no such file", bad, "no_such.onnx",
                        () -> SparsePlan.build(dir.resolve("no_such.onnx"), cpu, shapes(SHAPE))),
                misuse("build: not a model", ErrorCode.INVALID_MODEL, "not_a_model.onnx", () -> {
                    Path f = Files.writeString(dir.resolve("not_a_model.onnx"), "hello");
                    SparsePlan.build(f, cpu, shapes(SHAPE));
                }),
                misuse("build: input missing", bad, "no shape for input '" + input + "'",
                        () -> SparsePlan.build(MODEL, cpu, Map.of(), DENSE)),
                misuse("build: unknown input key", bad, "names 'bogus', which is not an input of the model; its "
                        + "inputs: [" + input + "]",
                        () -> SparsePlan.build(MODEL, cpu, Map.of(input, SHAPE, "bogus", SHAPE), DENSE)),
                misuse("build: null shape", bad, "inputShapes['" + input + "'] is null",
                        () -> SparsePlan.build(MODEL, cpu, withNull(input), DENSE)),
                misuse("build: wrong rank", bad, "[1, 28, 28]",
                        () -> SparsePlan.build(MODEL, cpu, shapes(1, 28, 28), DENSE)),
                misuse("build: wrong channels", bad, "inputShapes['" + input + "'] is [1, 3, 28, 28], the model "
                        + "declares input '" + input + "' as", () -> SparsePlan.build(MODEL, cpu, shapes(1, 3, 28, 28),
                        DENSE)),
                misuse("build(Graph): wrong channels", bad, "is [1, 3, 28, 28]", () -> SparsePlan.build(
                        OnnxImporter.read(MODEL).graph(), cpu, shapes(1, 3, 28, 28), DENSE)),
                misuse("build: zero batch", bad, "[0, 1, 28, 28]",
                        () -> SparsePlan.build(MODEL, cpu, shapes(0, 1, 28, 28), DENSE)),
                misuse("build: zero timing runs", bad, "timingRuns is 0",
                        () -> SparsePlan.build(MODEL, cpu, shapes(SHAPE), DENSE.withTimingRuns(0))),
                misuse("build: null policy", bad, "policy is null", () -> DENSE.withPolicy(null)),
                misuse("run: null inputs", bad, "inputs is null", () -> plan.run((Map<String, float[]>) null)),
                misuse("run: input missing", bad, "inputs has no array for input '" + input + "'",
                        () -> plan.run(Map.of())),
                misuse("run: unknown input key", bad, "inputs names 'bogus', which is not an input",
                        () -> plan.run(Map.of(input, x(), "bogus", x()))),
                misuse("run: null array", bad, "inputs['" + input + "'] is null", () -> plan.run(withNull(input))),
                misuse("run: wrong length", bad, "inputs['" + input + "'] holds 783 floats; input '" + input
                        + "' of shape [1, 1, 28, 28] takes 784", () -> plan.run(Map.of(input, new float[783]))),
                misuse("serving run: null outputs", bad, "outputs is null", () -> plan.run(Map.of(input, x()), null)),
                misuse("serving run: no outputs", bad, "outputs is empty",
                        () -> plan.run(Map.of(input, x()), Map.of())),
                misuse("serving run: unknown output key", bad, "outputs names 'bogus', which is not an output",
                        () -> plan.run(Map.of(input, x()), Map.of(output, new float[10], "bogus", new float[10]))),
                misuse("serving run: null output array", bad, "outputs['" + output + "'] is null",
                        () -> plan.run(Map.of(input, x()), withNull(output))),
                misuse("serving run: wrong output length", bad, "outputs['" + output + "'] holds 9 floats; output '"
                        + output + "' of shape [1, 10] takes 10",
                        () -> plan.run(Map.of(input, x()), Map.of(output, new float[9]))),
                misuse("serving run: wrong input length", bad, "holds 785 floats",
                        () -> plan.run(Map.of(input, new float[785]), Map.of(output, new float[10]))),
                misuse("single run: null input", bad, "input is null", () -> plan.run(null, new float[10])),
                misuse("single run: wrong output length", bad, "output holds 11 floats",
                        () -> plan.run(x(), new float[11])),
                misuse("single run: two outputs", bad, "one input and one output", () -> twoOutputs.run(new float[16],
                        new float[32])),
                misuse("profile: zero runs", bad, "runs is 0", () -> plan.profile(Map.of(input, x()), 0)),
                misuse("profile: unknown input key", bad, "'bogus'",
                        () -> plan.profile(Map.of(input, x(), "bogus", x()), 1)),
                misuse("inputShape: unknown name", bad, "no input 'bogus'", () -> plan.inputShape("bogus")),
                misuse("outputShape: unknown name", bad, "no output 'bogus'; its outputs: [" + output + "]",
                        () -> plan.outputShape("bogus")),
                misuse("closed: run", ErrorCode.CLOSED, "after close", () -> closed.run(Map.of(input, x()))),
                misuse("closed: serving run", ErrorCode.CLOSED, "after close",
                        () -> closed.run(Map.of(input, x()), Map.of(output, new float[10]))),
                misuse("closed: single run", ErrorCode.CLOSED, "after close", () -> closed.run(x(), new float[10])),
                misuse("closed: profile", ErrorCode.CLOSED, "after close",
                        () -> closed.profile(Map.of(input, x()), 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misuses")
    void misuseFailsWithItsCodeNamingTheCulprit(Misuse m) {
        m.check();
    }

    @Test
    void aThreadInterruptedWhileWaitingForTheContextGetsCancelled() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch inRun = new CountDownLatch(1), release = new CountDownLatch(1);
        Backend blocking = new BlockingBackend(cpu, armed, inRun, release);
        try (SparsePlan serial = SparsePlan.build(MODEL, blocking, shapes(SHAPE), DENSE)) {
            Thread holder = new Thread(() -> serial.run(Map.of(input, x())), "holder");
            armed.set(true);
            holder.start();
            FcptsException e;
            boolean flagSetAgain;
            try {
                assertTrue(inRun.await(1, TimeUnit.MINUTES), "the holder's run reached synchronize");
                Thread.currentThread().interrupt();
                e = assertThrows(FcptsException.class, () -> serial.run(Map.of(input, x())));
                flagSetAgain = Thread.interrupted();
            } finally {
                release.countDown();
                holder.join(60_000);
            }
            assertEquals(ErrorCode.CANCELLED, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("interrupted while waiting"), e.getMessage());
            assertTrue(flagSetAgain, "the interrupt flag is set again");
        }
    }

    /** A {@link SerialBackend} whose next synchronize, once armed, blocks until released. */
    private static final class BlockingBackend extends SerialBackend {
        private final AtomicBoolean armed;
        private final CountDownLatch inRun;
        private final CountDownLatch release;

        BlockingBackend(Backend cpu, AtomicBoolean armed, CountDownLatch inRun, CountDownLatch release) {
            super(cpu);
            this.armed = armed;
            this.inRun = inRun;
            this.release = release;
        }

        @Override
        public void synchronize() {
            super.synchronize();
            if (armed.getAndSet(false)) {
                inRun.countDown();
                boolean released = false;
                while (!released) {
                    try {
                        release.await(1, TimeUnit.MINUTES);
                        released = true;
                    } catch (InterruptedException ignored) {
                        // the holder is not the interrupted thread; keep it blocked until released
                    }
                }
            }
        }
    }
}
