package io.github.fcpts4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line naming the host: CPU model, logical cores, memory, OS. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(s -> s.startsWith("model name"))
                    .findFirst().map(s -> s.substring(s.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException e) {
            // keep "unknown CPU": the benchmark still runs
        }
        long memGiB = Runtime.getRuntime().maxMemory() >> 30;
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " logical cores, JVM max heap " + memGiB
                + " GiB, " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
                + System.getProperty("java.version");
    }
}
