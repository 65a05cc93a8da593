package io.github.fcpts4j.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code fcpts} command line. Exit codes: 0 success,
 * 1 a typed fcpts error, 2 bad usage (unknown command or option, a value that
 * is malformed or outside its option's range, see {@link Ranges}); {@code check} also exits 1
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
        return commandLine(factory).execute(args);
    }

    /** The command line with its handlers and every command's options (tests read the option specs). */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cli = new CommandLine(new FcptsCli(), factory)
                .setExecutionExceptionHandler(new ErrorHandler())
                .setParameterExceptionHandler(FcptsCli::usageError)
                .setExecutionStrategy(FcptsCli::execute);
        // -h / --help (and -V / --version) on every command, here once rather than on each @Command
        cli.getSubcommands().values().stream().filter(c -> !(c.getCommand() instanceof CommandLine.HelpCommand))
                .forEach(c -> c.getCommandSpec().mixinStandardHelpOptions(true));
        return cli;
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

    /**
     * A usage error (exit 2): the message, which names the option, the value and what was expected, then where
     * the options are listed; the full usage only where no command was given.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(e.getMessage());
        if (cmd.getCommand() instanceof FcptsCli) {
            cmd.usage(err);
        } else {
            err.println("See 'fcpts " + cmd.getCommandName() + " --help' for its options.");
        }
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
