package io.github.fcpts4j.eval;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes the {@code onnxruntime-java*} folder ONNX Runtime's Java API makes in the temp folder for its
 * native libraries. ONNX Runtime asks the JVM to delete it on exit, but registers it after the library files
 * inside, and the JVM deletes in reverse order of registration: the folder, still full, is skipped, and every
 * process that ran ONNX Runtime leaves an empty folder behind. A shutdown hook here deletes the folder and what
 * is in it (the libraries are loaded; unlinking them is safe on Linux). The folder is read from ONNX Runtime's
 * private field {@code OnnxRuntime.tempDirectory}; where a version has no such field, nothing is done.
 */
final class OrtTempDirectory {
    private OrtTempDirectory() {
    }

    private static boolean registered;

    /** Call after ONNX Runtime is loaded; registers the hook once. */
    static synchronized void deleteOnExit() {
        if (registered) {
            return;
        }
        registered = true;
        Path dir = folder();
        if (dir != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "fcpts4j-ort-temp-cleanup"));
        }
    }

    private static Path folder() {
        try {
            Field f = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
            f.setAccessible(true);
            return f.get(null) instanceof Path p && p.getFileName().toString().startsWith("onnxruntime-java") ? p
                    : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // the JVM is stopping; a folder that cannot be deleted stays, as it would without this hook
        }
    }
}
