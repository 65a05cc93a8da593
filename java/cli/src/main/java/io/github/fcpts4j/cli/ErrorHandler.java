package io.github.fcpts4j.cli;

import io.github.fcpts4j.FcptsException;

import picocli.CommandLine;

/** Prints fcpts errors as one clear line (code and message) instead of a stack trace; exit code 1. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof FcptsException || e instanceof IllegalArgumentException) {
            cmd.getErr().println("fcpts " + cmd.getCommandName() + ": error: " + e.getMessage());
            return 1;
        }
        throw new IllegalStateException(e);
    }
}
