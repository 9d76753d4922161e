package io.pseries.core.parallel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The posted stores one schedule domain forwards to another: a bounded, allocation-free
 * single-producer/single-consumer ring. A store to an ESB trigger page returns nothing to the
 * vCPU that issued it (on the PowerBus it is posted), so the sender's host thread need not wait:
 * it leaves the store here and the host thread owning the target performs it.
 *
 * <pre>
 *  producer (sending domain)                consumer (owning domain)
 *  offer(cpu, addr, value)                  poll(out) ── copies the oldest entry, frees its slot
 *    slot[tail] = entry; tail++ (release)     head++ (release)
 *    full (tail - head == capacity): false
 * </pre>
 *
 * <p>Each entry is three longs in one flat array: the issuing vCPU, the guest physical address
 * and the stored value. The head and the tail sit 128 bytes apart in
 * their own array, and each side keeps its last view of the other's index next to its own, so the
 * two threads share a cache line only when one has to re-read the other's index.
 *
 * <p>Threading: {@link #offer} from one producer thread only, {@link #poll} from one consumer
 * thread only; {@link #isEmpty} from any thread.
 */
public final class TriggerRing {
    private static final VarHandle AL = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int WORDS = 3;
    /** Indices into {@link #idx}: the producer's pair, then the consumer's pair, 16 longs apart. */
    private static final int TAIL = 16;
    private static final int HEAD_SEEN = 17;
    private static final int HEAD = 32;
    private static final int TAIL_SEEN = 33;

    private final long[] slots;
    private final long[] idx = new long[48];
    private final int mask;
    private final int capacity;

    /** A ring of {@code capacity} entries, a power of two. */
    public TriggerRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two >= 2, got " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slots = new long[capacity * WORDS];
    }

    public int capacity() {
        return capacity;
    }

    /** Appends one posted store; false when the ring is full (the producer drains its own inbox and retries). */
    public boolean offer(int cpu, long addr, long value) {
        long t = idx[TAIL];
        if (t - idx[HEAD_SEEN] == capacity) {
            idx[HEAD_SEEN] = (long) AL.getAcquire(idx, HEAD);
            if (t - idx[HEAD_SEEN] == capacity) {
                return false;
            }
        }
        int b = (int) (t & mask) * WORDS;
        slots[b] = cpu;
        slots[b + 1] = addr;
        slots[b + 2] = value;
        AL.setRelease(idx, TAIL, t + 1);
        return true;
    }

    /**
     * Moves the oldest entry into {@code out[0..2]} ({@code cpu, addr, value}) and frees its
     * slot; false when the ring is empty.
     */
    public boolean poll(long[] out) {
        long h = idx[HEAD];
        if (h == idx[TAIL_SEEN]) {
            idx[TAIL_SEEN] = (long) AL.getAcquire(idx, TAIL);
            if (h == idx[TAIL_SEEN]) {
                return false;
            }
        }
        int b = (int) (h & mask) * WORDS;
        out[0] = slots[b];
        out[1] = slots[b + 1];
        out[2] = slots[b + 2];
        AL.setRelease(idx, HEAD, h + 1);
        return true;
    }

    /** Whether every entry offered so far has been polled (exact once the producer stopped). */
    public boolean isEmpty() {
        long t = (long) AL.getAcquire(idx, TAIL);
        return (long) AL.getAcquire(idx, HEAD) == t;
    }
}
