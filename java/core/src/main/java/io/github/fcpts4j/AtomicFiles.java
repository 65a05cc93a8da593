package io.github.fcpts4j;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes files atomically: into a hidden temporary file beside the target
 * (created with the default permissions, as any new file), then renamed over
 * it. A failed write leaves no partial file and an existing target untouched.
 * An interrupted one too: the temporary files being written are tracked, and
 * a shutdown hook (run on SIGINT, SIGTERM and {@code System.exit}) deletes the
 * ones still there, so Ctrl-C during a write leaves nothing behind.
 */
public final class AtomicFiles {

    /** Writes the bytes of the output. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** The temporary files being written now, and the hook that deletes those left when the JVM stops. */
    private static final class Pending {
        static final Set<Path> FILES = ConcurrentHashMap.newKeySet();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(Pending::deleteAll, "fcpts4j-temp-cleanup"));
        }

        static void deleteAll() {
            for (Path p : FILES) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // the JVM is stopping; nothing better to do with a file that cannot be deleted
                }
            }
        }
    }

    public static void write(Path target, Body body) {
        FcptsException.requireNonNull(target, "target");
        FcptsException.requireNonNull(body, "body");
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Pending.FILES.add(tmp);
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                body.writeTo(out);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot write " + target + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the rename succeeded or the write failed; nothing more to clean
            }
            Pending.FILES.remove(tmp);
        }
    }

    public static void writeString(Path target, String text) {
        FcptsException.requireNonNull(text, "text");
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
