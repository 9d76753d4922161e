package io.pseries.core.host.pt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.pseries.core.host.Errno;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.KvmResult;

/**
 * One context of an OpenCAPI AFU as the host's ocxl driver gives it to a process (the
 * context file of drivers/misc/ocxl, facts §3.1): the interrupts the context allocated, each a
 * generic IPI of the host XIVE with one trigger page the process may map and hand to the AFU.
 *
 * <pre>
 *  allocIrq()            a free id in [0, 2000) (none: ENOSPC), a link credit (none: ENOSPC),
 *                        a HW IPI (none: ENXIO), request_irq ─► irq offset = base + id * page
 *  setFd(offset, fd, r)  r != 0 EINVAL; unknown offset EINVAL; the handler signals the eventfd
 *  mmap(offset, pages, prot)  exactly 1 page, write-only (no read, no exec, write), an existing
 *                        irq: else EINVAL; the fault inserts the IPI's trigger page
 *  afuStore(offset)      the AFU writes the trigger page: the IPI fires (to its eventfd)
 *  freeIrq(offset)       zap that one page first, then free_irq and the HW IPI, the credit back
 *  restoreIrq(id, hw)    a snapshot restore: the irq of that id on that very HW IPI when free
 *                        (the trigger page the AFU was given stays the same), else on another
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class OcxlContext {
    /** MAX_IRQ_PER_CONTEXT. */
    public static final int MAX_IRQ_PER_CONTEXT = 2000;

    /** One AFU interrupt. */
    private static final class AfuIrq {
        final int id;
        final int hw;
        final long triggerPage;
        EventFd fd;
        /** The trigger page is mapped into the process and faulted in. */
        boolean mapped;
        boolean inserted;

        AfuIrq(int id, int hw, long triggerPage) {
            this.id = id;
            this.hw = hw;
            this.triggerPage = triggerPage;
        }
    }

    private final OcxlAfu afu;
    private final HostInterruptController intc;
    private final long irqBaseOffset;
    private final long pageSize;
    private final TreeMap<Integer, AfuIrq> irqs = new TreeMap<>();
    /** What happened, in order (zap, free_irq, ...), for the ordering the driver promises. */
    private final List<String> log = new java.util.ArrayList<>();

    OcxlContext(OcxlAfu afu, HostInterruptController intc, long irqBaseOffset, long pageSize) {
        this.afu = afu;
        this.intc = intc;
        this.irqBaseOffset = irqBaseOffset;
        this.pageSize = pageSize;
    }

    private AfuIrq byOffset(long offset) {
        if (offset < irqBaseOffset || (offset - irqBaseOffset) % pageSize != 0) {
            return null;
        }
        long id = (offset - irqBaseOffset) / pageSize;
        return id > Integer.MAX_VALUE ? null : irqs.get((int) id);
    }

    /** OCXL_IOCTL_IRQ_ALLOC: {@code ret} 0 and {@code data[0]} the irq offset, or the errno. */
    public KvmResult allocIrq() {
        int id = 0;
        while (irqs.containsKey(id)) {
            id++;
        }
        if (id >= MAX_IRQ_PER_CONTEXT) {
            return KvmResult.error(Errno.ENOSPC);
        }
        if (!afu.takeCredit()) {
            return KvmResult.error(Errno.ENOSPC);
        }
        int hw = intc.allocIrq();
        if (hw == 0) {
            afu.giveCredit();
            return KvmResult.error(Errno.ENXIO);
        }
        HostInterruptController.IrqInfo info = intc.irqInfo(hw);
        AfuIrq irq = new AfuIrq(id, hw, info.triggerPage());
        irqs.put(id, irq);
        intc.markAfuIrq(hw);
        intc.requestIrq(hw, () -> {
            if (irq.fd != null) {
                irq.fd.signal();
            }
        });
        return KvmResult.ok(irqBaseOffset + (long) id * pageSize);
    }

    /**
     * A snapshot restore re-making AFU interrupt {@code id} as {@link #allocIrq} would have (a
     * credit taken, the handler requested), on host interrupt {@code hw} when it can be had
     * ({@link HostInterruptController#allocIrqAt}), else, with {@code orAny}, on any free IPI
     * (the AFU is then given another trigger page: a migration to another host). The caller
     * validated that {@code id} is free and a credit is left. Returns the irq offset, or -1 when
     * that did not hold after all or no IPI is left (nothing changed).
     */
    public long restoreIrq(int id, int hw, boolean orAny) {
        if (id < 0 || id >= MAX_IRQ_PER_CONTEXT || irqs.containsKey(id) || !afu.takeCredit()) {
            return -1;
        }
        int got = intc.allocIrqAt(hw) ? hw : orAny ? intc.allocIrq() : 0;
        if (got == 0) {
            afu.giveCredit();
            return -1;
        }
        AfuIrq irq = new AfuIrq(id, got, intc.irqInfo(got).triggerPage());
        irqs.put(id, irq);
        intc.markAfuIrq(got);
        intc.requestIrq(got, () -> {
            if (irq.fd != null) {
                irq.fd.signal();
            }
        });
        return irqBaseOffset + (long) id * pageSize;
    }

    /** The id of the AFU irq at {@code offset} (its place in the context's irq area), or -1. */
    public int irqId(long offset) {
        AfuIrq irq = byOffset(offset);
        return irq == null ? -1 : irq.id;
    }

    /** OCXL_IOCTL_IRQ_SET_FD. */
    public KvmResult setFd(long offset, EventFd fd, long reserved) {
        if (reserved != 0) {
            return KvmResult.error(Errno.EINVAL);
        }
        AfuIrq irq = byOffset(offset);
        if (irq == null || fd == null) {
            return KvmResult.error(Errno.EINVAL);
        }
        irq.fd = fd;
        return KvmResult.ok();
    }

    /** mmap of the context file at {@code offset}: an AFU irq's trigger page, exactly 1 page, write-only. */
    public Errno mmap(long offset, long pages, boolean read, boolean write, boolean exec) {
        AfuIrq irq = byOffset(offset);
        if (irq == null || pages != 1 || read || exec || !write) {
            return Errno.EINVAL;
        }
        irq.mapped = true;
        return null;
    }

    /** A store by the process to its mapped trigger page: faults it in once (SIGBUS: -1), then the IPI fires. */
    public long storeTrigger(long offset) {
        AfuIrq irq = byOffset(offset);
        if (irq == null || !irq.mapped) {
            return -1;
        }
        irq.inserted = true;
        intc.esbStore(irq.hw, true, 0, 0);
        return irq.triggerPage;
    }

    /** The host interrupt (a generic IPI of the host XIVE) behind the AFU irq at {@code offset}, or 0. */
    public int hostIrq(long offset) {
        AfuIrq irq = byOffset(offset);
        return irq == null ? 0 : irq.hw;
    }

    /** The trigger page's physical address ({@code ocxl_afu_irq_get_addr}), or -1. */
    public long triggerAddress(long offset) {
        AfuIrq irq = byOffset(offset);
        return irq == null ? -1 : irq.triggerPage;
    }

    /** The AFU writes to the trigger page it was given: an ESB trigger of that IPI. */
    public boolean afuStore(long physAddr) {
        for (AfuIrq irq : irqs.values()) {
            if (irq.triggerPage == physAddr) {
                intc.esbStore(irq.hw, true, 0, 0);
                return true;
            }
        }
        return false;
    }

    /** OCXL_IOCTL_IRQ_FREE: the page is zapped before the HW interrupt is released. */
    public KvmResult freeIrq(long offset) {
        AfuIrq irq = byOffset(offset);
        if (irq == null) {
            return KvmResult.error(Errno.EINVAL);
        }
        if (irq.mapped) {
            irq.inserted = false;
            log.add("zap " + offset);
        }
        intc.freeHostIrq(irq.hw);
        log.add("free_irq " + irq.hw);
        irq.fd = null;
        intc.freeIrq(irq.hw);
        log.add("xive_native_free_irq " + irq.hw);
        afu.giveCredit();
        irqs.remove(irq.id);
        return KvmResult.ok();
    }

    /** The driver's steps so far, in order. */
    public List<String> log() {
        return List.copyOf(log);
    }

    public int irqCount() {
        return irqs.size();
    }

    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("irqs", irqs.size());
        m.put("irqBaseOffset", irqBaseOffset);
        return m;
    }
}
