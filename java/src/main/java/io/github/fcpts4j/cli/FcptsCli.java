package io.github.fcpts4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code fcpts} command line. Exit codes: 0 success,
 * 1 a typed fcpts error, 2 bad usage (unknown command or option, bad value
 * syntax) or a command that is not implemented yet; {@code check} also exits 1
 * when an output differs between ONNX Runtime and our engine. Every command answers
 * {@code -h} / {@code --help}.
 */
@Command(name = "fcpts", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Fast and controllable post-training sparsity (FCPTS) for CNNs.",
        subcommands = {PruneCommand.class, BenchCommand.class, ExportCommand.class, InspectCommand.class, CheckCommand.class, TrainCommand.class, EvalCommand.class, BackendsCommand.class, CommandLine.HelpCommand.class})
public final class FcptsCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI without exiting the JVM; returns the exit code. */
    public static int run(String... args) {
        return run(CommandLine.defaultFactory(), args);
    }

    /** As {@link #run(String...)}, with the commands made by {@code factory} (tests give commands seams). */
    static int run(CommandLine.IFactory factory, String... args) {
        CommandLine cli = new CommandLine(new FcptsCli(), factory)
                .setExecutionExceptionHandler(new ErrorHandler())
                .setExecutionStrategy(FcptsCli::execute);
        // -h / --help (and -V / --version) on every command, here once rather than on each @Command
        cli.getSubcommands().values().stream().filter(c -> !(c.getCommand() instanceof CommandLine.HelpCommand))
                .forEach(c -> c.getCommandSpec().mixinStandardHelpOptions(true));
        return cli.execute(args);
    }

    /**
     * Picocli's RunLast, except that an unknown command or argument is a usage error (exit 2) even when
     * --help is also given (picocli would print the help and exit 0).
     */
    private static int execute(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
                throw new CommandLine.UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
