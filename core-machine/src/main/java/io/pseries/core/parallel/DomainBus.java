package io.pseries.core.parallel;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.guest.GuestBus;
import io.pseries.core.mem.AddressSpace;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.mem.MmioSpace;

/**
 * A schedule domain's path for its vCPUs' loads and stores: what the machine's emulated path
 * does (RAM, or one MMIO exit to the VMM and the region's handler), with the domain's own decoded
 * page cache (the layout of {@link MmioSpace}'s, which is written by whoever misses in it) and its
 * own exit count, so that no host thread writes what another reads. The exits
 * are folded into the host's statistics when the run is over ({@link #exits()}).
 *
 * <p>It serves only what a parallel IPI run may do: aligned accesses to RAM and to enabled MMIO
 * regions, on a machine without direct-mapped device pages (checked before the run). Anything
 * else is a guest error in the deterministic mode (a trace event, shared) and here an
 * {@link IllegalStateException} that fails the run.
 *
 * <p>Threading: the domain's host thread only.
 */
final class DomainBus implements GuestBus {
    private static final int SLOTS_LOG2 = 6;
    private static final long NO_PAGE = -1L;

    private final AddressSpace space;
    private final GuestMemory ram;
    private final MmioSpace mmio;
    private final long mmioExitNs;
    private final long[] slotPage = new long[1 << SLOTS_LOG2];
    private final MmioRegion[] slotRegion = new MmioRegion[1 << SLOTS_LOG2];
    private long lastExitNs;
    private long exits;

    DomainBus(AddressSpace space, long mmioExitNs) {
        this.space = space;
        this.ram = space.ram();
        this.mmio = space.mmio();
        this.mmioExitNs = mmioExitNs;
        java.util.Arrays.fill(slotPage, NO_PAGE);
    }

    @Override
    public long load(VCpu cpu, long addr, int size) {
        if (space.inRam(addr, size)) {
            lastExitNs = 0;
            return ram.read(addr, size);
        }
        countExit();
        MmioRegion r = region(cpu, addr, size, "load");
        long v = r.handler().read(cpu, addr - r.base(), size);
        return size < 8 ? v & AddressSpace.allOnes(size) : v;
    }

    @Override
    public void store(VCpu cpu, long addr, int size, long value) {
        if (space.inRam(addr, size)) {
            lastExitNs = 0;
            ram.write(addr, size, value);
            return;
        }
        countExit();
        post(cpu, addr, size, value);
    }

    /**
     * Performs an MMIO store another domain's vCPU issued and paid for (its bus counted the exit):
     * the store's effect, on this domain's thread, which owns the state it reaches.
     */
    void post(VCpu cpu, long addr, int size, long value) {
        MmioRegion r = region(cpu, addr, size, "store");
        r.handler().write(cpu, addr - r.base(), size, size < 8 ? value & AddressSpace.allOnes(size) : value);
    }

    /** Counts the MMIO exit of a store this domain's vCPU issued and another domain performs. */
    void countExit() {
        exits++;
        lastExitNs = mmioExitNs;
    }

    @Override
    public long lastExitNs() {
        return lastExitNs;
    }

    /** MMIO exits this domain's vCPUs took. */
    long exits() {
        return exits;
    }

    private MmioRegion region(VCpu cpu, long addr, int size, String what) {
        long page = addr >>> MmioSpace.PAGE_SHIFT;
        int slot = (int) ((page * 0x9E37_79B9_7F4A_7C15L) >>> (64 - SLOTS_LOG2));
        if (slotPage[slot] == page && (addr + size - 1) >>> MmioSpace.PAGE_SHIFT == page && (addr & (size - 1)) == 0) {
            return slotRegion[slot];
        }
        MmioRegion r = mmio.find(addr);
        if (r == null || !r.covers(addr + size - 1) || (addr & (size - 1)) != 0) {
            throw new IllegalStateException(String.format("vCPU %d: %s of %d bytes at 0x%x is unassigned or misaligned"
                + " (a guest error, which a parallel IPI run does not model)", cpu.index(), what, size, addr));
        }
        long first = page << MmioSpace.PAGE_SHIFT;
        if (r.covers(first) && r.covers(first + (1L << MmioSpace.PAGE_SHIFT) - 1)) {
            slotPage[slot] = page;
            slotRegion[slot] = r;
        }
        return r;
    }
}
