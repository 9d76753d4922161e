package io.pseries.core.snapshot;

import java.util.BitSet;
import java.util.function.IntPredicate;

import io.pseries.core.irq.IrqSpace;

/**
 * The interrupt claims a machine will hold once the stream being restored is in, as far as
 * they differ from its claims now: the numbers a guest allocated at run time from the MSI range
 * ({@code ibm,change-msi}) are released and the stream's PCI sections re-make theirs. The PCI
 * sections, which load before the interrupt controllers' sections, declare the stream's
 * allocations here; the controllers' sections cross-check their source kinds against
 * {@link #claimedAfter} rather than against the claims of the moment.
 *
 * <p>Threading: the restoring thread, for one restore.
 */
public final class IncomingClaims {
    private final IrqSpace space;
    private final BitSet msis = new BitSet();

    /** {@code space}: the target machine's claims (null: a restore of loose sections, no run-time MSIs). */
    IncomingClaims(IrqSpace space) {
        this.space = space;
    }

    /** Whether {@code irq} is an MSI the guest allocated at run time, on the machine now. */
    boolean allocatedNow(int irq) {
        return space != null && space.isMsiAllocated(irq);
    }

    /** Whether a PCI section of the stream already declared {@code irq}. */
    boolean declared(int irq) {
        return msis.get(irq);
    }

    /** A PCI section of the stream holds {@code count} MSIs from {@code first}. */
    void declare(int first, int count) {
        msis.set(first, first + count);
    }

    /**
     * Whether interrupt {@code irq} is claimed once the stream is in, given whether it is claimed
     * now: run-time MSIs (this machine's now, the stream's) follow the stream's PCI sections, every
     * other number keeps its claim.
     */
    public boolean claimedAfter(int irq, boolean claimedNow) {
        if (msis.get(irq) || allocatedNow(irq)) {
            return msis.get(irq);
        }
        return claimedNow;
    }

    /**
     * How many of the numbers below {@code n} are claimed once the stream is in
     * ({@link #claimedAfter} true), given that {@code claimedNow} of them are claimed now and
     * {@code isClaimedNow} says which: only the run-time MSIs (this machine's and the stream's)
     * can change, so the cost follows them, not {@code n}. A section that checks each number
     * the stream claims against {@link #claimedAfter} and finds as many as this has checked them all.
     */
    public int claimedAfterCount(int n, int claimedNow, IntPredicate isClaimedNow) {
        int count = claimedNow;
        for (int i = msis.nextSetBit(0); i >= 0 && i < n; i = msis.nextSetBit(i + 1)) {
            count += isClaimedNow.test(i) ? 0 : 1;
        }
        if (space != null) {
            for (int i = space.nextMsiAllocated(0); i >= 0 && i < n; i = space.nextMsiAllocated(i + 1)) {
                if (!msis.get(i) && isClaimedNow.test(i)) {
                    count--;
                }
            }
        }
        return count;
    }
}
