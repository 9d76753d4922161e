package io.pseries.xics.kvm;

import java.util.BitSet;

import io.pseries.core.host.Errno;
import io.pseries.core.host.HostInterruptController;
import io.pseries.xics.Ics;
import io.pseries.xics.Icp;
import io.pseries.xics.XicsRules;

/**
 * The pass-through switch of the in-kernel XICS of a POWER9 host (XICS-on-XIVE): KVM's
 * {@code set_mapped} / {@code clr_mapped} are the same code for this device as for the native
 * one (facts §2.3 step 7), but the guest reads its interrupts through H_XIRR, not a thread
 * context, and has no ESB pages (no zap: {@code reset_mapped} is installed only for the native
 * device, facts §1). While linked, the host PCI function's MSI is the source's backing: its
 * events reach the ICS as occurrences of the guest interrupt (the kernel's H_XIRR pops them from
 * the vCPU's queue; this model's ICS and ICP present them), its PQ gates them, and the guest's
 * H_EOI and masking act on it (facts §4.2: "source EOI on the selected HW irq").
 *
 * <pre>
 *  set_mapped(g, h)  not a source of this ICS: EINVAL | host hands h to the guest (PQ 10)
 *                    events of h ─► an occurrence of g | h EOI iff g unmasked and no occurrence
 *                    of g in flight (presented, accepted, rejected or latched while masked);
 *  host-group restore  g fed QUEUED alone unlinked, g presented, h's own PQ put back 11:
 *                    that Q was h's (the resend the feed kept goes)
 *  H_EOI(g) linked   g masked: old P forgotten (the unmask EOIs) | else h SET_PQ_00, and a
 *                    trigger of h when its Q was set
 *  mask g linked     h SET_PQ_10, old P and Q kept | unmask: old Q ─► SET_PQ_11; no old P ─► EOI
 *  clr_mapped(g, h)  g unmasked: h SET_PQ_10, old P ─► PQ 11 (the host resends) | host takes h back
 *  setIrq(g)         not a source, or linked: EINVAL (nothing) | else the ICS's device line
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
final class XicsPassthrough implements Ics.SourceListener {
    private static final int ESB_GET = 0x800;
    private static final int SET_PQ_00 = 0xC00;
    private static final int SET_PQ_01 = 0xD00;
    private static final int SET_PQ_10 = 0xE00;
    private static final int SET_PQ_11 = 0xF00;

    private final XicsOnXiveDevice dev;
    private final HostInterruptController host;
    /** The host interrupt each source is linked to (0: its own IPI), by source number. */
    private int[] pt;
    /** Occurrences accepted by a presenter and not yet EOId (the IPI's P, as far as a link needs it). */
    private final BitSet inService = new BitSet();
    /** The P and Q a masking of a linked source found on the host interrupt. */
    private final BitSet oldP = new BitSet();
    private final BitSet oldQ = new BitSet();
    /** A restore's event latched in a source's host Q before the source was linked again. */
    private final BitSet restoredQ = new BitSet();
    /** A restore's QUEUED on a source not linked when it was fed (kept as a resend, REJECTED). */
    private final BitSet restoredQueued = new BitSet();

    XicsPassthrough(XicsOnXiveDevice dev, HostInterruptController host, int nrIrqs) {
        this.dev = dev;
        this.host = host;
        this.pt = new int[nrIrqs];
    }

    /** The ICS was re-sized before any source was set up. */
    void resize(int nrIrqs) {
        pt = new int[nrIrqs];
    }

    private int slot(long gsi) {
        Ics ics = dev.ics();
        if (!ics.contains(gsi)) {
            return -1;
        }
        int s = (int) gsi - Ics.OFFSET;
        return ics.isClaimed(s) && dev.ipiOf(gsi) != 0 ? s : -1;
    }

    int mapped(long gsi) {
        int s = slot(gsi);
        return s < 0 ? 0 : pt[s];
    }

    /** {@code kvmppc_xive_set_irq} on this device. */
    Errno setIrq(long gsi, boolean level) {
        int s = slot(gsi);
        if (s < 0 || pt[s] != 0) {
            return Errno.EINVAL;
        }
        dev.ics().setIrq(s, level);
        return null;
    }

    int setMapped(long gsi, int hostIrq) {
        int s = slot(gsi);
        if (s < 0 || dev.ics().isLsi(s)) {
            return -Errno.EINVAL.number();
        }
        int rc = host.setVcpuAffinity(hostIrq, true);
        if (rc != 0) {
            return rc;
        }
        boolean masked = dev.ics().priority(s) == XicsRules.LOWEST;
        boolean inFlight = inFlight(s);
        pt[s] = hostIrq;
        host.setGuestSink(hostIrq, () -> dev.ics().setIrq(s, true));
        oldP.set(s, inFlight);
        oldQ.clear(s);
        if (restoredQ.get(s)) {
            // the restore's occurrence is in flight and one more event waits: P and Q
            restoredQ.clear(s);
            host.esbLoad(hostIrq, SET_PQ_11);
        } else if (!masked && !inFlight) {
            eoiHost(hostIrq);
        }
        return 0;
    }

    int clrMapped(long gsi, int hostIrq) {
        int s = slot(gsi);
        if (s < 0 || pt[s] != hostIrq) {
            return -Errno.EINVAL.number();
        }
        boolean p;
        if (dev.ics().priority(s) != XicsRules.LOWEST) {
            p = (host.esbLoad(hostIrq, SET_PQ_10) & 2) != 0;
        } else {
            p = oldP.get(s);
        }
        if (p) {
            host.esbLoad(hostIrq, SET_PQ_11);
        }
        host.setGuestSink(hostIrq, null);
        host.setVcpuAffinity(hostIrq, false);
        pt[s] = 0;
        oldP.clear(s);
        oldQ.clear(s);
        restoredQ.clear(s);
        return 0;
    }

    /**
     * A host-group restore put host interrupt {@code hw}'s own state byte back ({@code status}:
     * PQ) after the links were made. A source linked to it that the restore fed QUEUED alone while
     * not linked keeps that Q as a resend (REJECTED), the Q of the IPI that backed it then; if an
     * occurrence of the source is presented in an ICP and the host interrupt holds P and Q, that Q
     * was the one the host interrupt latched behind it (what the source get reports for a linked
     * MSI, facts §5.3: QUEUED = Q), and the host holds it again: the resend goes, so the guest's
     * H_EOI re-fires it once, as it would have without the checkpoint.
     */
    void hostStateRestored(int hw, int status) {
        for (int s = restoredQueued.nextSetBit(0); s >= 0; s = restoredQueued.nextSetBit(s + 1)) {
            if (s >= pt.length || pt[s] != hw) {
                continue;
            }
            restoredQueued.clear(s);
            int st = dev.ics().status(s);
            if ((status & 3) == 3 && (st & Ics.STATUS_REJECTED) != 0 && presented(s)) {
                dev.ics().restoreStatus(s, st & ~Ics.STATUS_REJECTED);
            }
        }
    }

    /** Whether an ICP holds an occurrence of source {@code s} in its XISR. */
    private boolean presented(int s) {
        Icp icp = dev.icp();
        int nr = s + Ics.OFFSET;
        for (int c = 0; c < icp.cpus(); c++) {
            if (icp.xisr(c) == nr) {
                return true;
            }
        }
        return false;
    }

    /** A restore fed source {@code s} QUEUED alone while not linked, or not: see {@link #hostStateRestored}. */
    void restoreQueued(int s, boolean queued) {
        int hw = s < pt.length ? pt[s] : 0;
        restoredQueued.set(s, queued && hw == 0);
    }

    /**
     * Whether linked source {@code s} has an event latched in its host interrupt's Q: read from
     * the host's PQ (ESB GET, no side effect) while unmasked, the Q its masking kept otherwise.
     */
    boolean latchedQ(int s) {
        int hw = s < pt.length ? pt[s] : 0;
        if (hw == 0) {
            return false;
        }
        if (dev.ics().priority(s) == XicsRules.LOWEST) {
            return oldQ.get(s);
        }
        return (host.esbLoad(hw, ESB_GET) & 1) != 0;
    }

    /**
     * A restore's source state: {@code q}, one more event latched behind the occurrence the
     * restore delivered, goes on the host interrupt's Q now if the source is linked, else when
     * it is linked again.
     */
    void restoreQ(int s, boolean q) {
        int hw = s < pt.length ? pt[s] : 0;
        if (q && hw != 0) {
            host.esbLoad(hw, SET_PQ_11);
            q = false;
        }
        restoredQ.set(s, q);
    }

    /** Device release: every linked host interrupt is masked (PQ 01), as the kernel's destroy does. */
    void release() {
        for (int s = 0; s < pt.length; s++) {
            if (pt[s] != 0) {
                host.setGuestSink(pt[s], null);
                host.esbLoad(pt[s], SET_PQ_01);
                pt[s] = 0;
            }
        }
        restoredQueued.clear();
    }

    /** Whether an occurrence of source {@code s} is in flight anywhere the guest could still take it. */
    private boolean inFlight(int s) {
        if (inService.get(s)) {
            return true;
        }
        int st = dev.ics().status(s);
        if ((st & (Ics.STATUS_REJECTED | Ics.STATUS_MASKED_PENDING)) != 0) {
            return true;
        }
        return presented(s);
    }

    /** The host interrupt's EOI: PQ 00, and a trigger when an event was latched in its Q. */
    private void eoiHost(int hw) {
        if ((host.esbLoad(hw, SET_PQ_00) & 1) != 0) {
            host.esbStore(hw, true, 0, 0);
        }
    }

    @Override
    public void accepted(int srcno) {
        inService.set(srcno);
        restoredQueued.clear(srcno);
    }

    @Override
    public void eoied(int srcno) {
        inService.clear(srcno);
        int hw = srcno < pt.length ? pt[srcno] : 0;
        if (hw == 0) {
            return;
        }
        if (dev.ics().priority(srcno) == XicsRules.LOWEST) {
            oldP.clear(srcno);
        } else {
            eoiHost(hw);
        }
    }

    @Override
    public void priorityChanged(int srcno, int oldPrio, int newPrio) {
        int hw = srcno < pt.length ? pt[srcno] : 0;
        if (hw == 0) {
            return;
        }
        if (newPrio == XicsRules.LOWEST) {
            long old = host.esbLoad(hw, SET_PQ_10);
            oldP.set(srcno, (old & 2) != 0);
            oldQ.set(srcno, (old & 1) != 0);
        } else if (oldPrio == XicsRules.LOWEST) {
            if (oldQ.get(srcno)) {
                host.esbLoad(hw, SET_PQ_11);
            }
            if (!oldP.get(srcno)) {
                eoiHost(hw);
            }
            oldP.clear(srcno);
            oldQ.clear(srcno);
        }
    }
}
