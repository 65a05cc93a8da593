package io.github.fcpts4j.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a main class of the test classpath in a fresh JVM (tests of what happens when a process is
 * interrupted or exits: shutdown hooks, temporary files), with its stdout readable and stderr inherited.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * @param tmpdir    the child's {@code java.io.tmpdir}, or null for the default
     * @param mainClass the class whose {@code main} runs
     */
    public static Process start(Path tmpdir, Class<?> mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        if (tmpdir != null) {
            cmd.add("-Djava.io.tmpdir=" + tmpdir);
        }
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * Sends SIGTERM to the process. The JVM runs its shutdown hooks on SIGTERM exactly as on SIGINT (Ctrl-C);
     * SIGINT itself cannot be used here, because a shell that starts the build in the background ignores
     * SIGINT for everything it starts (POSIX), and a JVM that starts with SIGINT ignored never handles it.
     */
    public static void terminate(Process p) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -TERM " + p.pid() + " failed");
        }
    }
}
