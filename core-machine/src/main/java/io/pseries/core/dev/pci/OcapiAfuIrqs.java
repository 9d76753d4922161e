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
        final int fd;
        final Runnable waiter;
        boolean linked;

        Irq(long offset, int hw, int lisn, int fd, Runnable waiter) {
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
            ctx = dev.hostFunction().afu().openContext(host.vm().hostIntc(), 1L << host.config().pageShift());
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
        machine.claimIrq(lisn, false, "vfio-pci " + dev.hostFunction().addr() + " AFU irq " + irqs.size());
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
        Irq irq = new Irq(offset, ctx.hostIrq(offset), lisn, fd, waiter);
        irqs.add(irq);
        link(irq);
        if (machine.trace().on(TraceCategory.PASSTHROUGH)) {
            machine.trace().emit(TraceCategory.PASSTHROUGH, cpu.index(), "ocxl_alloc_irq", "guestIrq", lisn,
                "hostIrq", irq.hw, "offset", offset, "state", irq.linked ? "bypass" : "vmm");
        }
        return lisn;
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
        unlink(irq);
        ctx.freeIrq(irq.offset);
        host.process().eventFd(irq.fd).removeWaiter(irq.waiter);
        host.process().closeFile(irq.fd);
        machine.freeIrq(irq.lisn);
        machine.irqSpace().freeMsi(irq.lisn, 1);
        irqs.remove(irq);
        if (machine.trace().on(TraceCategory.PASSTHROUGH)) {
            machine.trace().emit(TraceCategory.PASSTHROUGH, cpu, "ocxl_free_irq", "guestIrq", irq.lisn,
                "hostIrq", irq.hw);
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
