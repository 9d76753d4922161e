package io.pseries.xive.kvm;

/**
 * The native XIVE device's per-guest-interrupt state ({@code kvmppc_xive_irq_state}), in
 * blocks of 1024 created on first use ({@code kvmppc_xive_create_src_block}), each a handful
 * of flat arrays: the backing HW IPI, whether the entry is valid, LSI and asserted, the active
 * target (server, priority, EISN), and room for a pass-through HW interrupt.
 *
 * <pre>
 *  guest irq g ─► block g >> 10, slot g & 1023 ─► ipi[g] (0 = never initialised), pt[g]
 *  selected backing = pt[g] != 0 ? pt[g] : ipi[g]     (kvmppc_xive_select_irq)
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
final class GuestSources {
    static final int VALID = 1;
    static final int LSI = 2;
    static final int ASSERTED = 4;

    private static final int SHIFT = 10;
    private static final int MASK = (1 << SHIFT) - 1;

    /** One block of 1024 guest interrupts. */
    static final class Block {
        final int[] ipi = new int[1 << SHIFT];
        /** Pass-through HW interrupt (issue 10); 0 when the interrupt is IPI-backed. */
        final int[] pt = new int[1 << SHIFT];
        final byte[] flags = new byte[1 << SHIFT];
        final int[] actServer = new int[1 << SHIFT];
        final byte[] actPrio = new byte[1 << SHIFT];
        final int[] eisn = new int[1 << SHIFT];

        Block() {
            java.util.Arrays.fill(actPrio, (byte) KvmXiveUapi.MASKED);
        }
    }

    private final Block[] blocks = new Block[(int) (KvmXiveUapi.NR_IRQS >>> SHIFT)];
    private int maxBlock = -1;
    private int valid;

    /** The block of {@code irq}, or {@code null} (no such block: the kernel's "source not found"). */
    Block block(long irq) {
        if (irq < 0 || irq >= KvmXiveUapi.NR_IRQS) {
            return null;
        }
        return blocks[(int) (irq >>> SHIFT)];
    }

    Block createBlock(long irq) {
        int b = (int) (irq >>> SHIFT);
        if (blocks[b] == null) {
            blocks[b] = new Block();
            maxBlock = Math.max(maxBlock, b);
        }
        return blocks[b];
    }

    static int slot(long irq) {
        return (int) (irq & MASK);
    }

    int maxBlock() {
        return maxBlock;
    }

    Block blockAt(int b) {
        return blocks[b];
    }

    static boolean isValid(Block b, int i) {
        return (b.flags[i] & VALID) != 0;
    }

    /** Marks an entry valid; counts it the first time ({@code src_count}). */
    void markValid(Block b, int i) {
        if ((b.flags[i] & VALID) == 0) {
            b.flags[i] |= VALID;
            valid++;
        }
    }

    /** Valid entries ({@code src_count}). */
    int validCount() {
        return valid;
    }

    /** {@code kvmppc_xive_select_irq}: the pass-through HW interrupt if linked, else the IPI. */
    static int selected(Block b, int i) {
        return b.pt[i] != 0 ? b.pt[i] : b.ipi[i];
    }

    /** Every entry with an IPI (every source GRP_SOURCE made, valid ever since), ascending. */
    java.util.List<io.pseries.core.host.pt.InKernelIrqchip.GuestSource> made() {
        java.util.List<io.pseries.core.host.pt.InKernelIrqchip.GuestSource> l = new java.util.ArrayList<>();
        for (int blk = 0; blk <= maxBlock; blk++) {
            Block b = blocks[blk];
            for (int i = 0; b != null && i < b.ipi.length; i++) {
                if (b.ipi[i] != 0) {
                    l.add(new io.pseries.core.host.pt.InKernelIrqchip.GuestSource((int) number(blk, i), b.ipi[i]));
                }
            }
        }
        return l;
    }

    /** Number of the guest interrupt at block {@code b}, slot {@code i}. */
    static long number(int b, int i) {
        return ((long) b << SHIFT) | i;
    }
}
