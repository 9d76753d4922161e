package io.pseries.core;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.mem.AddressSpace;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.mem.MmioSpace;
import io.pseries.core.host.MemSlots;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * One guest access site resolved ahead: a vCPU's load or store of a fixed size at a fixed guest
 * physical address, as the translation a TLB entry of QEMU's TCG holds for a memory operation.
 * The site remembers what serves it (RAM, or an MMIO region's handler and the offset in it) and
 * the generation of the address map it was resolved in; while the map is unchanged (no region
 * mapped, unmapped, enabled or disabled, no memory slot set) and MMIO tracing is off, an access
 * goes straight to what serves it, with the same VMM exit charged, and gives what
 * {@link Machine#load(VCpu, long, int)} / {@link Machine#store(VCpu, long, int, long)} give.
 * Anything else (unassigned, misaligned, traced, a device page a memory slot maps) takes that
 * path itself. A stopped machine refuses a port's access as it refuses {@code Machine.load}.
 *
 * <p>Threading: the machine's thread, like the accesses it stands for.
 */
public final class GuestAccessPort {
    private static final int SLOW = 0;
    private static final int MMIO = 1;

    private final Machine m;
    private final MmioSpace mmio;
    private final MemSlots slots;
    private final Trace trace;
    private final VCpu cpu;
    private final long addr;
    private final int size;
    private final long mask;
    private long generation = -1;
    private int kind;
    private MmioHandler handler;
    private long offset;

    GuestAccessPort(Machine m, VCpu cpu, long addr, int size) {
        this.m = m;
        this.mmio = m.addressSpace().mmio();
        this.slots = m.host().memslots();
        this.trace = m.trace();
        this.cpu = cpu;
        this.addr = addr;
        this.size = size;
        this.mask = AddressSpace.allOnes(size);
    }

    public VCpu cpu() {
        return cpu;
    }

    public long addr() {
        return addr;
    }

    public int size() {
        return size;
    }

    /** The load this site stands for. */
    public long load() {
        m.requireRunning("load");
        if (generation != mmio.invalidations() + slots.changes()) {
            resolve();
        }
        if (kind == MMIO && !trace.on(TraceCategory.MMIO)) {
            m.chargeMmioExit();
            return handler.read(cpu, offset, size) & mask;
        }
        return m.load(cpu, addr, size);
    }

    /** The store this site stands for. */
    public void store(long value) {
        m.requireRunning("store");
        if (generation != mmio.invalidations() + slots.changes()) {
            resolve();
        }
        if (kind == MMIO && !trace.on(TraceCategory.MMIO)) {
            m.chargeMmioExit();
            handler.write(cpu, offset, size, value & mask);
            return;
        }
        m.store(cpu, addr, size, value);
    }

    private void resolve() {
        generation = mmio.invalidations() + slots.changes();
        handler = null;
        kind = SLOW;
        // RAM is served by Machine.load/store's first test; only an emulated MMIO page is resolved
        if (m.addressSpace().inRam(addr, size)) {
            return;
        }
        MmioRegion r = mmio.lookup(addr, size);
        if (r != null && (addr & (size - 1)) == 0 && slots.count() <= 1) {
            kind = MMIO;
            handler = r.handler();
            offset = addr - r.base();
        }
    }
}
