package io.pseries.core.dev.pci;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.trace.Trace;

/**
 * The part of a function's BAR that holds its MSI-X table and PBA, as the VMM emulates it:
 * 32-bit and 64-bit accesses (a 64-bit one is two 32-bit ones, lower address first), stored
 * little-endian as PCI is, so a big-endian CPU's value is byte-reversed on the way. Other
 * sizes and unaligned accesses are the guest's error: a load answers all ones, a store is
 * dropped.
 *
 * <p>Threading: the machine's thread only.
 */
final class MsixTableRegion implements MmioHandler {
    private final MsixCapability msix;
    private final Trace trace;
    private final String who;

    MsixTableRegion(MsixCapability msix, Trace trace, String who) {
        this.msix = msix;
        this.trace = trace;
        this.who = who;
    }

    private boolean valid(VCpu cpu, long offset, int size, String what) {
        if ((size == 4 || size == 8) && (offset & (size - 1)) == 0) {
            return true;
        }
        trace.guestError(cpu == null ? -1 : cpu.index(), String.format("%s: %d-byte MSI-X table %s at offset 0x%x"
            + " (the table takes aligned 4- and 8-byte accesses)", who, size, what, offset), "offset", offset);
        return false;
    }

    @Override
    public long read(VCpu cpu, long offset, int size) {
        if (!valid(cpu, offset, size, "load")) {
            return -1L >>> (64 - 8 * size);
        }
        if (size == 4) {
            return Integer.reverseBytes(msix.read32(offset)) & 0xffff_ffffL;
        }
        long le = (msix.read32(offset) & 0xffff_ffffL) | ((long) msix.read32(offset + 4) << 32);
        return Long.reverseBytes(le);
    }

    @Override
    public void write(VCpu cpu, long offset, int size, long value) {
        if (!valid(cpu, offset, size, "store")) {
            return;
        }
        if (size == 4) {
            msix.write32(offset, Integer.reverseBytes((int) value));
            return;
        }
        long le = Long.reverseBytes(value);
        msix.write32(offset, (int) le);
        msix.write32(offset + 4, (int) (le >>> 32));
    }
}
