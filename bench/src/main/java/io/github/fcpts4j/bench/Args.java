package io.github.fcpts4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} pairs of a benchmark's command line. */
final class Args {
    private Args() {
    }

    static Map<String, String> parse(String[] args, String usage) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: " + usage + "; bad argument '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
