package io.pseries.core.cas;

import java.util.List;

/**
 * The processor-version list a guest hands ibm,client-architecture-support ahead of its option
 * vectors, and QEMU 7.2's choice of compatibility mode from it (cas_check_pvr).
 *
 * <p>QEMU reads (mask, value) pairs until one has value bits outside its mask (the terminator),
 * notes whether the CPU's real PVR matches an entry ("raw mode"), and otherwise keeps the best
 * logical PVR the CPU can run as: the highest architecture level the POWER9 supports (2.05,
 * 2.06, 2.06+, 2.07, 3.00; not 3.1). CAS then sets that compat PVR on every vCPU and the tree
 * rebuilt for the guest carries it as {@code cpu-version}. No logical match and no raw match
 * refuses CAS with H_HARDWARE. A plain value; any thread may read it.
 */
public record PvrList(List<Entry> entries) {
    /** One (mask, value) pair. */
    public record Entry(long mask, long value) {
        public boolean terminates() {
            return (~mask & value & 0xffff_ffffL) != 0;
        }
    }

    /** QEMU's compat choice: whether the real PVR matched, and the chosen logical PVR (0: none). */
    public record Choice(boolean explicitMatch, long compatPvr) {
    }

    /** The POWER9 DD2.0 PVR QEMU's {@code -cpu power9} has. */
    public static final long POWER9_PVR = 0x004e1200L;

    /** The logical PVRs QEMU knows, lowest level first; the POWER9 runs all but 3.1. */
    private static final long[] LOGICAL = {0x0f000002L, 0x0f000003L, 0x0f100003L, 0x0f000004L, 0x0f000005L, 0x0f000006L};
    private static final long POWER9_MAX_LOGICAL = 0x0f000005L;

    /** The list Linux 6.1's prom_init sends (POWER5 ... POWER10, then 3.1 down to 2.04). */
    public static final PvrList LINUX_6_1 = new PvrList(List.of(
        new Entry(0xfffe0000L, 0x003a0000L), new Entry(0xffff0000L, 0x003e0000L), new Entry(0xffff0000L, 0x003f0000L),
        new Entry(0xffff0000L, 0x004b0000L), new Entry(0xffff0000L, 0x004c0000L), new Entry(0xffff0000L, 0x004d0000L),
        new Entry(0xffff0000L, 0x004e0000L), new Entry(0xffff0000L, 0x00800000L), new Entry(0xffffffffL, 0x0f000006L),
        new Entry(0xffffffffL, 0x0f000005L), new Entry(0xffffffffL, 0x0f000004L), new Entry(0xffffffffL, 0x0f000003L),
        new Entry(0xffffffffL, 0x0f000002L), new Entry(0xfffffffeL, 0x0f000001L)));

    /** Linux 6.1's option vector 1: ISA 2.00 .. 2.07, then 3.00 and 3.1. */
    public static final OptionVector LINUX_6_1_OV1 = OptionVector.ofBytes(1, 0x00, 2, 0xff, 3, 0xc0);

    public PvrList {
        entries = List.copyOf(entries);
    }

    private static int level(long pvr) {
        for (int i = 0; i < LOGICAL.length; i++) {
            if (LOGICAL[i] == pvr) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code pvr} is a logical (compatibility) PVR a POWER9 can run at. */
    public static boolean isArchitectedCompat(long pvr) {
        int l = level(pvr);
        return l >= 0 && l <= level(POWER9_MAX_LOGICAL);
    }

    /** QEMU's cas_check_pvr for a CPU whose real PVR is {@code cpuPvr}. */
    public Choice select(long cpuPvr) {
        boolean explicit = false;
        long best = 0;
        for (Entry e : entries) {
            if (e.terminates()) {
                break;
            }
            if ((cpuPvr & e.mask()) == (e.value() & e.mask())) {
                explicit = true;
            } else {
                int l = level(e.value());
                boolean supported = l >= 0 && l <= level(POWER9_MAX_LOGICAL);
                if (supported && (best == 0 || l >= level(best))) {
                    best = e.value();
                }
            }
        }
        return new Choice(explicit, best);
    }
}
