package io.github.fcpts4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The seeded fuzzing of the readers of untrusted files (the ONNX importer, the IDX reader, the image
 * decoder): byte-level mutations shared by the three fuzz tests, and {@link Run}, which runs the cases and
 * checks each outcome.
 *
 * <p>Case {@code i} of a target draws its mutations from {@link #random}{@code (target, seed, i)} only, so
 * one case replays alone: {@code -Dfcpts.fuzz.seed=S -Dfcpts.fuzz.case=I} (the seed defaults to
 * {@link #DEFAULT_SEED}; every failure prints both); {@code -Dfcpts.fuzz.scale=K} runs K times the cases,
 * for a longer search by hand. A case passes when it returns, or throws an {@link FcptsException} of an
 * allowed code whose message names what the target says it must name, while allocating at most the run's
 * limit on its thread (counted by the JVM's per-thread allocation counter): a header that lies about a size
 * must be refused before anything of that size is allocated. Any other throwable (NullPointerException,
 * IndexOutOfBounds, NegativeArraySize, Arithmetic, OutOfMemoryError, StackOverflowError, ...) fails the case.
 */
public final class Fuzz {
    public static final long DEFAULT_SEED = 0x5eed_f0221L;

    private Fuzz() {
    }

    /** The seed of this run: system property {@code fcpts.fuzz.seed}, else {@link #DEFAULT_SEED}. */
    public static long seed() {
        return Long.getLong("fcpts.fuzz.seed", DEFAULT_SEED);
    }

    /** The random source of case {@code index}: a function of target, seed and index only (splitmix64-mixed). */
    public static Random random(String target, long seed, int index) {
        long z = seed + target.hashCode() * 0xbf58476d1ce4e5b9L + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return new Random(z ^ (z >>> 31));
    }

    /**
     * How many cases a target runs: {@code count} times the system property {@code fcpts.fuzz.scale} (default
     * 1; a larger one searches longer, for a run by hand).
     */
    public static int cases(int count) {
        return count * Integer.getInteger("fcpts.fuzz.scale", 1);
    }

    /** Whether case {@code index} runs: all do unless {@code fcpts.fuzz.case} picks one. */
    public static boolean selected(int index) {
        Integer only = Integer.getInteger("fcpts.fuzz.case");
        return only == null || only == index;
    }

    /** {@code flips} random bits of a copy flipped; the description lists their byte offsets. */
    public static byte[] flipBits(byte[] in, Random r, int flips, StringBuilder what) {
        byte[] out = in.clone();
        what.append("flip ").append(flips).append(" bit(s) at");
        for (int i = 0; i < flips && out.length > 0; i++) {
            int at = r.nextInt(out.length);
            out[at] ^= (byte) (1 << r.nextInt(8));
            what.append(' ').append(at);
        }
        return out;
    }

    /** The first {@code length} bytes. */
    public static byte[] truncate(byte[] in, int length, StringBuilder what) {
        what.append("truncate ").append(in.length).append(" -> ").append(length).append(" bytes");
        return Arrays.copyOf(in, length);
    }

    /** A random slice of up to {@code max} bytes deleted, or doubled in place. */
    public static byte[] deleteOrDuplicateSlice(byte[] in, Random r, int max, StringBuilder what) {
        int at = r.nextInt(Math.max(1, in.length));
        int len = Math.min(in.length - at, 1 + r.nextInt(max));
        boolean delete = r.nextBoolean();
        what.append(delete ? "delete " : "duplicate ").append(len).append(" bytes at ").append(at);
        byte[] out = new byte[delete ? in.length - len : in.length + len];
        System.arraycopy(in, 0, out, 0, at + (delete ? 0 : len));
        System.arraycopy(in, delete ? at + len : at, out, at + (delete ? 0 : len), in.length - at - (delete ? len : 0));
        return out;
    }

    /** A copy with {@code value} written big-endian (IDX, PNG) or little-endian (BMP) at {@code at}. */
    public static byte[] putInt(byte[] in, int at, int value, boolean bigEndian) {
        byte[] out = in.clone();
        for (int i = 0; i < 4; i++) {
            int shift = bigEndian ? 24 - 8 * i : 8 * i;
            out[at + i] = (byte) (value >>> shift);
        }
        return out;
    }

    /** One of the sizes that break readers: 0, 1, -1, a power of two past int, max values, off by one. */
    public static long oddSize(Random r, long near) {
        long[] odd = {0, 1, -1, -2, near + 1, near - 1, 2 * near, 1L << 31, (1L << 31) - 1, 1L << 32, 1L << 40,
                Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xffff, 100_000};
        return odd[r.nextInt(odd.length)];
    }

    /** Prints the summaries of {@code runs}; fails with the failures of all of them. */
    public static void finish(Run... runs) {
        List<String> reports = new ArrayList<>();
        for (Run run : runs) {
            String r = run.report();
            if (r != null) {
                reports.add(r);
            }
        }
        if (!reports.isEmpty()) {
            fail(String.join("\n", reports));
        }
    }

    /** The cases of one target and their outcomes. */
    public static final class Run {
        private static final int SHOWN = 10;

        private final String target;
        private final long seed;
        private final Set<ErrorCode> allowed;
        private final long allocationLimit;
        private final com.sun.management.ThreadMXBean threads;
        private final List<String> failures = new ArrayList<>();
        private final Map<ErrorCode, Integer> refused = new EnumMap<>(ErrorCode.class);
        private final long started = System.nanoTime();
        private int cases;
        private int accepted;
        private long mostAllocated;
        private String mostAllocating = "";

        /**
         * @param allowed         the codes a refused case may carry
         * @param allocationLimit the most bytes one case may allocate on its thread
         */
        public Run(String target, Set<ErrorCode> allowed, long allocationLimit) {
            this.target = target;
            this.seed = Fuzz.seed();
            this.allowed = allowed;
            this.allocationLimit = allocationLimit;
            this.threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            System.out.println("[fuzz] " + target + ": seed " + seed + " (-Dfcpts.fuzz.seed), allocation limit "
                    + (allocationLimit >> 20) + " MiB per case");
        }

        public long seed() {
            return seed;
        }

        /** What a case does; it may throw anything, which the run judges. */
        @FunctionalInterface
        public interface Body {
            void run() throws Exception;
        }

        /**
         * Runs case {@code index}. {@code mustName}: a string a refusal's message must contain (the file at
         * fault), or null. {@code body} returning means the input was accepted; it may check the result
         * itself and throw an AssertionError, which fails the case like any other throwable.
         */
        public void check(int index, String mutation, String mustName, Body body) {
            cases++;
            long before = threads.getCurrentThreadAllocatedBytes();
            String problem = null;
            Throwable thrown = null;
            try {
                body.run();
                accepted++;
            } catch (FcptsException e) {
                if (!allowed.contains(e.code())) {
                    problem = "code " + e.code() + ", expected one of " + allowed;
                    thrown = e;
                } else if (mustName != null && !e.getMessage().contains(mustName)) {
                    problem = "the message does not name " + mustName;
                    thrown = e;
                } else {
                    refused.merge(e.code(), 1, Integer::sum);
                }
            } catch (Throwable e) {
                problem = e.getClass().getSimpleName();
                thrown = e;
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > mostAllocated) {
                mostAllocated = allocated;
                mostAllocating = "case " + index + " [" + mutation + "]";
            }
            if (problem == null && allocated > allocationLimit) {
                problem = "allocated " + (allocated >> 20) + " MiB, above the limit of " + (allocationLimit >> 20)
                        + " MiB";
            }
            if (problem != null) {
                failures.add("case " + index + " [" + mutation + "]: " + problem
                        + (thrown == null ? "" : "\n    " + stackTop(thrown)));
            }
        }

        /** Prints the summary; fails listing the first failures with how to replay them. */
        public void finish() {
            Fuzz.finish(this);
        }

        /** Prints the summary and every failure; returns the failure report, or null when all cases passed. */
        private String report() {
            if (cases == 0) {
                return null;  // a replay of one case of another run
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("[fuzz] %s: %d cases in %.1f s, %d accepted, refused %s, %d failed, most allocated by "
                    + "one case %d MiB (%s)%n", target, cases, seconds, accepted, refused, failures.size(),
                    mostAllocated >> 20, mostAllocating);
            if (failures.isEmpty()) {
                return null;
            }
            failures.forEach(f -> System.out.println("[fuzz] " + target + " " + f));
            return target + ": " + failures.size() + " of " + cases + " cases failed (seed " + seed + "; replay one "
                    + "with -Dfcpts.fuzz.seed=" + seed + " -Dfcpts.fuzz.case=N):\n"
                    + String.join("\n", failures.subList(0, Math.min(SHOWN, failures.size())))
                    + (failures.size() > SHOWN ? "\n... and " + (failures.size() - SHOWN) + " more" : "");
        }

        private static String stackTop(Throwable e) {
            StringWriter s = new StringWriter();
            e.printStackTrace(new PrintWriter(s));
            String[] lines = s.toString().split("\n");
            return String.join("\n    ", Arrays.copyOf(lines, Math.min(lines.length, 6))).strip();
        }
    }
}
