package io.github.fcpts4j.engine;

import io.github.fcpts4j.testing.ReferenceInterpreter;
import io.github.fcpts4j.testing.TestNets;
import io.github.fcpts4j.testing.CpuTest;

import org.junit.jupiter.api.Test;

/**
 * Our float forward and backward against a double-precision reference
 * interpreter written from the ONNX definitions ({@link ReferenceInterpreter}):
 * forward outputs agree, and every checked gradient entry agrees with central
 * finite differences computed in double (step 1e-5: truncation ~1e-10, rounding
 * ~1e-11, and a kink of ReLU / max-pool / clip is crossed with negligible
 * probability, so real ReLU networks can be checked).
 *
 * <p>Tolerance on gradients |ours - fd| <= 1e-4 + 2e-3 |fd|: our backward runs
 * in float with sums of up to a few thousand terms per entry (relative error
 * ~1e-5 typical, 1e-4 in the worst cancellations); a wrong backward is off by
 * O(1). Forward: 1e-4 + 1e-4 |ref|, as against ONNX Runtime.
 */
class DoubleFiniteDifferenceTest extends CpuTest {
    @Test
    void everyOpAgainstTheDoubleReference() {
        DoubleReferenceCheck.check(cpu, TestNets.allOpsNet(51), new long[] {2, 3, 17, 17}, 1000, 3, 61);
    }

    @Test
    void reluResNet20AgainstTheDoubleReference() {
        DoubleReferenceCheck.check(cpu, TestNets.resnet20(52), new long[] {1, 1, 28, 28}, 12, 2, 62);
    }
}
