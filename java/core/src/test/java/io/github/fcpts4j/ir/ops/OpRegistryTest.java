package io.github.fcpts4j.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.TensorData;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The op registry: one definition per op, and the traits the pruner and the sparse runtime rely on. */
class OpRegistryTest {

    @Test
    void everyOpHasExactlyOneDefinitionThatClaimsIt() {
        Set<OpType> claimed = EnumSet.noneOf(OpType.class);
        for (OpDefinition d : Ops.definitions()) {
            for (OpType op : d.ops()) {
                assertTrue(claimed.add(op), op + " is claimed twice");
                assertSame(d, Ops.of(op), op + " resolves to another definition than the one claiming it");
            }
        }
        assertEquals(EnumSet.allOf(OpType.class), claimed);
    }

    @Test
    void onlyConvConvTransposeGemmAndMatMulHavePrunableWeights() {
        Set<OpType> prunable = EnumSet.noneOf(OpType.class);
        for (OpType op : OpType.values()) {
            if (Ops.of(op).weightInput() >= 0) {
                prunable.add(op);
                assertEquals(1, Ops.of(op).weightInput(), op + ": the pruner reads the weight from input 1");
            }
        }
        assertEquals(EnumSet.of(OpType.CONV, OpType.CONV_TRANSPOSE, OpType.GEMM, OpType.MATMUL), prunable);
    }

    @Test
    void onlyBatchNormDeclaresNormalizationParametersAndRunningStatistics() {
        for (OpType op : OpType.values()) {
            boolean bn = op == OpType.BATCH_NORMALIZATION;
            assertEquals(bn ? List.of(1, 2) : List.of(), Ops.of(op).affineInputs(), op + " affine inputs");
            assertEquals(bn ? List.of(3, 4) : List.of(), Ops.of(op).runningStatisticInputs(), op + " statistics");
        }
    }

    @Test
    void macsPerWeightCountOutputPositionsOfConvAndRowsOfLinearLayers() {
        assertEquals(7 * 5, Ops.of(OpType.CONV).macsPerWeight(new long[] {1, 8, 14, 10}, new long[] {1, 16, 7, 5}));
        assertEquals(3, Ops.of(OpType.GEMM).macsPerWeight(new long[] {3, 4}, new long[] {3, 10}));
        assertEquals(2 * 9, Ops.of(OpType.MATMUL).macsPerWeight(new long[] {2, 9, 4}, new long[] {2, 9, 10}));
    }

    @Test
    void epilogueTraitsNameTheResidualAddAndTheTwoActivations() {
        for (OpType op : OpType.values()) {
            Epilogue e = Ops.of(op).epilogue(op);
            assertEquals(op == OpType.ADD, e.residual(), op + " residual");
            ConvActivation expected = op == OpType.RELU ? ConvActivation.RELU
                    : op == OpType.CLIP ? ConvActivation.CLIP : null;
            assertEquals(expected, e.activation(), op + " activation");
        }
    }

    @Test
    void gemmReadsAsALinearFormWithItsAttributesAndMatMulAsAPlainProduct() {
        Node gemm = new Node("fc", OpType.GEMM, List.of("x", "w", "b"), List.of("y"),
                Attributes.of("transB", 1L, "alpha", 0.5f));
        LinearForm f = Ops.of(OpType.GEMM).linearForm(gemm);
        assertEquals(new LinearForm(false, true, 0.5f, 1f, 2), f);
        Node mm = new Node("mm", OpType.MATMUL, List.of("x", "w"), List.of("y"), Attributes.empty());
        assertEquals(new LinearForm(false, false, 1f, 1f, -1), Ops.of(OpType.MATMUL).linearForm(mm));
        assertNull(Ops.of(OpType.CONV).linearForm(new Node("c", OpType.CONV, List.of("x", "w"), List.of("y"),
                Attributes.empty())));
    }

    @Test
    void oldOpsetClipMovesItsBoundsIntoConstantInputs() {
        Node clip = new Node("act", OpType.CLIP, List.of("x"), List.of("y"), Attributes.of("min", 0f, "max", 6f));
        Map<String, TensorData> added = new LinkedHashMap<>();
        Node upgraded = Ops.of(OpType.CLIP).fromOpset(clip, 6, added);
        assertEquals(List.of("x", "act__min", "act__max"), upgraded.inputs());
        assertFalse(upgraded.attributes().has("min"));
        assertArrayEquals(new float[] {0f}, added.get("act__min").floats());
        assertArrayEquals(new float[] {6f}, added.get("act__max").floats());
        Map<String, TensorData> none = new LinkedHashMap<>();
        assertSame(clip, Ops.of(OpType.CLIP).fromOpset(clip, 11, none));
        assertTrue(none.isEmpty());
    }

    @Test
    void softmaxGetsTheDefaultAxisOfItsOpset() {
        Node softmax = new Node("p", OpType.SOFTMAX, List.of("x"), List.of("y"), Attributes.empty());
        assertEquals(1L, Ops.of(OpType.SOFTMAX).fromOpset(softmax, 11, new LinkedHashMap<>()).attributes()
                .getInt("axis", 99));
        assertEquals(-1L, Ops.of(OpType.SOFTMAX).fromOpset(softmax, 13, new LinkedHashMap<>()).attributes()
                .getInt("axis", 99));
        assertNotNull(Ops.of(OpType.RESHAPE));
        assertTrue(Ops.of(OpType.RESHAPE).shapeInput(1));
        assertFalse(Ops.of(OpType.RESHAPE).shapeInput(0));
    }
}
