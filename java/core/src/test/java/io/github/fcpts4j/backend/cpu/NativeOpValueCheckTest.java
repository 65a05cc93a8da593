package io.github.fcpts4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;

import java.util.Arrays;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.Test;

/**
 * An op value outside the native list (fcpts/ops.def) is rejected at the C entry
 * point with FCPTS_INVALID_ARGUMENT naming the enum and the value, and writes
 * nothing: it never falls through to another op (before, an unknown unary op
 * computed HardSwish in the CUDA switch and an unknown binary op Div).
 */
class NativeOpValueCheckTest {
    private static final int N = 7;
    private static final float SENTINEL = 42.5f;
    /** {n, c, h, w, oc, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups}: 3x3, pad 1, 1 -> 1 channel. */
    private static final long[] GEOMETRY = {1, 1, 4, 4, 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1};

    private static int[] outOfRange(int count) {
        return new int[] {count, count + 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
    }

    private static void assertRejected(int rc, CpuNatives.Status status, String enumName, int value, String what) {
        assertEquals(1, rc, what + ": FCPTS_INVALID_ARGUMENT expected");
        String message = status.message().getString();
        assertTrue(message.contains(enumName) && message.contains("value " + value), what + ": " + message);
        FcptsException e = assertThrows(FcptsException.class, () -> CpuKernels.check(rc, status, what));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    private static void assertUntouched(FloatPointer p, String what) {
        float[] got = new float[N];
        p.get(got);
        float[] want = new float[N];
        Arrays.fill(want, SENTINEL);
        assertTrue(Arrays.equals(want, got), what + " wrote its output: " + Arrays.toString(got));
    }

    private static FloatPointer filled() {
        float[] v = new float[N];
        Arrays.fill(v, SENTINEL);
        return new FloatPointer(v);
    }

    @Test
    void unaryForwardAndBackward() {
        for (int op : outOfRange(NetworkKernels.Unary.values().length)) {
            try (FloatPointer x = new FloatPointer(-1f, -0.5f, 0f, 0.5f, 1f, 2f, 3f);
                 FloatPointer dy = new FloatPointer(1f, 1f, 1f, 1f, 1f, 1f, 1f);
                 FloatPointer y = filled(); FloatPointer dx = filled();
                 CpuNatives.Status status = new CpuNatives.Status()) {
                int rc = CpuNatives.fcpts_unary_cpu(op, 0.2f, 0.5f, x, y, N, 1, status);
                assertRejected(rc, status, "fcpts_unary_op", op, "unary op " + op);
                assertUntouched(y, "unary op " + op);
                rc = CpuNatives.fcpts_unary_backward_cpu(op, 0.2f, 0.5f, x, dy, dx, N, 1, status);
                assertRejected(rc, status, "fcpts_unary_op", op, "unary backward op " + op);
                assertUntouched(dx, "unary backward op " + op);
            }
        }
    }

    @Test
    void binaryForwardAndBackward() {
        for (int op : outOfRange(NetworkKernels.Binary.values().length)) {
            try (FloatPointer a = new FloatPointer(1f, 2f, 3f, 4f, 5f, 6f, 7f);
                 FloatPointer b = new FloatPointer(2f, 2f, 2f, 2f, 2f, 2f, 2f);
                 LongPointer strides = new LongPointer(1L); LongPointer dims = new LongPointer((long) N);
                 FloatPointer y = filled(); FloatPointer da = filled(); FloatPointer db = filled();
                 CpuNatives.Status status = new CpuNatives.Status()) {
                int rc = CpuNatives.fcpts_binary_cpu(op, a, strides, b, strides, y, dims, 1, 1, status);
                assertRejected(rc, status, "fcpts_binary_op", op, "binary op " + op);
                assertUntouched(y, "binary op " + op);
                rc = CpuNatives.fcpts_binary_backward_cpu(op, a, strides, b, strides, a, dims, 1, da, db, 1, status);
                assertRejected(rc, status, "fcpts_binary_op", op, "binary backward op " + op);
                assertUntouched(da, "binary backward op " + op + " da");
                assertUntouched(db, "binary backward op " + op + " db");
            }
        }
    }

    @Test
    void poolPlanKind() {
        for (int kind : outOfRange(NetworkKernels.Pool.values().length)) {
            CpuNatives.DnnlPlan plan = new CpuNatives.DnnlPlan();
            try (LongPointer g = new LongPointer(GEOMETRY); CpuNatives.Status status = new CpuNatives.Status()) {
                int rc = CpuNatives.fcpts_pool_plan_create(g, kind, 1, plan, status);
                assertRejected(rc, status, "fcpts_pool_kind", kind, "pool kind " + kind);
                assertTrue(plan.isNull(), "no plan for pool kind " + kind);
            }
        }
    }

    @Test
    void convAndSparseConvActivation() {
        for (int act : outOfRange(ConvActivation.values().length)) {
            CpuNatives.DnnlPlan plan = new CpuNatives.DnnlPlan();
            CpuNatives.SparseConvHandle sparse = new CpuNatives.SparseConvHandle();
            try (LongPointer g = new LongPointer(GEOMETRY); IntPointer rowPtr = new IntPointer(0, 1);
                 IntPointer colIdx = new IntPointer(4); FloatPointer values = new FloatPointer(1f);
                 CpuNatives.Status status = new CpuNatives.Status()) {
                int rc = CpuNatives.fcpts_conv_plan_create(g, 2 /* FCPTS_CONV_CONSTANT_WEIGHTS */, act, 0f, 6f, 1,
                        plan, status);
                assertRejected(rc, status, "fcpts_activation", act, "conv activation " + act);
                assertTrue(plan.isNull(), "no conv plan for activation " + act);
                rc = CpuNatives.fcpts_sparse_conv_create(g, rowPtr, colIdx, values, null, act, 0f, 6f, 1, sparse,
                        status);
                assertRejected(rc, status, "fcpts_activation", act, "sparse conv activation " + act);
                assertTrue(sparse.isNull(), "no sparse conv plan for activation " + act);
            }
        }
    }
}
