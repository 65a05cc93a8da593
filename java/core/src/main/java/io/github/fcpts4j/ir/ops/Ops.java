package io.github.fcpts4j.ir.ops;

import io.github.fcpts4j.ir.OpType;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The op registry: the one {@link OpDefinition} of every {@link OpType}. A new op joins a family's
 * definition (or brings a new one, listed here); the registry refuses to load if an op has no definition
 * or two, so a forgotten op fails every test at once instead of at run time on some model.
 */
public final class Ops {
    private static final List<OpDefinition> DEFINITIONS = List.of(new UnaryOps(), new BinaryOps(), new ConvOp(),
            new PoolOps(), new GlobalAveragePoolOp(), new BatchNormOp(), new ReshapeOps(), new TransposeOp(),
            new ConcatOp(), new SoftmaxOp(), new GemmOp(), new MatMulOp(), new ConvTransposeOp(), new SplitOp(),
            new SliceOp(), new GatherOp(), new PadOp(), new ResizeOp(), new ReduceOps(), new LayerNormOp());
    private static final Map<OpType, OpDefinition> BY_OP = index(DEFINITIONS);

    private Ops() {
    }

    /** The definition of {@code op}. */
    public static OpDefinition of(OpType op) {
        return BY_OP.get(op);
    }

    /** Every definition, each once. */
    public static List<OpDefinition> definitions() {
        return DEFINITIONS;
    }

    private static Map<OpType, OpDefinition> index(List<OpDefinition> definitions) {
        Map<OpType, OpDefinition> byOp = new EnumMap<>(OpType.class);
        for (OpDefinition d : definitions) {
            for (OpType op : d.ops()) {
                OpDefinition twice = byOp.put(op, d);
                if (twice != null) {
                    throw new IllegalStateException(op + " is defined by both " + twice.getClass().getSimpleName()
                            + " and " + d.getClass().getSimpleName());
                }
            }
        }
        for (OpType op : OpType.values()) {
            if (!byOp.containsKey(op)) {
                throw new IllegalStateException(op + " (" + op.onnxName() + ") has no definition in the op registry");
            }
        }
        return byOp;
    }
}
