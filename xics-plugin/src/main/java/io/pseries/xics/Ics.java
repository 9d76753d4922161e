package io.pseries.xics;

import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The XICS interrupt source controller (QEMU's ICS, hw/intc/xics.c; facts §7.3-7.4): 0x1000
 * sources numbered from {@link #OFFSET}, each with a server (a vCPU id), a current and a saved
 * priority, status bits and a kind. State is held in flat arrays indexed by source number
 * ({@code srcno = irq - 0x1000}); there is no object per source.
 *
 * <pre>
 *  device line ─► setIrq ─► MSI: priority 0xFF? MASKED_PENDING : Icp.irq
 *                           LSI: ASSERTED ±, then LSI resend (SENT, Icp.irq)
 *  RTAS set-xive/int-on/off ─► writeXive ─► LSI resend / MSI masked-pending delivery
 *  Icp ─► reject (MSI: REJECTED; LSI: not SENT) · eoi (LSI: not SENT) · resend
 * </pre>
 *
 * <p><b>Resend.</b> QEMU's ics_resend walks every source in ascending order, with no server
 * filter. This ICS keeps the sources such a walk would act on (REJECTED MSIs, and LSIs that
 * are unmasked, asserted and not sent; see {@link XicsRules#resendCandidate}) in a bitmap that
 * every status, priority or kind change updates, and walks only those, in the same ascending
 * order and reading the bitmap afresh at each step. A source that becomes a candidate above the
 * walk's position during the walk is visited, one below it is not: exactly as QEMU's loop.
 *
 * <p>Threading: the machine's thread only.
 */
public final class Ics {
    /** First interrupt number of the ICS (XICS_IRQ_BASE = SPAPR_XIRQ_BASE). */
    public static final int OFFSET = 0x1000;
    /** Number of sources of QEMU's ICS (SPAPR_NR_XIRQS); a machine with more {@code nrIrqs} has more. */
    public static final int NR_IRQS = 0x1000;

    public static final int STATUS_ASSERTED = 0x1;
    public static final int STATUS_SENT = 0x2;
    public static final int STATUS_REJECTED = 0x4;
    public static final int STATUS_MASKED_PENDING = 0x8;

    public static final int FLAG_LSI = 0x1;
    public static final int FLAG_MSI = 0x2;
    /** Kind mask; 0 means the source is not allocated. */
    public static final int FLAGS_MASK = 0x3;

    private final int nrIrqs;
    private final int[] server;
    private final byte[] priority;
    private final byte[] savedPriority;
    private final byte[] status;
    private final byte[] flags;
    private final SourceBitmap claimed;
    private final SourceBitmap resendSet;
    /**
     * Sources not claimed whose entry may differ from the reset values (freed, written by a state
     * transfer, a line change): with the claimed ones, what a reset visits.
     */
    private final SourceBitmap unclaimedWritten;
    /** The arrays start zeroed, not at the reset values, and a restore writes them whole. */
    private boolean resetAll = true;
    private final Trace trace;
    private Icp icp;
    private SourceListener listener;

    /**
     * What a source's backing outside this ICS is told (the in-kernel XICS of a POWER9 host, whose
     * linked sources are backed by a host PCI function's MSI): an occurrence accepted by a
     * presenter, an EOI, and a change of priority. The emulated XICS has none.
     */
    public interface SourceListener {
        /** A presenter accepted an occurrence of {@code srcno} (H_XIRR). */
        void accepted(int srcno);

        /** The guest EOId {@code srcno} (H_EOI), after the ICS's own EOI. */
        void eoied(int srcno);

        /** {@code srcno}'s current priority went from {@code oldPrio} to {@code newPrio} (set-xive, int-on/off). */
        void priorityChanged(int srcno, int oldPrio, int newPrio);
    }

    /** QEMU's ICS: {@link #NR_IRQS} sources from {@link #OFFSET}. */
    public Ics(Trace trace) {
        this(NR_IRQS, trace);
    }

    /** An ICS of {@code nrIrqs} sources from {@link #OFFSET} (QEMU's ics nr-irqs property). */
    public Ics(int nrIrqs, Trace trace) {
        this.nrIrqs = nrIrqs;
        this.server = new int[nrIrqs];
        this.priority = new byte[nrIrqs];
        this.savedPriority = new byte[nrIrqs];
        this.status = new byte[nrIrqs];
        this.flags = new byte[nrIrqs];
        this.claimed = new SourceBitmap(nrIrqs);
        this.resendSet = new SourceBitmap(nrIrqs);
        this.unclaimedWritten = new SourceBitmap(nrIrqs);
        this.trace = trace;
    }

    /** How many sources this ICS has. */
    public int nrIrqs() {
        return nrIrqs;
    }

    /** Whether an interrupt number lies in this ICS ([0x1000, 0x1000 + nrIrqs)): QEMU's ics_valid_irq. */
    public boolean contains(long irq) {
        return irq >= OFFSET && irq < OFFSET + nrIrqs;
    }

    /** Connects the presentation layer that {@link #setIrq}, {@link #writeXive} and resends offer to. */
    void connect(Icp presenter) {
        this.icp = presenter;
    }

    /** Sets (or with {@code null} removes) the one {@link SourceListener}. */
    public void setListener(SourceListener l) {
        this.listener = l;
    }

    /** Icp: an occurrence of the source numbered {@code irq} was accepted. */
    void accepted(int irq) {
        if (listener != null && contains(irq)) {
            listener.accepted(irq - OFFSET);
        }
    }

    // ------------------------------------------------------------------ state accessors

    public int server(int srcno) {
        return server[srcno];
    }

    public int priority(int srcno) {
        return priority[srcno] & 0xFF;
    }

    public int savedPriority(int srcno) {
        return savedPriority[srcno] & 0xFF;
    }

    public int status(int srcno) {
        return status[srcno] & 0xFF;
    }

    public int flags(int srcno) {
        return flags[srcno] & 0xFF;
    }

    public boolean isLsi(int srcno) {
        return (flags[srcno] & FLAG_LSI) != 0;
    }

    public boolean isClaimed(int srcno) {
        return (flags[srcno] & FLAGS_MASK) != 0;
    }

    /** The next claimed source at or after {@code from}, or -1 (cost follows what is claimed). */
    public int nextClaimed(int from) {
        return claimed.nextSetBit(from);
    }

    /** How many sources a resend would visit now. */
    public int resendCandidates() {
        return resendSet.count();
    }

    /** Whether {@code srcno} is in the resend set (for tests). */
    boolean isResendCandidate(int srcno) {
        return resendSet.get(srcno);
    }

    // ------------------------------------------------------------------ allocation and reset

    /** ics_set_irq_type: marks a source as an LSI or an MSI; the rest of its state is kept. */
    public void claim(int srcno, boolean lsi) {
        flags[srcno] = (byte) (flags[srcno] | (lsi ? FLAG_LSI : FLAG_MSI));
        claimed.set(srcno);
        update(srcno);
    }

    /** xics_spapr_free_irq: the whole entry is zeroed (server 0, priorities 0, status 0, no kind). */
    public void free(int srcno) {
        server[srcno] = 0;
        priority[srcno] = 0;
        savedPriority[srcno] = 0;
        status[srcno] = 0;
        flags[srcno] = 0;
        claimed.clear(srcno);
        resendSet.clear(srcno);
        unclaimedWritten.set(srcno);
    }

    /** Copies of the per-source arrays (server, priority, saved priority, status, flags), for snapshots. */
    public int[] servers() {
        return server.clone();
    }

    public byte[] priorities() {
        return priority.clone();
    }

    public byte[] savedPriorities() {
        return savedPriority.clone();
    }

    public byte[] statuses() {
        return status.clone();
    }

    public byte[] flagBytes() {
        return flags.clone();
    }

    /**
     * Installs a snapshot's source state and re-derives the resend set from it; nothing is
     * delivered (the machine's post-load resend does that). The caller checked the lengths.
     */
    public void restoreSources(int[] srv, byte[] prio, byte[] saved, byte[] st) {
        System.arraycopy(srv, 0, server, 0, nrIrqs);
        System.arraycopy(prio, 0, priority, 0, nrIrqs);
        System.arraycopy(saved, 0, savedPriority, 0, nrIrqs);
        System.arraycopy(st, 0, status, 0, nrIrqs);
        resetAll = true;
        for (int s = 0; s < nrIrqs; s++) {
            update(s);
        }
    }

    /**
     * ics_reset: every source to server 0, priority and saved priority 0xFF, status 0; kinds kept.
     * Only the claimed sources and those written since the last reset are visited (the others
     * still hold the reset values), except the first time and after a restore.
     */
    public void reset() {
        if (resetAll) {
            java.util.Arrays.fill(server, 0);
            java.util.Arrays.fill(priority, (byte) 0xFF);
            java.util.Arrays.fill(savedPriority, (byte) 0xFF);
            java.util.Arrays.fill(status, (byte) 0);
            resetAll = false;
        } else {
            for (int s = claimed.nextSetBit(0); s >= 0; s = claimed.nextSetBit(s + 1)) {
                resetSource(s);
            }
            for (int s = unclaimedWritten.nextSetBit(0); s >= 0; s = unclaimedWritten.nextSetBit(s + 1)) {
                resetSource(s);
            }
        }
        unclaimedWritten.clearAll();
        resendSet.clearAll();
    }

    private void resetSource(int s) {
        server[s] = 0;
        priority[s] = (byte) 0xFF;
        savedPriority[s] = (byte) 0xFF;
        status[s] = 0;
    }

    private void written(int srcno) {
        if ((flags[srcno] & FLAGS_MASK) == 0) {
            unclaimedWritten.set(srcno);
        }
    }

    /**
     * Restores a source's status bits (ASSERTED, SENT, REJECTED, MASKED_PENDING) as a state
     * transfer does; nothing is delivered here (a following {@link #writeXive} does that).
     */
    public void restoreStatus(int srcno, int st) {
        setStatus(srcno, st & 0xFF);
    }

    private void setStatus(int srcno, int st) {
        status[srcno] = (byte) st;
        written(srcno);
        update(srcno);
    }

    private void update(int srcno) {
        resendSet.set(srcno, XicsRules.resendCandidate(flags[srcno], status[srcno] & 0xFF, priority[srcno] & 0xFF));
    }

    // ------------------------------------------------------------------ source operations

    /** ics_set_irq: a device line changed level. */
    public void setIrq(int srcno, boolean level) {
        if ((flags[srcno] & FLAG_LSI) != 0) {
            setStatus(srcno, XicsRules.lsiLevel(status[srcno] & 0xFF, level));
            resendLsi(srcno);
        } else if (level) {
            int p = priority[srcno] & 0xFF;
            if (XicsRules.msiTriggerPresents(p)) {
                icp.irq(server[srcno], srcno + OFFSET, p);
            } else {
                setStatus(srcno, (status[srcno] & 0xFF) | STATUS_MASKED_PENDING);
            }
        }
    }

    /**
     * ics_write_xive: stores server, priority and saved priority, then lets an LSI fire or a
     * masked-pending MSI be delivered. The values are not checked here (RTAS does).
     */
    public void writeXive(int srcno, int srv, int prio, int saved) {
        int oldPrio = priority[srcno] & 0xFF;
        server[srcno] = srv;
        priority[srcno] = (byte) prio;
        savedPriority[srcno] = (byte) saved;
        written(srcno);
        if (trace.on(TraceCategory.INTC)) {
            trace.emit(TraceCategory.INTC, -1, "write_xive", "irq", srcno + OFFSET, "server", srv,
                "priority", prio & 0xFF, "saved", saved & 0xFF);
        }
        update(srcno);
        if (listener != null && oldPrio != (prio & 0xFF)) {
            listener.priorityChanged(srcno, oldPrio, prio & 0xFF);
        }
        if ((flags[srcno] & FLAG_LSI) != 0) {
            resendLsi(srcno);
        } else {
            int st = status[srcno] & 0xFF;
            int p = prio & 0xFF;
            if (XicsRules.msiUnmaskDelivers(p, st)) {
                setStatus(srcno, st & ~STATUS_MASKED_PENDING);
                icp.irq(srv, srcno + OFFSET, p);
            }
        }
    }

    /** Stores server and priorities as a state transfer does: nothing is delivered or resent. */
    public void restoreXive(int srcno, int srv, int prio, int saved) {
        server[srcno] = srv;
        priority[srcno] = (byte) prio;
        savedPriority[srcno] = (byte) saved;
        written(srcno);
        update(srcno);
    }

    /** ics_reject: the presenter turned the source away (or withdrew it). */
    public void reject(int srcno) {
        setStatus(srcno, XicsRules.rejected(flags[srcno], status[srcno] & 0xFF));
    }

    /** ics_eoi: an LSI is no longer "sent"; an MSI's status does not change. */
    public void eoi(int srcno) {
        if ((flags[srcno] & FLAG_LSI) != 0) {
            setStatus(srcno, XicsRules.eoied(flags[srcno], status[srcno] & 0xFF));
        }
        if (listener != null) {
            listener.eoied(srcno);
        }
    }

    /** ics_resend: every candidate, in ascending source order (see the class comment). */
    public void resend() {
        for (int s = resendSet.nextSetBit(0); s >= 0; s = resendSet.nextSetBit(s + 1)) {
            if ((flags[s] & FLAG_LSI) != 0) {
                resendLsi(s);
            } else {
                resendMsi(s);
            }
        }
    }

    private void resendMsi(int srcno) {
        int st = status[srcno] & 0xFF;
        if ((st & STATUS_REJECTED) != 0) {
            setStatus(srcno, st & ~STATUS_REJECTED);
            int p = priority[srcno] & 0xFF;
            if (p != XicsRules.LOWEST) {
                icp.irq(server[srcno], srcno + OFFSET, p);
            }
        }
    }

    private void resendLsi(int srcno) {
        int st = status[srcno] & 0xFF;
        int p = priority[srcno] & 0xFF;
        if (XicsRules.lsiFires(p, st)) {
            setStatus(srcno, st | STATUS_SENT);
            icp.irq(server[srcno], srcno + OFFSET, p);
        }
    }
}
