package io.github.fcpts4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code fcpts} command line. Exit codes: 0 success,
 * 1 a typed fcpts error, 2 bad usage or a command that is not implemented yet.
 */
@Command(name = "fcpts", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Fast and controllable post-training sparsity (FCPTS) for CNNs.",
        subcommands = {PruneCommand.class, BenchCommand.class, ExportCommand.class, InspectCommand.class, TrainCommand.class, EvalCommand.class, BackendsCommand.class, CommandLine.HelpCommand.class})
public final class FcptsCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI without exiting the JVM; returns the exit code. */
    public static int run(String... args) {
        return new CommandLine(new FcptsCli())
                .setExecutionExceptionHandler(new ErrorHandler())
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
