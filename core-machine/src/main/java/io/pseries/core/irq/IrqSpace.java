package io.pseries.core.irq;

import java.util.BitSet;

/**
 * Who owns which interrupt number: the claimed set with its MSI/LSI kind, and the MSI
 * allocator (a bitmap over [0x1300, 0x2000), as spapr_irq_msi_alloc).
 *
 * <p>This class only keeps the books; the machine forwards claims and frees to every
 * interrupt controller (dual mode has two).
 */
public final class IrqSpace {
    private final BitSet claimed = new BitSet(SpaprIrq.XIRQ_BASE + SpaprIrq.NR_XIRQS);
    private final BitSet lsi = new BitSet(SpaprIrq.XIRQ_BASE + SpaprIrq.NR_XIRQS);
    private final BitSet msiMap = new BitSet(SpaprIrq.NR_MSIS);

    /** Checks that {@code irq} can be claimed; throws with QEMU's wording when it cannot. */
    public void checkClaimable(long irq) {
        if (!SpaprIrq.isXirq(irq)) {
            throw new IllegalArgumentException(String.format(
                "IRQ %d (0x%x) is outside the claimable range [0x%x, 0x%x)", irq, irq,
                SpaprIrq.XIRQ_BASE, SpaprIrq.XIRQ_BASE + SpaprIrq.NR_XIRQS));
        }
        if (claimed.get((int) irq)) {
            throw new IllegalStateException(String.format("IRQ %d (0x%x) is not free", irq, irq));
        }
    }

    public void markClaimed(int irq, boolean isLsi) {
        claimed.set(irq);
        lsi.set(irq, isLsi);
    }

    public void markFree(int irq) {
        claimed.clear(irq);
        lsi.clear(irq);
    }

    public boolean isClaimed(long irq) {
        return irq >= 0 && irq < SpaprIrq.XIRQ_BASE + SpaprIrq.NR_XIRQS && claimed.get((int) irq);
    }

    public boolean isLsi(int irq) {
        return lsi.get(irq);
    }

    /** Claimed numbers in ascending order. */
    public int[] claimedIrqs() {
        return claimed.stream().toArray();
    }

    /**
     * Allocates {@code num} consecutive MSI numbers whose first is a multiple of {@code align}
     * (relative to the MSI base, as QEMU's bitmap search does). Returns the first number.
     */
    public int allocMsi(int num, int align) {
        if (num <= 0 || align <= 0 || Integer.bitCount(align) != 1) {
            throw new IllegalArgumentException("bad MSI allocation request: num " + num + ", align " + align);
        }
        for (int start = 0; start + num <= SpaprIrq.NR_MSIS; start += align) {
            int nextSet = msiMap.nextSetBit(start);
            if (nextSet < 0 || nextSet >= start + num) {
                msiMap.set(start, start + num);
                return SpaprIrq.MSI + start;
            }
        }
        throw new IllegalStateException("Unable to allocate " + num + " IRQs");
    }

    /** Returns MSI numbers to the allocator. */
    public void freeMsi(int first, int num) {
        int start = first - SpaprIrq.MSI;
        if (start < 0 || start + num > SpaprIrq.NR_MSIS) {
            throw new IllegalArgumentException("not MSI numbers: 0x" + Integer.toHexString(first) + " +" + num);
        }
        msiMap.clear(start, start + num);
    }

    public boolean isMsiAllocated(int irq) {
        int i = irq - SpaprIrq.MSI;
        return i >= 0 && i < SpaprIrq.NR_MSIS && msiMap.get(i);
    }

    /** Forgets every dynamic MSI allocation (machine reset). */
    public void resetMsis() {
        msiMap.clear();
    }
}
