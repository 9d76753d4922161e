package io.pseries.core.mem;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The guest-physical address space as a vCPU's loads and stores see it: RAM first, then the
 * enabled {@link MmioRegion}s of the {@link MmioSpace}; anything else is unassigned.
 *
 * <pre>
 *  load/store(cpu, addr, size) ──► inside RAM? ──► GuestMemory
 *                                  else region covering [addr, addr+size)? ──► aligned? ──► MmioHandler
 *                                  else: load all-ones, store ignored, guest_error
 * </pre>
 *
 * <p>Guest mistakes never throw: an unassigned or misaligned access reads all-ones (of its size)
 * or is dropped, with a {@code guest_error} trace event, as QEMU's unassigned memory and the
 * devices' access checks answer. MMIO accesses leave an {@code mmio} trace event (load: the value
 * read; store: the value written, before the handler runs). Which piece serves an address is
 * decided in one place (RAM first, then {@link MmioSpace#lookup}, a decoded-page cache in front of
 * the region list). Sizes are checked by the caller ({@link #checkSize}).
 *
 * <p>Threading: confined to the machine's thread.
 */
public final class AddressSpace {
    private final GuestMemory ram;
    private final MmioSpace mmio;
    private final Trace trace;

    public AddressSpace(GuestMemory ram, MmioSpace mmio, Trace trace) {
        this.ram = ram;
        this.mmio = mmio;
        this.trace = trace;
    }

    public GuestMemory ram() {
        return ram;
    }

    public MmioSpace mmio() {
        return mmio;
    }

    /** Throws unless {@code size} is 1, 2, 4 or 8 (a script mistake, not a guest one). */
    public static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("access size must be 1, 2, 4 or 8 bytes, got " + size);
        }
    }

    /** The value of an access of {@code size} bytes with every bit set. */
    public static long allOnes(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    /** Whether RAM serves the access. */
    public boolean inRam(long addr, int size) {
        return Long.compareUnsigned(addr, ram.size()) < 0 && ram.contains(addr, size);
    }

    /** A load of {@code size} bytes (already checked) at {@code addr} on behalf of {@code cpu}. */
    public long load(VCpu cpu, long addr, int size) {
        if (inRam(addr, size)) {
            return ram.read(addr, size);
        }
        return mmioLoad(cpu, addr, size);
    }

    /**
     * A load that RAM does not serve ({@link #inRam} is false): an MMIO region's, or unassigned.
     * The common case (a region, aligned, not traced) is kept small so the JIT inlines it into
     * the caller; every other case is answered by {@link #unusualLoad}.
     */
    public long mmioLoad(VCpu cpu, long addr, int size) {
        MmioRegion r = mmio.lookup(addr, size);
        if (r == null || (addr & (size - 1)) != 0 || trace.on(TraceCategory.MMIO)) {
            return unusualLoad(cpu, r, addr, size);
        }
        long v = r.handler().read(cpu, addr - r.base(), size);
        return size < 8 ? v & allOnes(size) : v;
    }

    /** An unassigned, misaligned or traced MMIO load (the same answers as the common case, with events). */
    private long unusualLoad(VCpu cpu, MmioRegion r, long addr, int size) {
        if (r == null) {
            trace.guestError(cpu.index(), "load from unassigned address", "addr", addr, "size", size);
            return allOnes(size);
        }
        if ((addr & (size - 1)) != 0) {
            trace.guestError(cpu.index(), "misaligned MMIO load", "addr", addr, "size", size, "region", r.name());
            return allOnes(size);
        }
        long v = r.handler().read(cpu, addr - r.base(), size);
        if (size < 8) {
            v &= allOnes(size);
        }
        if (trace.on(TraceCategory.MMIO)) {
            trace.emit(TraceCategory.MMIO, cpu.index(), "load", "region", r.name(), "addr", addr,
                "offset", addr - r.base(), "size", size, "value", v);
        }
        return v;
    }

    /** A store of {@code size} bytes (already checked) at {@code addr} on behalf of {@code cpu}. */
    public void store(VCpu cpu, long addr, int size, long value) {
        if (inRam(addr, size)) {
            ram.write(addr, size, value);
            return;
        }
        mmioStore(cpu, addr, size, value);
    }

    /**
     * A store that RAM does not serve ({@link #inRam} is false): to an MMIO region, or dropped.
     * As for loads, the common case is small and {@link #unusualStore} answers the others.
     */
    public void mmioStore(VCpu cpu, long addr, int size, long value) {
        MmioRegion r = mmio.lookup(addr, size);
        if (r == null || (addr & (size - 1)) != 0 || trace.on(TraceCategory.MMIO)) {
            unusualStore(cpu, r, addr, size, value);
            return;
        }
        r.handler().write(cpu, addr - r.base(), size, size < 8 ? value & allOnes(size) : value);
    }

    /** An unassigned, misaligned or traced MMIO store. */
    private void unusualStore(VCpu cpu, MmioRegion r, long addr, int size, long value) {
        if (r == null) {
            trace.guestError(cpu.index(), "store to unassigned address", "addr", addr, "size", size, "value", value);
            return;
        }
        if ((addr & (size - 1)) != 0) {
            trace.guestError(cpu.index(), "misaligned MMIO store", "addr", addr, "size", size, "region", r.name());
            return;
        }
        if (size < 8) {
            value &= allOnes(size);
        }
        if (trace.on(TraceCategory.MMIO)) {
            trace.emit(TraceCategory.MMIO, cpu.index(), "store", "region", r.name(), "addr", addr,
                "offset", addr - r.base(), "size", size, "value", value);
        }
        r.handler().write(cpu, addr - r.base(), size, value);
    }
}
