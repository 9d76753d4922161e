package io.pseries.xive;

import java.util.Arrays;

import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The interrupt sources of a XIVE controller (the IVSE): one Event State Buffer (PQ bits plus
 * QEMU's ASSERTED status) per source, flat in a {@code byte[]}, an LSI bitmap, and the ESB
 * MMIO semantics.
 *
 * <p>MMIO layout: source {@code n} owns {@code [n << shift, (n+1) << shift)}. With two pages
 * per source (shift 13 or 17) the even page triggers and the odd page is the management (EOI)
 * page; with one page the management page also triggers. Only {@code offset & 0xFFF} is
 * decoded inside a page.
 *
 * <pre>
 *  management-page loads              management-page stores
 *  0x000-0x7FF  EOI, returns 0|1      0x000-0x3FF  trigger
 *  0x800-0xBFF  returns PQ            0x400-0x7FF  EOI (only with StoreEOI)
 *  0xC00-0xFFF  returns PQ, sets      0x800-0xBFF  inject (forward, PQ untouched)
 *               PQ = (offset>>8)&3    0xC00-0xFFF  set PQ = (offset>>8)&3
 *  trigger page: loads return -1, any store triggers
 * </pre>
 *
 * <p>Threading: machine thread only.
 */
public final class XiveSource {
    public static final int ESB_4K = 12;
    public static final int ESB_4K_2PAGE = 13;
    public static final int ESB_64K = 16;
    public static final int ESB_64K_2PAGE = 17;

    public static final int ESB_LOAD_EOI = 0x000;
    public static final int ESB_STORE_EOI = 0x400;
    public static final int ESB_INJECT = 0x800;
    public static final int ESB_GET = 0x800;
    public static final int ESB_SET_PQ_00 = 0xC00;
    public static final int ESB_SET_PQ_01 = 0xD00;
    public static final int ESB_SET_PQ_10 = 0xE00;
    public static final int ESB_SET_PQ_11 = 0xF00;
    /** Load-after-store ordering offset Linux ORs into SET_PQ_10 with StoreEOI; decodes as SET_PQ_10. */
    public static final int ESB_LD_ST_MO = 0x40;

    /** Where forwarded events go: the router. */
    @FunctionalInterface
    public interface Notifier {
        void notify(int srcno);
    }

    private final int nrIrqs;
    private final int esbShift;
    private final boolean storeEoi;
    private final byte[] status;
    private final long[] lsiMap;
    private final Notifier notifier;
    private final Trace trace;

    public XiveSource(int nrIrqs, int esbShift, boolean storeEoi, Notifier notifier, Trace trace) {
        if (esbShift != ESB_4K && esbShift != ESB_4K_2PAGE && esbShift != ESB_64K && esbShift != ESB_64K_2PAGE) {
            throw new IllegalArgumentException("invalid ESB shift " + esbShift + "; valid: 12, 13, 16, 17");
        }
        this.nrIrqs = nrIrqs;
        this.esbShift = esbShift;
        this.storeEoi = storeEoi;
        this.status = new byte[nrIrqs];
        this.lsiMap = new long[(nrIrqs + 63) >>> 6];
        this.notifier = notifier;
        this.trace = trace;
        reset();
    }

    public int nrIrqs() {
        return nrIrqs;
    }

    public int esbShift() {
        return esbShift;
    }

    public boolean hasTwoPages() {
        return esbShift == ESB_4K_2PAGE || esbShift == ESB_64K_2PAGE;
    }

    public boolean storeEoi() {
        return storeEoi;
    }

    /** Offset of source {@code n}'s trigger page in the ESB region. */
    public long triggerPage(int n) {
        return (long) n << esbShift;
    }

    /** Offset of source {@code n}'s management (EOI) page in the ESB region. */
    public long managementPage(int n) {
        return hasTwoPages() ? ((long) n << esbShift) + (1L << (esbShift - 1)) : (long) n << esbShift;
    }

    /** Size of the ESB region. */
    public long regionSize() {
        return (long) nrIrqs << esbShift;
    }

    /** A copy of every status byte (PQ in bits 0-1, ASSERTED), for snapshots. */
    public byte[] statusBytes() {
        return status.clone();
    }

    /** Whether {@code words} is this source's LSI bitmap (bit n of word n / 64). */
    public boolean isLsiMap(long[] words) {
        return java.util.Arrays.equals(lsiMap, words);
    }

    /** How many words the LSI bitmap has. */
    public int lsiWordCount() {
        return lsiMap.length;
    }

    /** A copy of the LSI bitmap (bit n of word n / 64), for snapshots. */
    public long[] lsiWords() {
        return lsiMap.clone();
    }

    /** Installs snapshot status bytes (the caller checked their length and bits). */
    public void restoreStatus(byte[] st) {
        System.arraycopy(st, 0, status, 0, status.length);
    }

    /** Source reset: every PQ to 01 ("off"), ASSERTED cleared; the LSI bitmap is kept. */
    public void reset() {
        Arrays.fill(status, (byte) Pq.OFF);
    }

    public boolean isLsi(int n) {
        return (lsiMap[n >>> 6] & (1L << n)) != 0;
    }

    public void setLsi(int n) {
        lsiMap[n >>> 6] |= 1L << n;
    }

    public int pq(int n) {
        return status[n] & 3;
    }

    public boolean asserted(int n) {
        return (status[n] & Pq.ASSERTED) != 0;
    }

    /** Sets PQ and returns the previous PQ. */
    public int setPq(int n, int pq) {
        int s = status[n];
        status[n] = (byte) ((s & ~3) | (pq & 3));
        if (trace.on(TraceCategory.INTC)) {
            pqEvent(n, "set");
        }
        return s & 3;
    }

    /** A PQ change of source {@code n} (the timeline's per-source state), after it happened. */
    private void pqEvent(int n, String op) {
        trace.emit(TraceCategory.INTC, -1, "pq", "lisn", n, "pq", status[n] & 3, "op", op);
    }

    /** Raw status byte (PQ and ASSERTED), for state capture. */
    public int status(int n) {
        return status[n] & 0xff;
    }

    public void setStatus(int n, int s) {
        status[n] = (byte) s;
    }

    /** Trigger transition; true when the event must go to the router. */
    public boolean trigger(int n) {
        int r = Pq.trigger(status[n]);
        status[n] = (byte) ((status[n] & ~3) | Pq.state(r));
        if (trace.on(TraceCategory.INTC)) {
            pqEvent(n, Pq.forwards(r) ? "trigger" : "trigger_coalesced");
        }
        if (isLsi(n) && Pq.state(r) == Pq.QUEUED) {
            queuedOnLsi(n);
        }
        return Pq.forwards(r);
    }

    private void queuedOnLsi(int n) {
        trace.guestError(-1, "XIVE: queued an event on LSI IRQ " + n, "lisn", n);
    }

    /** EOI transition; an LSI whose line is still up fires again. True to forward. */
    public boolean eoi(int n) {
        int r = Pq.eoi(status[n]);
        status[n] = (byte) ((status[n] & ~3) | Pq.state(r));
        boolean forward = Pq.forwards(r);
        if (trace.on(TraceCategory.INTC)) {
            pqEvent(n, forward ? "eoi_trigger" : "eoi");
        }
        if (isLsi(n) && (status[n] & Pq.ASSERTED) != 0) {
            forward = lsiAssert(n);
        }
        return forward;
    }

    /** LSI assertion: ASSERTED set; from PQ 00 go to 10 and forward; otherwise nothing (no Q on LSIs). */
    private boolean lsiAssert(int n) {
        int s = status[n];
        status[n] = (byte) (s | Pq.ASSERTED);
        if ((s & 3) == Pq.RESET) {
            status[n] = (byte) ((s | Pq.ASSERTED) & ~3 | Pq.PENDING);
            if (trace.on(TraceCategory.INTC)) {
                pqEvent(n, "trigger");
            }
            return true;
        }
        return false;
    }

    /** A device line changed level. */
    public void setIrq(int n, boolean level) {
        boolean forward = false;
        if (isLsi(n)) {
            if (level) {
                forward = lsiAssert(n);
            } else {
                status[n] &= (byte) ~Pq.ASSERTED;
            }
        } else if (level) {
            forward = trigger(n);
        }
        if (forward) {
            notifier.notify(n);
        }
    }

    private boolean isTriggerPage(long addr) {
        return hasTwoPages() && ((addr >>> (esbShift - 1)) & 1) == 0;
    }

    /** An ESB MMIO load at {@code addr} (offset in the ESB region). */
    public long esbRead(int cpu, long addr) {
        int offset = (int) (addr & 0xFFF);
        int n = (int) (addr >>> esbShift);
        if (isTriggerPage(addr)) {
            return loadOnTriggerPage(cpu, n, addr);
        }
        if (offset < ESB_GET) {
            boolean fwd = eoi(n);
            if (fwd) {
                notifier.notify(n);
            }
            return fwd ? 1 : 0;
        }
        if (offset < ESB_SET_PQ_00) {
            return pq(n);
        }
        return setPq(n, (offset >>> 8) & 3);
    }

    private long loadOnTriggerPage(int cpu, int n, long addr) {
        trace.guestError(cpu, String.format("XIVE: invalid load on IRQ %d trigger page at 0x%x", n, addr), "lisn", n);
        return -1;
    }

    /** An ESB MMIO store at {@code addr} (offset in the ESB region). */
    public void esbWrite(int cpu, long addr) {
        int offset = (int) (addr & 0xFFF);
        int n = (int) (addr >>> esbShift);
        boolean fwd;
        if (isTriggerPage(addr) || offset < ESB_STORE_EOI) {
            fwd = trigger(n);
        } else if (offset < ESB_INJECT) {
            if (!storeEoi) {
                invalidStoreEoi(cpu, n);
                return;
            }
            fwd = eoi(n);
        } else if (offset < ESB_SET_PQ_00) {
            fwd = true;
        } else {
            setPq(n, (offset >>> 8) & 3);
            fwd = false;
        }
        if (fwd) {
            notifier.notify(n);
        }
    }

    private void invalidStoreEoi(int cpu, int n) {
        trace.guestError(cpu, "XIVE: invalid Store EOI for IRQ " + n, "lisn", n);
    }
}
