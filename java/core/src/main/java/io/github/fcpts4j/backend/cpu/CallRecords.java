package io.github.fcpts4j.backend.cpu;

import io.github.fcpts4j.backend.Broadcast;

import java.util.concurrent.ConcurrentLinkedQueue;

import org.bytedeco.javacpp.LongPointer;

/**
 * The native records a cpu kernel call passes besides its tensors, one set per calling thread and reused from call
 * to call, so that a call allocates nothing: the error status, and up to three small shape arguments (strides,
 * dims, a permutation) copied into native longs. A thread's set is made on its first call; {@link #release} frees
 * every thread's (the owning backend's close).
 */
final class CallRecords {
    /** Longs each shape slot holds at first; a slot grows for a longer argument. */
    private static final int INITIAL_RANK = 8;
    private static final int SLOTS = 3;

    /** One thread's records. */
    static final class Records {
        private final CpuNatives.Status status = new CpuNatives.Status();
        private final LongPointer[] slots = new LongPointer[SLOTS];
        private long[] scratch = new long[INITIAL_RANK];

        private Records() {
            for (int i = 0; i < SLOTS; i++) {
                slots[i] = new LongPointer(INITIAL_RANK);
            }
        }

        CpuNatives.Status status() {
            return status;
        }

        /** Slot {@code slot} holding {@code values}. */
        LongPointer longs(int slot, long[] values) {
            return fit(slot, values.length).put(values, 0, values.length);
        }

        /** Slot {@code slot} holding the strides that broadcast {@code shape} to {@code target} (see Broadcast). */
        LongPointer strides(int slot, long[] shape, long[] target) {
            if (scratch.length < target.length) {
                scratch = new long[target.length];
            }
            Broadcast.strides(shape, target, scratch);
            return fit(slot, target.length).put(scratch, 0, target.length);
        }

        private LongPointer fit(int slot, int length) {
            if (slots[slot].capacity() < length) {
                slots[slot].close();
                slots[slot] = new LongPointer(length);
            }
            return slots[slot];
        }

        private void close() {
            status.close();
            for (LongPointer p : slots) {
                p.close();
            }
        }
    }

    private final ThreadLocal<Records> perThread = ThreadLocal.withInitial(this::make);
    /** Every set made, so that release frees them (a thread's own map cannot be reached from another). */
    private final ConcurrentLinkedQueue<Records> made = new ConcurrentLinkedQueue<>();

    /** The calling thread's records (never shared by two calls at once: one thread makes one call at a time). */
    Records get() {
        return perThread.get();
    }

    /** Frees every thread's records; idempotent. */
    void release() {
        Records r;
        while ((r = made.poll()) != null) {
            r.close();
        }
    }

    private Records make() {
        Records r = new Records();
        made.add(r);
        return r;
    }
}
