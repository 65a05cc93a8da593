package io.github.fcpts4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every numeric option of every command declares its range ({@link Ranges}), and a value outside it, NaN or
 * infinity is a usage error (exit 2) naming the option, the value and the range, before any work: no stack
 * trace, no division by zero, no message about another option.
 */
class NumericOptionsTest {
    private static final String MODEL = "../../examples/models/resnet20_fashion_mnist.onnx";
    /** Options any value of which is valid. */
    private static final Set<String> UNBOUNDED = Set.of("--seed");

    @Test
    void everyNumericOptionDeclaresItsRange() {
        CommandLine cli = FcptsCli.commandLine(CommandLine.defaultFactory());
        List<String> unchecked = new ArrayList<>();
        int numeric = 0;
        for (CommandLine sub : cli.getSubcommands().values()) {
            for (OptionSpec o : sub.getCommandSpec().options()) {
                Class<?> t = o.isMultiValue() ? o.auxiliaryTypes()[0] : o.type();
                boolean isNumber = Number.class.isAssignableFrom(t) || (t.isPrimitive() && t != boolean.class);
                if (!isNumber || UNBOUNDED.contains(o.longestName())) {
                    continue;
                }
                numeric++;
                boolean ranged = o.converters() != null && Arrays.stream(o.converters())
                        .anyMatch(c -> c.getClass().getEnclosingClass() == Ranges.class);
                if (!ranged) {
                    unchecked.add(sub.getCommandName() + " " + o.longestName());
                }
            }
        }
        assertTrue(numeric >= 20, "found the numeric options: " + numeric);
        assertEquals(List.of(), unchecked, "numeric options without a declared range");
    }

    private static void assertUsage(String expected, String... args) {
        RealDataCommandsTest.Result r = RealDataCommandsTest.run(args);
        assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().contains(expected), String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().contains("See 'fcpts " + args[0] + " --help'"), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
    }

    @Test
    void outOfRangeValuesNameTheOptionTheValueAndTheRange() {
        assertUsage("'--iters': -5 is not an integer >= 0", "prune", "--iters", "-5");
        assertUsage("'--batch': 0 is not an integer >= 1", "prune", "--batch", "0");
        assertUsage("'--calib': -1 is not an integer >= 1", "prune", "--calib", "-1");
        assertUsage("'--sparsity': 1 is not a number in [0, 1)", "prune", "--sparsity", "1");
        assertUsage("'--sparsity': NaN is not a number in [0, 1)", "prune", "--sparsity", "NaN");
        assertUsage("'--lambda': Infinity is not a finite number >= 0", "prune", "--lambda", "Infinity");
        assertUsage("'--weight-lr': -0.1 is not auto or a finite number >= 0", "prune", "--weight-lr", "-0.1");
        assertUsage("'--weight-lr': NaN is not auto or a finite number >= 0", "prune", "--weight-lr", "NaN");
        assertUsage("'--polish': 2 is not a number in [0, 1)", "prune", "--polish", "2");
        assertUsage("'--max-layer-sparsity': 1.5 is not a number in [0, 1]", "prune", "--max-layer-sparsity", "1.5");
        assertUsage("'--batch': 0 is not an integer >= 1", "eval", "--model", MODEL, "--batch", "0");
        assertUsage("'--batch': -2 is not an integer >= 1", "eval", "--model", MODEL, "--batch", "-2");
        assertUsage("'--crop': 0 is not an integer >= 1", "eval", "--model", MODEL, "--crop", "0");
        assertUsage("'--batch' (<batches>): 0 is not an integer >= 1", "bench", "--batch", "1,0");
        assertUsage("'--runs': 0 is not an integer >= 1", "bench", "--runs", "0");
        assertUsage("'--threads': -1 is not an integer >= 0", "bench", "--threads", "-1");
        assertUsage("'--epochs': 0 is not an integer >= 1", "train", "--arch", "resnet20", "--data", "idx:x",
                "--out", "t.onnx", "--epochs", "0");
        assertUsage("'--lr': 'fast' is not a finite number >= 0", "train", "--arch", "resnet20", "--data", "idx:x",
                "--out", "t.onnx", "--lr", "fast");
        assertUsage("'--limit': 99999999999 is not an integer >= 0 (at most 2147483647)", "train", "--arch",
                "resnet20", "--data",
                "idx:x", "--out", "t.onnx", "--limit", "99999999999");
    }
}
