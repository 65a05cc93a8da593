package io.github.fcpts4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.Backend;
import io.github.fcpts4j.backend.BackendOptions;
import io.github.fcpts4j.backend.Backends;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's serving example ("Use as a library"), as written there but with one timing run instead of five: the
 * first start times the plan and saves its choices, the second pins them; four threads serve through one plan with a
 * buffer each, and every reply equals the single-threaded {@link SparsePlan#run(Map)} of the same input, bit for bit.
 */
class ReadmeServingExampleTest {
    private static final Path MODEL = SparsePlanServingTest.MODEL;

    @TempDir
    Path dir;

    /** One start of the README's server: returns the logits of every request, served by {@code threads}. */
    private static float[][] serve(Path model, Path pinned, List<float[]> requests, int threads) throws Exception {
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults().withCpuThreads(1))) {
            String input = io.github.fcpts4j.onnx.OnnxImporter.read(model).graph().inputs().get(0).name();
            Map<String, long[]> shape = Map.of(input, new long[] {1, 1, 28, 28});
            SparsePlan.Options options = Files.exists(pinned)
                    ? SparsePlan.Options.defaults().pinnedTo(PlanChoices.load(pinned))
                    : SparsePlan.Options.defaults().withTimingRuns(1);
            try (SparsePlan plan = SparsePlan.build(model, cpu, shape, options)) {
                if (!Files.exists(pinned)) {
                    plan.planChoices().save(pinned);
                }
                String out = plan.outputNames().get(0);
                int classes = (int) Arrays.stream(plan.outputShape(out)).reduce(1, (a, b) -> a * b);
                ThreadLocal<float[]> logits = ThreadLocal.withInitial(() -> new float[classes]);
                float[][] replies = new float[requests.size()][];
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                try {
                    List<Future<?>> done = new ArrayList<>();
                    for (int r = 0; r < requests.size(); r++) {
                        int i = r;
                        done.add(pool.submit(() -> {
                            float[] y = logits.get();
                            plan.run(requests.get(i), y);
                            replies[i] = y.clone();
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                } finally {
                    pool.shutdown();
                }
                for (int r = 0; r < requests.size(); r++) {
                    assertArrayEquals(plan.run(Map.of(input, requests.get(r))).get(out), replies[r],
                            "request " + r + " served concurrently equals the single-threaded run");
                }
                return replies;
            }
        }
    }

    @Test
    void firstStartSavesTheChoicesTheSecondPinsThemAndBothServeTheSameReplies() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        List<float[]> requests = new ArrayList<>();
        for (int r = 0; r < 64; r++) {
            float[] x = new float[784];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble();
            }
            requests.add(x);
        }
        Path pinned = dir.resolve("resnet20.plan.json");
        float[][] first = serve(MODEL, pinned, requests, 4);
        assertTrue(Files.isRegularFile(pinned), "the first start saved its choices");
        PlanChoices saved = PlanChoices.load(pinned);
        float[][] second = serve(MODEL, pinned, requests, 4);
        assertEquals(saved, PlanChoices.load(pinned), "the second start pinned the file and left it as it was");
        for (int r = 0; r < requests.size(); r++) {
            assertArrayEquals(first[r], second[r], "request " + r + ": same layers, same numbers");
        }
    }
}
