package io.github.fcpts4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class TensorScopeTest {

    @Test
    void closesEverythingNewestFirstAndOnlyOnce() {
        List<String> closed = new ArrayList<>();
        TensorScope scope = new TensorScope();
        scope.track(() -> closed.add("a"));
        scope.track(() -> closed.add("b"));
        scope.close();
        scope.close();
        assertEquals(List.of("b", "a"), closed);
        assertThrows(IllegalStateException.class, () -> scope.track(() -> { }));
    }

    @Test
    void tensorsOfAScopeAreClosedWithIt() {
        try (Backend cpu = Backends.openResolved("cpu", BackendOptions.defaults())) {
            TensorScope scope = new TensorScope();
            Tensor tensor = scope.allocate(cpu, 2, 3);
            assertTrue(!tensor.isClosed());
            scope.close();
            assertTrue(tensor.isClosed());
        }
    }

    @Test
    void aFailingCloseDoesNotStopTheOthers() {
        List<String> closed = new ArrayList<>();
        TensorScope scope = new TensorScope();
        scope.track(() -> closed.add("first"));
        scope.track(() -> {
            throw new IllegalStateException("boom");
        });
        scope.track(() -> closed.add("last"));
        IllegalStateException e = assertThrows(IllegalStateException.class, scope::close);
        assertEquals("boom", e.getMessage());
        assertEquals(List.of("last", "first"), closed);
    }

    @Test
    void shapesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.elementCount(3, -1));
        assertThrows(ArithmeticException.class, () -> Tensor.elementCount(Long.MAX_VALUE, 2));
        assertEquals(1, Tensor.elementCount());
    }

    @Test
    void segmentLayoutRejectsDuplicatesAndNegativeSizes() {
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> SegmentLayout.of(List.of("a", "a"), new long[] {1, 2}));
        assertTrue(dup.getMessage().contains("'a' appears twice"));
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> SegmentLayout.of(List.of("a", "b"), new long[] {1, -2}));
        assertTrue(neg.getMessage().contains("layer 'b' has negative size"));
        SegmentLayout ok = SegmentLayout.of(List.of("a", "b", "c"), new long[] {3, 0, 5});
        assertEquals(8, ok.total());
        assertEquals(3, ok.offset(2));
        assertEquals(0, ok.size(1));
    }
}
