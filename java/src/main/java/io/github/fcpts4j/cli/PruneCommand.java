package io.github.fcpts4j.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fcpts prune}: the main job. The FCPTS loop lands with the pruning
 * issue; until then the command says so and exits with status 2, so that no
 * script mistakes it for a finished run.
 */
@Command(name = "prune", description = "Prune a model to an exact global sparsity with FCPTS (not implemented yet).")
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", hidden = true)
    List<String> ignored;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("fcpts prune: not implemented yet. This build has the backends, the "
                + "fused KDE-CDF kernel, ONNX import/export and the training engine; the FCPTS pruning loop is the "
                + "next milestone. Try 'fcpts backends', 'fcpts eval --model examples/models/"
                + "resnet20_fashion_mnist.onnx' or 'fcpts train --help'.");
        return 2;
    }
}
