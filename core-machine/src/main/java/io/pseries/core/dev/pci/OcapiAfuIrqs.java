package io.pseries.core.dev.pci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.DeviceHost;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.host.AccessPath;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.Host;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.pt.EventFd;
import io.pseries.core.host.pt.InKernelIrqchip;
import io.pseries.core.host.pt.OcxlContext;
import io.pseries.core.trace.TraceCategory;

/**
 * The VMM's side of the OpenCAPI RFC for one passed-through function with an AFU: the context it
 * opens on the host's ocxl driver and, per AFU interrupt the guest allocates, a guest interrupt
 * number (an MSI number of the machine, as {@code ibm,change-msi} gives) and the path from the
 * AFU's store to the guest. The RFC leaves that path open (facts §3.2: "its own can of worms");
 * this is the design the facts infer, marked as such in docs/passthrough.md:
 *
 * <pre>
 *  in-kernel device  the AFU interrupt's HW IPI is the guest interrupt's backing, switched in by
 *                    the device's set_mapped as for a pass-through MSI: the AFU's store to the
 *                    host trigger page reaches the guest's queue with no VMM exit
 *  emulated          the host driver's handler signals the VMM's eventfd (OCXL_IOCTL_IRQ_SET_FD);
 *                    the VMM wakes (one exit) and triggers the guest interrupt
 *  controller switch the switch is undone before the in-kernel device goes, made again after
 *  FREE_IRQ          switch undone, the AFU interrupt freed (trigger page zapped first), the
 *                    eventfd closed, the guest interrupt number released
 *  machine reset     every AFU interrupt freed the same way
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
final class OcapiAfuIrqs {
    private static final class Irq {
        final long offset;
        final int hw;
        final int lisn;
        /** The eventfd (its number found when it closes: a host-group restore renumbers the VMM's files). */
        final EventFd fd;
        final Runnable waiter;
        boolean linked;

        Irq(long offset, int hw, int lisn, EventFd fd, Runnable waiter) {
            this.offset = offset;
            this.hw = hw;
            this.lisn = lisn;
            this.fd = fd;
            this.waiter = waiter;
        }
    }

    private final VfioPciDevice dev;
    private final DeviceHost machine;
    private final Host host;
    private OcxlContext ctx;
    private final List<Irq> irqs = new ArrayList<>();

    OcapiAfuIrqs(VfioPciDevice dev, DeviceHost machine) {
        this.dev = dev;
        this.machine = machine;
        this.host = machine.host();
        host.addIrqchipListener(new Host.IrqchipListener() {
            @Override
            public void changing() {
                for (Irq i : irqs) {
                    unlink(i);
                }
            }

            @Override
            public void changed() {
                for (Irq i : irqs) {
                    link(i);
                }
            }
        });
    }

    VfioPciDevice device() {
        return dev;
    }

    /** ALLOC_IRQ: the guest interrupt number, or a negative PAPR code. */
    long alloc(VCpu cpu) {
        if (ctx == null) {
            ctx = dev.hostFunction().afu().openContext(host.vm().hostIntc(), pageSize());
        }
        KvmResult r = ctx.allocIrq();
        if (!r.isOk()) {
            machine.trace().guestError(cpu.index(), "H_OCXL_CONFIG_ADAPTER ALLOC_IRQ: the AFU has no interrupt left ("
                + r.errno().name() + ")");
            return PaprRc.H_RESOURCE;
        }
        long offset = r.value(0);
        int lisn;
        try {
            lisn = machine.irqSpace().allocMsi(1, 1);
        } catch (IllegalStateException | IllegalArgumentException e) {
            ctx.freeIrq(offset);
            machine.trace().guestError(cpu.index(), "H_OCXL_CONFIG_ADAPTER ALLOC_IRQ: no interrupt number left");
            return PaprRc.H_RESOURCE;
        }
        Irq irq = attach(offset, lisn);
        link(irq);
        if (machine.trace().on(TraceCategory.PASSTHROUGH)) {
            machine.trace().emit(TraceCategory.PASSTHROUGH, cpu.index(), "ocxl_alloc_irq", "guestIrq", lisn,
                "hostIrq", irq.hw, "offset", offset, "state", irq.linked ? "bypass" : "vmm");
        }
        return lisn;
    }

    private long pageSize() {
        return 1L << host.config().pageShift();
    }

    /** The guest interrupt {@code lisn} (its number reserved) claimed for the AFU irq at {@code offset}, with its eventfd. */
    private Irq attach(long offset, int lisn) {
        machine.claimIrq(lisn, false, "vfio-pci " + dev.hostFunction().addr() + " AFU irq " + ctx.irqId(offset));
        int fd = host.process().eventfd();
        EventFd efd = host.process().eventFd(fd);
        Runnable waiter = () -> {
            efd.read();
            host.charge(ExitKind.IRQ, AccessPath.VMM_EXIT);
            host.stats().passthrough().vmmRelays++;
            machine.irq(lisn).pulse();
        };
        efd.addWaiter(waiter);
        ctx.setFd(offset, efd, 0);
        Irq irq = new Irq(offset, ctx.hostIrq(offset), lisn, efd, waiter);
        irqs.add(irq);
        return irq;
    }

    /** FREE_IRQ of guest interrupt {@code lisn}: H_SUCCESS, or H_PARAMETER for one this function did not give. */
    long free(VCpu cpu, long lisn) {
        Irq irq = null;
        for (Irq i : irqs) {
            if (i.lisn == lisn) {
                irq = i;
            }
        }
        if (irq == null) {
            machine.trace().guestError(cpu.index(), String.format(
                "H_OCXL_CONFIG_ADAPTER FREE_IRQ: 0x%x is no AFU interrupt of this function", lisn));
            return PaprRc.H_PARAMETER;
        }
        release(irq, cpu.index());
        return PaprRc.H_SUCCESS;
    }

    /** Machine reset: every AFU interrupt is freed as FREE_IRQ would (a rebooted guest allocates again). */
    void reset() {
        for (Irq i : List.copyOf(irqs)) {
            release(i, -1);
        }
    }

    private void release(Irq irq, int cpu) {
        releaseQuietly(irq);
        if (machine.trace().on(TraceCategory.PASSTHROUGH)) {
            machine.trace().emit(TraceCategory.PASSTHROUGH, cpu, "ocxl_free_irq", "guestIrq", irq.lisn,
                "hostIrq", irq.hw);
        }
    }

    private void releaseQuietly(Irq irq) {
        unlink(irq);
        ctx.freeIrq(irq.offset);
        irq.fd.removeWaiter(irq.waiter);
        host.process().closeFile(host.process().fdOf(irq.fd));
        machine.freeIrq(irq.lisn);
        machine.irqSpace().freeMsi(irq.lisn, 1);
        irqs.remove(irq);
    }

    // ------------------------------------------------------------------ snapshots (OcapiState)

    /** Whether the VMM opened its context on the AFU (it stays open until a restore of a stream without one). */
    boolean hasContext() {
        return ctx != null;
    }

    /** The AFU irqs in allocation order: offset, host interrupt, guest interrupt. */
    long[] offsets() {
        return irqs.stream().mapToLong(i -> i.offset).toArray();
    }

    int[] hwIrqs() {
        return irqs.stream().mapToInt(i -> i.hw).toArray();
    }

    int[] lisns() {
        return irqs.stream().mapToInt(i -> i.lisn).toArray();
    }

    /**
     * A restore, before any section's commit: every AFU irq freed as FREE_IRQ would, with no trace
     * event. The VM is stopped (an in-kernel XIVE latched its sources to P): the relay goes first,
     * so the host interrupt handed back by the unlink reaches no guest line.
     */
    void restoreBegin() {
        for (Irq i : List.copyOf(irqs)) {
            i.fd.removeWaiter(i.waiter);
            releaseQuietly(i);
        }
    }

    /**
     * A restore's commit (after {@link #restoreBegin}, the stream validated): the context open or
     * closed as the stream's, each AFU irq re-made on the very host interrupt and guest number
     * it had. The links are made when the in-kernel device is connected afresh (the irqchip
     * listener), as after a controller switch.
     */
    void install(boolean context, long[] offsets, int[] hw, int[] lisns) {
        io.pseries.core.host.pt.OcxlAfu afu = dev.hostFunction().afu();
        if (!context && ctx != null) {
            afu.closeContext(ctx);
            ctx = null;
        }
        if (context && ctx == null) {
            ctx = afu.openContext(host.vm().hostIntc(), pageSize());
        }
        // every AFU irq on its host IPI before any is given to the guest: attaching one claims its
        // number in the controllers, and an in-kernel device connected then makes a source for it on
        // the lowest free IPI, which must not be one a later AFU irq of the stream holds
        for (int i = 0; i < offsets.length; i++) {
            long off = ctx.restoreIrq(io.pseries.core.host.pt.OcxlAfu.irqIdAt(pageSize(), offsets[i]), hw[i], true);
            if (off != offsets[i]) {
                throw new IllegalStateException("AFU irq at offset 0x" + Long.toHexString(offsets[i])
                    + " could not be re-made after validation (the host has no IPI left)");
            }
        }
        for (int i = 0; i < offsets.length; i++) {
            machine.irqSpace().reserveMsi(lisns[i], 1);
            attach(offsets[i], lisns[i]);
        }
    }

    private void link(Irq irq) {
        InKernelIrqchip ic = host.vm().irqchip();
        if (ic != null && !irq.linked) {
            irq.linked = ic.setMapped(irq.lisn, irq.hw) == 0;
        }
    }

    private void unlink(Irq irq) {
        InKernelIrqchip ic = host.vm().irqchip();
        if (ic != null && irq.linked) {
            ic.clrMapped(irq.lisn, irq.hw);
        }
        irq.linked = false;
    }

    List<Map<String, Object>> info() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Irq i : irqs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("addr", dev.hostFunction().addr());
            m.put("guestIrq", i.lisn);
            m.put("hostIrq", i.hw);
            m.put("offset", i.offset);
            m.put("triggerPage", ctx.triggerAddress(i.offset));
            m.put("state", i.linked ? "bypass" : "vmm");
            out.add(m);
        }
        return out;
    }
}
