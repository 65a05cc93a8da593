package io.github.fcpts4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.fcpts4j.backend.ConvActivation;
import io.github.fcpts4j.backend.NetworkKernels;

import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;

/**
 * The Java op enums cross into native code as their ordinals; the native lists
 * are written once, in native/include/fcpts/ops.def. For each pair: the Java
 * constant with ordinal v has the name of native value v, and the native list
 * has no value values().length (nor -1). Adding a Java constant without its
 * native entry, a native entry without its Java constant, or reordering either
 * list fails here.
 */
class NativeEnumAgreementTest {

    @Test
    void unaryOps() {
        assertAgree(CpuNatives.FCPTS_ENUM_UNARY_OP(), NetworkKernels.Unary.class);
    }

    @Test
    void binaryOps() {
        assertAgree(CpuNatives.FCPTS_ENUM_BINARY_OP(), NetworkKernels.Binary.class);
    }

    @Test
    void poolKinds() {
        assertAgree(CpuNatives.FCPTS_ENUM_POOL_KIND(), NetworkKernels.Pool.class);
    }

    @Test
    void epilogueActivations() {
        assertAgree(CpuNatives.FCPTS_ENUM_ACTIVATION(), ConvActivation.class);
    }

    @Test
    void anUnknownListHasNoNames() {
        int unknown = 1000;
        assertNull(CpuNatives.fcpts_enum_name(unknown, 0));
        assertEquals(-1, CpuNatives.fcpts_enum_count(unknown));
    }

    private static <E extends Enum<E>> void assertAgree(int kind, Class<E> type) {
        E[] constants = type.getEnumConstants();
        for (E e : constants) {
            BytePointer nativeName = CpuNatives.fcpts_enum_name(kind, e.ordinal());
            assertNotNull(nativeName, type.getSimpleName() + "." + e.name() + " (ordinal " + e.ordinal()
                    + ") has no native value: append it to the list in native/include/fcpts/ops.def");
            assertEquals(e.name(), nativeName.getString(), type.getSimpleName() + " ordinal " + e.ordinal()
                    + ": Java and native lists disagree (names or order)");
        }
        BytePointer extra = CpuNatives.fcpts_enum_name(kind, constants.length);
        assertNull(extra, () -> "native value " + constants.length + " (" + extra.getString() + ") has no "
                + type.getSimpleName() + " constant");
        assertNull(CpuNatives.fcpts_enum_name(kind, -1));
        assertEquals(constants.length, CpuNatives.fcpts_enum_count(kind), type.getSimpleName() + " count");
    }
}
