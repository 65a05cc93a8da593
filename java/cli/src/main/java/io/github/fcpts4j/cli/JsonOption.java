package io.github.fcpts4j.cli;

import picocli.CommandLine.Option;

/** Mixin: {@code --json}, one JSON object on stdout (progress and tables go to stderr). */
final class JsonOption {
    @Option(names = "--json", description = "Print one JSON object on stdout (progress and tables go to stderr).")
    boolean json;
}
