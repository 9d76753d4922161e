package io.pseries.core.host.pt;

import io.pseries.core.host.HostInterruptController;

/**
 * The AFU of an OpenCAPI host function and the interrupt credit of its link
 * ({@code MAX_IRQ_PER_LINK}, 2000 by default, or what {@code ocapi: { irqs }} says): every AFU
 * interrupt a context allocates takes one credit, and freeing it gives it back.
 *
 * <p>Threading: the machine's thread only.
 */
public final class OcxlAfu {
    /** MAX_IRQ_PER_LINK. */
    public static final int MAX_IRQ_PER_LINK = 2000;
    /** Per-process MMIO stride of this AFU model (its contexts' MMIO area), before the guard page. */
    public static final long PP_MMIO_STRIDE = 0x1_0000;
    private final java.util.List<OcxlContext> contexts = new java.util.ArrayList<>();

    private final HostPciFunction fn;
    private final int linkIrqs;
    private int available;

    OcxlAfu(HostPciFunction fn, int linkIrqs) {
        this.fn = fn;
        this.linkIrqs = linkIrqs;
        this.available = linkIrqs;
    }

    public HostPciFunction function() {
        return fn;
    }

    public int linkIrqs() {
        return linkIrqs;
    }

    public int available() {
        return available;
    }

    /** Contexts opened on the AFU (ocxl), by any process; only a snapshot restore closes one ({@link #closeContext}). */
    public int contexts() {
        return contexts.size();
    }

    boolean takeCredit() {
        if (available == 0) {
            return false;
        }
        available--;
        return true;
    }

    void giveCredit() {
        available++;
    }

    /** Opens a context on the host interrupt controller of the process's VM (page size {@code pageSize}). */
    public OcxlContext openContext(HostInterruptController intc, long pageSize) {
        // irq_base_offset: the per-process MMIO area plus one guard page
        OcxlContext c = new OcxlContext(this, intc, PP_MMIO_STRIDE + pageSize, pageSize);
        contexts.add(c);
        return c;
    }

    /**
     * The offset of AFU irq {@code id} in a context of this AFU on a host of page size
     * {@code pageSize}, as {@link #openContext} lays them out; -1 for an id outside
     * [0, MAX_IRQ_PER_CONTEXT).
     */
    public static long irqOffset(long pageSize, long id) {
        return id < 0 || id >= OcxlContext.MAX_IRQ_PER_CONTEXT ? -1 : PP_MMIO_STRIDE + pageSize + id * pageSize;
    }

    /** The id of the AFU irq at {@code offset} ({@link #irqOffset}), or -1 when no id lies there. */
    public static int irqIdAt(long pageSize, long offset) {
        long rel = offset - PP_MMIO_STRIDE - pageSize;
        if (rel < 0 || rel % pageSize != 0 || rel / pageSize >= OcxlContext.MAX_IRQ_PER_CONTEXT) {
            return -1;
        }
        return (int) (rel / pageSize);
    }

    /**
     * A snapshot restore dropping a context that holds no interrupt (the stream's VMM had opened
     * none): the file released, as the driver's close does. False when it still holds some.
     */
    public boolean closeContext(OcxlContext c) {
        if (c.irqCount() > 0) {
            return false;
        }
        return contexts.remove(c);
    }

    /**
     * The AFU stores to the host physical address it was given as an interrupt's trigger
     * address: an ESB trigger of the AFU interrupt whose trigger page that is, in whichever
     * context allocated it; false when no AFU interrupt has that page.
     */
    public boolean afuStore(long physAddr) {
        for (OcxlContext c : contexts) {
            if (c.afuStore(physAddr)) {
                return true;
            }
        }
        return false;
    }
}
