package io.github.fcpts4j.cli;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a command's output files before any work is done: none is an input (compared as files, so symbolic
 * and hard links count: {@link Files#isSameFile}), no two outputs are the same file, none is an existing
 * directory, and each one's directory exists and is writable. A failure is an {@code INVALID_ARGUMENT} naming
 * both options.
 */
final class OutputPaths {
    private final List<Map.Entry<String, Path>> inputs = new ArrayList<>();
    private final List<Map.Entry<String, Path>> outputs = new ArrayList<>();

    /** An input model the outputs must not overwrite, by the option that names it. */
    OutputPaths input(String option, Path file) {
        if (file != null) {
            inputs.add(Map.entry(option, file));
        }
        return this;
    }

    /** An output file, by the option that names it (null: not written). */
    OutputPaths output(String option, Path file) {
        if (file != null) {
            outputs.add(Map.entry(option, file));
        }
        return this;
    }

    /** @throws FcptsException INVALID_ARGUMENT for the first rule broken */
    void check() {
        Map<String, Path> seen = new LinkedHashMap<>();
        for (var out : outputs) {
            String what = out.getKey() + " " + out.getValue();
            Path file = out.getValue();
            if (Files.isDirectory(file)) {
                throw bad(what + " is a directory; give a file name");
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw bad(what + ": directory " + parent + " does not exist");
            }
            if (!Files.isWritable(parent)) {
                throw bad(what + ": directory " + parent + " is not writable");
            }
            for (var in : inputs) {
                if (same(file, in.getValue())) {
                    throw bad(what + " is the input model (" + in.getKey() + " " + in.getValue()
                            + ", the same file through links or not); choose another file");
                }
            }
            Path key = canonical(file);
            for (var earlier : seen.entrySet()) {
                if (earlier.getValue().equals(key)) {
                    throw bad(what + " is the same file as " + earlier.getKey() + "; give each output its own file");
                }
            }
            seen.put(what, key);
        }
    }

    /** Whether two paths are one file (when both exist), through links of any kind. */
    private static boolean same(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The file a path will create: its directory resolved through links, plus its name. */
    private static Path canonical(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                return abs.toRealPath();
            }
            return abs.getParent().toRealPath().resolve(abs.getFileName());
        } catch (IOException e) {
            return abs;
        }
    }

    private static FcptsException bad(String message) {
        return new FcptsException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
