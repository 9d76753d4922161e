package io.pseries.core.host.pt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.pseries.core.host.Errno;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * One VM's pass-through interrupt map ({@code kvm->arch.pimap}) and the HV code that fills it,
 * {@code kvmppc_set_passthru_irq} / {@code kvmppc_clr_passthru_irq} (book3s_hv.c), with their
 * checks in the kernel's order (facts §2.3):
 *
 * <pre>
 *  set(host, gsi)  kvm_irq_bypass off ─► 1 | no descriptor for host ─► EIO
 *                  host not a PHB MSI ─► "Could not assign IRQ map for (host,gsi)", ENOENT
 *                  gsi already linked ─► EINVAL | table full (KVMPPC_PIRQ_MAPPED) ─► EAGAIN
 *                  entry filled ─► the in-kernel device's set_mapped (no device: ENODEV;
 *                  a failure clears the entry again)
 *  clr(host, gsi)  entry not found ─► ENOENT | the device's clr_mapped, entry cleared
 * </pre>
 *
 * Every answer goes back to the irqbypass connect, which only logs it: user space never sees it.
 *
 * <p>Threading: the machine's thread only.
 */
public final class PassthroughIrqMap {
    /** KVMPPC_PIRQ_MAPPED: believed 1024 (the facts mark the value unconfirmed). */
    public static final int DEFAULT_CAPACITY = 1024;

    /** One entry: guest interrupt (v_hwirq) and the host hardware interrupt (r_hwirq, 0 = free). */
    public static final class Entry {
        final long vHwirq;
        int rHwirq;

        Entry(long v) {
            this.vHwirq = v;
        }

        public long guestIrq() {
            return vHwirq;
        }

        public int hostIrq() {
            return rHwirq;
        }
    }

    private final List<Entry> mapped = new ArrayList<>();
    private final Supplier<HostInterruptController> hostIntc;
    private final Supplier<InKernelIrqchip> irqchip;
    private final PhysicalHost physical;
    private final Trace trace;
    private final PassthroughStats stats;
    private int capacity = DEFAULT_CAPACITY;

    public PassthroughIrqMap(Supplier<HostInterruptController> hostIntc, Supplier<InKernelIrqchip> irqchip,
                             PhysicalHost physical, Trace trace, PassthroughStats stats) {
        this.hostIntc = hostIntc;
        this.irqchip = irqchip;
        this.physical = physical;
        this.trace = trace;
        this.stats = stats;
    }

    /** Sets the table size (tests reach EAGAIN with it). */
    public void setCapacity(int n) {
        capacity = n;
    }

    /** The VM's in-kernel interrupt device, or {@code null}. */
    public InKernelIrqchip irqchip() {
        return irqchip.get();
    }

    /** {@code kvmppc_set_passthru_irq}: 0, 1 (bypass disabled) or a negative errno. */
    public int set(int hostIrq, long gsi) {
        if (!physical.irqBypass()) {
            return 1;
        }
        HostInterruptController intc = hostIntc.get();
        if (intc == null || intc.irqInfo(hostIrq) == null) {
            return -Errno.EIO.number();
        }
        if (!intc.isPhbMsi(hostIrq)) {
            if (trace.on(TraceCategory.PASSTHROUGH)) {
                trace.emit(TraceCategory.PASSTHROUGH, -1, "warn", "message",
                    String.format("Could not assign IRQ map for (%d,%d)", hostIrq, gsi));
            }
            return -Errno.ENOENT.number();
        }
        Entry e = null;
        for (Entry x : mapped) {
            if (x.vHwirq == gsi) {
                if (x.rHwirq != 0) {
                    return -Errno.EINVAL.number();
                }
                e = x;
                break;
            }
        }
        if (e == null) {
            if (mapped.size() >= capacity) {
                return -Errno.EAGAIN.number();
            }
            e = new Entry(gsi);
            mapped.add(e);
        }
        e.rHwirq = hostIrq;
        InKernelIrqchip ic = irqchip.get();
        int rc = ic == null ? -Errno.ENODEV.number() : ic.setMapped(gsi, hostIrq);
        if (rc != 0) {
            e.rHwirq = 0;
            return rc;
        }
        stats.linksMade++;
        if (trace.on(TraceCategory.PASSTHROUGH)) {
            trace.emit(TraceCategory.PASSTHROUGH, -1, "link", "gsi", gsi, "hostIrq", hostIrq);
        }
        return 0;
    }

    /** {@code kvmppc_clr_passthru_irq}: 0 or a negative errno. */
    public int clr(int hostIrq, long gsi) {
        for (Entry x : mapped) {
            if (x.vHwirq == gsi && x.rHwirq != 0) {
                InKernelIrqchip ic = irqchip.get();
                int rc = ic == null ? 0 : ic.clrMapped(gsi, x.rHwirq);
                x.rHwirq = 0;
                stats.linksBroken++;
                if (trace.on(TraceCategory.PASSTHROUGH)) {
                    trace.emit(TraceCategory.PASSTHROUGH, -1, "unlink", "gsi", gsi, "hostIrq", hostIrq, "ret", rc);
                }
                return rc;
            }
        }
        return -Errno.ENOENT.number();
    }

    /** The host interrupt {@code gsi} is linked to, or 0. */
    public int linked(long gsi) {
        for (Entry x : mapped) {
            if (x.vHwirq == gsi) {
                return x.rHwirq;
            }
        }
        return 0;
    }

    /** Live links (entries with a host interrupt). */
    public int linkCount() {
        int n = 0;
        for (Entry x : mapped) {
            if (x.rHwirq != 0) {
                n++;
            }
        }
        return n;
    }

    /** The live links as pairs (guest interrupt, host interrupt), in the map's order. */
    public int[] linkPairs() {
        int[] out = new int[2 * linkCount()];
        int k = 0;
        for (Entry x : mapped) {
            if (x.rHwirq != 0) {
                out[k++] = (int) x.vHwirq;
                out[k++] = x.rHwirq;
            }
        }
        return out;
    }
}
