package io.pseries.core.irq;

import java.util.BitSet;

/**
 * Who owns which interrupt number: the claimed set with its MSI/LSI kind, and the MSI
 * allocator (a bitmap over [0x1300, nrIrqs), as spapr_irq_msi_alloc). QEMU's space ends at
 * 0x2000 ({@link SpaprIrq#XIVE_NR_IRQS}); the machine option {@code nrIrqs} moves the end.
 *
 * <p>This class only keeps the books; the machine forwards claims and frees to every
 * interrupt controller (dual mode has two).
 */
public final class IrqSpace {
    private final int nrIrqs;
    private final int nrMsis;
    private final BitSet claimed = new BitSet();
    private final BitSet lsi = new BitSet();
    private final BitSet msiMap = new BitSet();

    /** QEMU's space: numbers up to 0x2000. */
    public IrqSpace() {
        this(SpaprIrq.XIVE_NR_IRQS);
    }

    /** A space of {@code nrIrqs} numbers (at least 0x2000): devices claim [0x1000, nrIrqs). */
    public IrqSpace(int nrIrqs) {
        if (nrIrqs < SpaprIrq.XIVE_NR_IRQS) {
            throw new IllegalArgumentException("an interrupt space needs at least 0x2000 numbers, got 0x"
                + Integer.toHexString(nrIrqs));
        }
        this.nrIrqs = nrIrqs;
        this.nrMsis = SpaprIrq.nrMsis(nrIrqs);
    }

    /** The end of the number space (exclusive). */
    public int nrIrqs() {
        return nrIrqs;
    }

    /** How many MSI numbers the allocator hands out ({@code ibm,pe-total-#msi}). */
    public int nrMsis() {
        return nrMsis;
    }

    /** Whether {@code irq} lies in the claimable device range [0x1000, nrIrqs). */
    public boolean isXirq(long irq) {
        return irq >= SpaprIrq.XIRQ_BASE && irq < nrIrqs;
    }

    /** Checks that {@code irq} can be claimed; throws with QEMU's wording when it cannot. */
    public void checkClaimable(long irq) {
        if (!isXirq(irq)) {
            throw new IllegalArgumentException(String.format(
                "IRQ %d (0x%x) is outside the claimable range [0x%x, 0x%x)", irq, irq,
                SpaprIrq.XIRQ_BASE, nrIrqs));
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
        return irq >= 0 && irq < nrIrqs && claimed.get((int) irq);
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
        for (int start = 0; start + num <= nrMsis; start += align) {
            int nextSet = msiMap.nextSetBit(start);
            if (nextSet < 0 || nextSet >= start + num) {
                msiMap.set(start, start + num);
                return SpaprIrq.MSI + start;
            }
        }
        throw new IllegalStateException("Unable to allocate " + num + " IRQs");
    }

    /** Marks {@code num} MSI numbers from {@code first} allocated (a restore re-making a guest's allocation). */
    public void reserveMsi(int first, int num) {
        int start = first - SpaprIrq.MSI;
        if (start < 0 || num < 0 || start + num > nrMsis) {
            throw new IllegalArgumentException("not MSI numbers: 0x" + Integer.toHexString(first) + " +" + num);
        }
        msiMap.set(start, start + num);
    }

    /** Returns MSI numbers to the allocator. */
    public void freeMsi(int first, int num) {
        int start = first - SpaprIrq.MSI;
        if (start < 0 || start + num > nrMsis) {
            throw new IllegalArgumentException("not MSI numbers: 0x" + Integer.toHexString(first) + " +" + num);
        }
        msiMap.clear(start, start + num);
    }

    public boolean isMsiAllocated(int irq) {
        int i = irq - SpaprIrq.MSI;
        return i >= 0 && i < nrMsis && msiMap.get(i);
    }

    /** The lowest MSI number from {@code irq} on that the allocator handed out, or -1 (the cost follows the allocations). */
    public int nextMsiAllocated(int irq) {
        int i = msiMap.nextSetBit(Math.max(0, irq - SpaprIrq.MSI));
        return i < 0 || i >= nrMsis ? -1 : SpaprIrq.MSI + i;
    }

    /** Forgets every dynamic MSI allocation (machine reset). */
    public void resetMsis() {
        msiMap.clear();
    }
}
