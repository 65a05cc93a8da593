package io.github.fcpts4j.testing;

import io.github.fcpts4j.AtomicFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A process that starts an atomic write of {@code args[0]}, writes a first chunk, says "writing" on stdout and
 * then waits forever inside the write: the parent test interrupts it there.
 */
public final class InterruptedWrite {
    private InterruptedWrite() {
    }

    public static void main(String[] args) {
        AtomicFiles.write(Path.of(args[0]), out -> {
            out.write("partial".getBytes(StandardCharsets.UTF_8));
            out.flush();
            System.out.println("writing");
            System.out.flush();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
