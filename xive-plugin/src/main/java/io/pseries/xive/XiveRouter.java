package io.pseries.xive;

import io.pseries.core.mem.GuestMemory;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The router (IVRE / virtualization controller): the EAS table (one {@code long} per source)
 * and the END table (eight words per END), and the event path from a forwarded source event to
 * the presenter. An END in its reset state (not valid, no queue, ESn and ESe PQ 01: the state
 * every END starts in and a reset returns it to) costs one reference: its words and the
 * router's caches for it are made when it first leaves that state, so a machine of 4096 vCPUs
 * whose guests use one priority each keeps one END of eight per vCPU.
 *
 * <pre>
 *  notify(lisn): EAS invalid -> guest error; masked -> done; else END trigger(EAS.end, EAS.data)
 *  END trigger:  invalid -> guest error
 *                q: write (gen << 31 | data) at queue[index], advance, flip gen on wrap
 *                s: escalate only
 *                F=0 and priority 0xFF: masked, done
 *                n clear: ESn PQ trigger, stop unless forwarded
 *                NVT lookup, presenter match -> IPB bit, signal; done
 *                no match: backlog (b) into the NVT, then escalation (e): unless u, ESe PQ trigger;
 *                          END trigger on the EAS held in w4-w5
 * </pre>
 */
public final class XiveRouter implements XiveSource.Notifier {

    /** Tells whether an NVT exists (sPAPR has no NVT table: an NVT is a vCPU). */
    @FunctionalInterface
    public interface NvtDirectory {
        boolean exists(int blk, int idx);
    }

    /**
     * Where the pending priority of an NVT that no thread holds is kept: the host's NVT
     * structures (OPAL's VPs back up the IPB of a VP that is not dispatched, which KVM merges
     * into the VP state it saves). sPAPR has none: without one the event only escalates.
     */
    @FunctionalInterface
    public interface NvtBacklog {
        void record(int blk, int idx, int priority);
    }

    private NvtBacklog backlog;

    /** Sets where undispatched NVTs keep their pending priorities (a host XIVE's NVT table). */
    public void setBacklog(NvtBacklog b) {
        backlog = b;
    }

    /** Escalation chains deeper than this are a configuration loop: dropped as a guest error. */
    static final int MAX_ESCALATION_DEPTH = 8;

    final long[] eat;

    /** One written END: its eight words, and what the router derived from them. */
    private static final class EndEntry {
        int w0;
        int w1;
        int w2;
        int w3;
        int w4;
        int w5;
        int w6;
        int w7;
        /** The RAM page holding the whole queue, or null (not cached, or the queue spans pages). */
        byte[] queuePage;
        /** The last thread/ring the presenter matched, valid while matchEpoch equals the presenter's. */
        long match;
        int matchEpoch;
        /**
         * Events this END wrote into its queue while it held this entry: counted per END, so that
         * the host thread owning a vCPU's ENDs in a parallel IPI run shares no counter.
         */
        long enqueued;

        int word(int i) {
            return switch (i) {
                case 0 -> w0;
                case 1 -> w1;
                case 2 -> w2;
                case 3 -> w3;
                case 4 -> w4;
                case 5 -> w5;
                case 6 -> w6;
                case 7 -> w7;
                default -> throw new IndexOutOfBoundsException("END word " + i);
            };
        }

        void word(int i, int v) {
            switch (i) {
                case 0 -> w0 = v;
                case 1 -> w1 = v;
                case 2 -> w2 = v;
                case 3 -> w3 = v;
                case 4 -> w4 = v;
                case 5 -> w5 = v;
                case 6 -> w6 = v;
                case 7 -> w7 = v;
                default -> throw new IndexOutOfBoundsException("END word " + i);
            }
        }
    }

    /** The END table: null for an END in its reset state ({@link #RESET_W1}, every other word 0). */
    private final EndEntry[] ends;
    /** Word 1 of a reset END: ESn and ESe at PQ 01 ("off"); its other words are 0. */
    static final int RESET_W1 = End.W1_ESE_Q | End.W1_ESN_Q;
    /** The number an 'irq' event names for a source: itself, or (a host's router) the guest's LISN it backs. */
    private java.util.function.IntUnaryOperator traceNumbering = n -> n;

    /** How 'irq' events number the sources this router presents (a host XIVE: the guest's LISNs). */
    public void setTraceNumbering(java.util.function.IntUnaryOperator numbering) {
        traceNumbering = numbering;
    }

    private final int nrEnds;
    private final GuestMemory memory;
    private final Presenter presenter;
    private final NvtDirectory nvts;
    private final Trace trace;
    /** Events enqueued by END entries no longer held (reset, restored over); the held ones count their own. */
    private long enqueued;
    /** Exactly the numbers whose EAS is not zero (set on every non-zero write, cleared on a zero one). */
    private final java.util.BitSet written = new java.util.BitSet();
    /** How many EASs are valid: with {@link #written}, what a restore checks the claims against. */
    private int validCount;

    public XiveRouter(int nrIrqs, int nrEnds, GuestMemory memory, Presenter presenter, NvtDirectory nvts, Trace trace) {
        this.eat = new long[nrIrqs];
        this.ends = new EndEntry[nrEnds];
        this.nrEnds = nrEnds;
        this.memory = memory;
        this.presenter = presenter;
        this.nvts = nvts;
        this.trace = trace;
    }

    public int nrIrqs() {
        return eat.length;
    }

    public int nrEnds() {
        return nrEnds;
    }

    public long eas(int lisn) {
        return eat[lisn];
    }

    public void setEas(int lisn, long w) {
        long old = eat[lisn];
        eat[lisn] = w;
        if (Eas.valid(old) != Eas.valid(w)) {
            validCount += Eas.valid(w) ? 1 : -1;
        }
        if (w == 0) {
            written.clear(lisn);
        } else {
            written.set(lisn);
        }
    }

    /**
     * The lowest interrupt number at or above {@code from} whose EAS is not all zeros, or -1: what
     * a reset (and anything else that wants the entries in use) visits instead of every number
     * configured.
     */
    public int nextNonZeroEas(int from) {
        return written.nextSetBit(from);
    }

    /** How many EASs are valid. */
    public int validEasCount() {
        return validCount;
    }

    /** The numbers whose EAS is not all zeros, ascending (the cost follows them, not the table's size). */
    public int[] writtenEas() {
        return written.stream().toArray();
    }

    public int endWord(int idx, int word) {
        if (word < 0 || word >= End.WORDS) {
            throw new IndexOutOfBoundsException("END word " + word);
        }
        EndEntry e = ends[idx];
        return e != null ? e.word(word) : word == 1 ? RESET_W1 : 0;
    }

    public void setEndWord(int idx, int word, int v) {
        EndEntry e = ends[idx];
        if (e == null) {
            if (word < 0 || word >= End.WORDS) {
                throw new IndexOutOfBoundsException("END word " + word);
            }
            if (v == (word == 1 ? RESET_W1 : 0)) {
                return;
            }
            e = newEntry(idx);
        }
        e.word(word, v);
        // any END change can move its queue or its target: drop what was derived from it
        if (word != 1) {
            e.queuePage = null;
            e.matchEpoch = presenter.epoch() - 1;
        }
    }

    /** Returns END {@code idx} to its reset state (not valid, no queue, ESn and ESe off). */
    public void resetEnd(int idx) {
        if (idx < 0 || idx >= nrEnds) {
            throw new IndexOutOfBoundsException("END " + idx);
        }
        EndEntry e = ends[idx];
        if (e != null) {
            enqueued += e.enqueued;
        }
        ends[idx] = null;
    }

    private EndEntry newEntry(int idx) {
        EndEntry e = new EndEntry();
        e.w1 = RESET_W1;
        e.matchEpoch = presenter.epoch() - 1;
        ends[idx] = e;
        return e;
    }

    /** The END table as {@code nrEnds * 8} words, for a snapshot. */
    public int[] endTable() {
        int[] t = new int[nrEnds * End.WORDS];
        for (int i = 0; i < nrEnds; i++) {
            EndEntry e = ends[i];
            int b = i * End.WORDS;
            if (e == null) {
                t[b + 1] = RESET_W1;
            } else {
                t[b] = e.w0;
                t[b + 1] = e.w1;
                t[b + 2] = e.w2;
                t[b + 3] = e.w3;
                t[b + 4] = e.w4;
                t[b + 5] = e.w5;
                t[b + 6] = e.w6;
                t[b + 7] = e.w7;
            }
        }
        return t;
    }

    /**
     * Installs a snapshot's EAS table (the entries {@code eas} of the numbers {@code lisns}, every
     * other entry zero) and END table ({@code nrEnds * 8} words) and enqueue count, and
     * drops every cache derived from them (queue pages, presenter matches). The caller checked
     * the lengths.
     */
    public void restoreTables(int[] lisns, long[] eas, int[] endWords, long enqueuedCount) {
        for (int i = written.nextSetBit(0); i >= 0; i = written.nextSetBit(i + 1)) {
            eat[i] = 0;
        }
        written.clear();
        validCount = 0;
        for (int k = 0; k < lisns.length; k++) {
            setEas(lisns[k], eas[k]);
        }
        for (int i = 0; i < nrEnds; i++) {
            int b = i * End.WORDS;
            int other = endWords[b + 1] ^ RESET_W1;
            for (int k = 0; k < End.WORDS; k++) {
                other |= k == 1 ? 0 : endWords[b + k];
            }
            if (other == 0) {
                ends[i] = null;
                continue;
            }
            EndEntry e = newEntry(i);
            e.w0 = endWords[b];
            e.w1 = endWords[b + 1];
            e.w2 = endWords[b + 2];
            e.w3 = endWords[b + 3];
            e.w4 = endWords[b + 4];
            e.w5 = endWords[b + 5];
            e.w6 = endWords[b + 6];
            e.w7 = endWords[b + 7];
        }
        enqueued = enqueuedCount;
    }

    /** Events written into event queues since creation (a scan of the END table: snapshots and tests). */
    public long enqueuedCount() {
        long n = enqueued;
        for (EndEntry e : ends) {
            n += e == null ? 0 : e.enqueued;
        }
        return n;
    }

    @Override
    public void notify(int lisn) {
        long eas = lisn < eat.length ? eat[lisn] : 0;
        if (lisn >= eat.length || (eas & Eas.VALID) == 0) {
            badLisn(lisn);
            return;
        }
        if ((eas & Eas.MASKED) != 0) {
            return;
        }
        endTrigger(Eas.endBlock(eas), Eas.endIndex(eas), Eas.endData(eas), lisn, 0);
    }

    /** A notification of a LISN past the table or with an invalid EAS. */
    private void badLisn(int lisn) {
        if (lisn >= eat.length) {
            trace.guestError(-1, String.format("XIVE: Unknown LISN %x", lisn), "lisn", lisn);
        } else {
            trace.guestError(-1, String.format("XIVE: invalid LISN %x", lisn), "lisn", lisn);
        }
    }

    /** An END trigger (from a source event, or an escalation). */
    public void endTrigger(int blk, int idx, int data, int lisn, int depth) {
        EndEntry e = idx < nrEnds ? ends[idx] : null;
        int w0 = e == null ? 0 : e.w0;
        if ((w0 & End.W0_VALID) == 0) {
            badEnd(blk, idx);
            return;
        }
        if ((w0 & End.W0_ENQUEUE) != 0) {
            enqueue(e, data);
        }
        if ((w0 & End.W0_SILENT_ESCALATE) != 0) {
            escalate(e, blk, idx, depth);
            return;
        }
        int w7 = e.w7;
        int priority = Field.get32(End.W7_F0_PRIORITY, w7);
        if (priority == 0xff && Field.get32(End.W6_FORMAT_BIT, e.w6) == 0) {
            return;
        }
        if ((w0 & End.W0_UCOND_NOTIFY) == 0 && !esnForwards(e)) {
            return;
        }
        // same END words and no context pushed or pulled since: the same thread and ring
        long m = e.matchEpoch == presenter.epoch() ? e.match : match(e);
        if (m >= 0) {
            ThreadContext t = presenter.tctx((int) (m >>> 8));
            int ring = (int) (m & 0xff);
            if (trace.on(TraceCategory.IRQ)) {
                tracePresent(t, lisn, data, priority, ring, idx);
            }
            t.ipbUpdate(ring, ThreadContext.priorityToIpb(priority));
            return;
        }
        if (m != NO_NVT) {
            notPresented(e, w0, blk, idx, depth, m, priority);
        }
    }

    /** {@link #match}'s answer when the END's NVT does not exist (reported as a guest error). */
    private static final long NO_NVT = Long.MIN_VALUE;

    /** The END's ESn PQ trigger (notifications not unconditional); true when the event goes on. */
    private static boolean esnForwards(EndEntry e) {
        int w1 = e.w1;
        int r = Pq.trigger(Field.get32(End.W1_ESN, w1));
        e.w1 = Field.set32(End.W1_ESN, w1, Pq.state(r));
        return Pq.forwards(r);
    }

    /**
     * The presenter's match for the END's NVT ({@code thread << 8 | ring}, {@link Presenter#NO_MATCH},
     * {@link Presenter#AMBIGUOUS}), remembered with the presenter's epoch when positive; or
     * {@link #NO_NVT}, reported, when the NVT does not exist.
     */
    private long match(EndEntry e) {
        int w6 = e.w6;
        int w7 = e.w7;
        int nvtBlk = Field.get32(End.W6_NVT_BLOCK, w6);
        int nvtIdx = Field.get32(End.W6_NVT_INDEX, w6);
        if (!nvts.exists(nvtBlk, nvtIdx)) {
            noNvt(nvtBlk, nvtIdx);
            return NO_NVT;
        }
        long m = presenter.match(Field.get32(End.W6_FORMAT_BIT, w6), nvtBlk, nvtIdx, (w7 & End.W7_F0_IGNORE) != 0,
            Field.get32(End.W7_F1_LOG_SERVER_ID, w7));
        if (m >= 0) {
            e.match = m;
            e.matchEpoch = presenter.epoch();
        }
        return m;
    }

    /** An END trigger of an END past the table or not valid. */
    private void badEnd(int blk, int idx) {
        if (idx >= nrEnds) {
            trace.guestError(-1, String.format("XIVE: No END %x/%x", blk, idx));
        } else {
            trace.guestError(-1, String.format("XIVE: END %x/%x is invalid", blk, idx));
        }
    }

    private void noNvt(int nvtBlk, int nvtIdx) {
        trace.guestError(-1, String.format("XIVE: no NVT %x/%x", nvtBlk, nvtIdx));
    }

    /** The {@code present} event of a notification that reached a thread context. */
    private void tracePresent(ThreadContext t, int lisn, int data, int priority, int ring, int idx) {
        int shown = traceNumbering.applyAsInt(lisn);
        if (shown == lisn) {
            trace.emit(TraceCategory.IRQ, t.cpu().index(), "present", "lisn", lisn, "eisn", data,
                "priority", priority, "ring", ring, "end", idx);
        } else {
            trace.emit(TraceCategory.IRQ, t.cpu().index(), "present", "lisn", shown, "eisn", data,
                "priority", priority, "ring", ring, "end", idx, "hwIrq", lisn);
        }
    }

    /** A notification no thread context took (no match, or two threads holding the NVT). */
    private void notPresented(EndEntry e, int w0, int blk, int idx, int depth, long m, int priority) {
        int nvtBlk = Field.get32(End.W6_NVT_BLOCK, e.w6);
        int nvtIdx = Field.get32(End.W6_NVT_INDEX, e.w6);
        // no thread, or two threads holding the NVT (already reported): both go on to backlog and escalation
        if (m == Presenter.NO_MATCH && backlog != null) {
            backlog.record(nvtBlk, nvtIdx, priority);
            escalate(e, blk, idx, depth);
            return;
        }
        if (m == Presenter.NO_MATCH) {
            trace.emit(TraceCategory.UNIMPLEMENTED, -1, "presenter",
                "message", String.format("XIVE: NVT %x/%x is not dispatched", nvtBlk, nvtIdx));
        }
        if ((w0 & End.W0_BACKLOG) != 0) {
            // sPAPR keeps no NVT table, so there is nowhere to record the backlog (QEMU asserts)
            trace.guestError(-1, String.format("XIVE: backlog for NVT %x/%x: sPAPR has no NVT table to record it",
                nvtBlk, nvtIdx));
        }
        escalate(e, blk, idx, depth);
    }

    private void escalate(EndEntry e, int blk, int idx, int depth) {
        int w0 = e.w0;
        if ((w0 & End.W0_ESCALATE_CTL) == 0) {
            return;
        }
        if ((w0 & End.W0_UNCOND_ESCALATE) == 0) {
            int w1 = e.w1;
            int r = Pq.trigger(Field.get32(End.W1_ESE, w1));
            e.w1 = Field.set32(End.W1_ESE, w1, Pq.state(r));
            if (!Pq.forwards(r)) {
                return;
            }
        }
        if (depth >= MAX_ESCALATION_DEPTH) {
            trace.guestError(-1, String.format("XIVE: escalation loop from END %x/%x dropped", blk, idx));
            return;
        }
        int w4 = e.w4;
        int w5 = e.w5;
        if (trace.on(TraceCategory.INTC)) {
            trace.emit(TraceCategory.INTC, -1, "escalate", "end", idx,
                "toEnd", Field.get32(End.W4_ESC_END_INDEX, w4), "data", Field.get32(End.W5_ESC_END_DATA, w5));
        }
        endTrigger(Field.get32(End.W4_ESC_END_BLOCK, w4), Field.get32(End.W4_ESC_END_INDEX, w4),
            Field.get32(End.W5_ESC_END_DATA, w5), -1, depth + 1);
    }

    private void enqueue(EndEntry e, int data) {
        int w0 = e.w0;
        int w1 = e.w1;
        long qaddr = End.queueAddress(e.w2, e.w3);
        int qsize = Field.get32(End.W0_QSIZE, w0);
        int index = w1 & End.W1_PAGE_OFF;
        int gen = (w1 & End.W1_GENERATION) != 0 ? 1 : 0;
        long a = qaddr + ((long) index << 2);
        int entry = (gen << 31) | (data & 0x7fff_ffff);
        byte[] page = e.queuePage;
        if (page != null) {
            GuestMemory.putInt(page, (int) (a & (GuestMemory.PAGE_SIZE - 1)), entry);
        } else {
            if (!memory.contains(a, 4)) {
                trace.guestError(-1, String.format("XIVE: failed to write END data @0x%x", a), "addr", a);
                return;
            }
            long bytes = 4L * End.entries(qsize);
            if ((qaddr & (GuestMemory.PAGE_SIZE - 1)) + bytes <= GuestMemory.PAGE_SIZE && memory.contains(qaddr, (int) bytes)) {
                page = memory.page(qaddr);
                e.queuePage = page;
                GuestMemory.putInt(page, (int) (a & (GuestMemory.PAGE_SIZE - 1)), entry);
            } else {
                memory.write32(a, entry);
            }
        }
        e.enqueued++;
        index = (index + 1) & (End.entries(qsize) - 1);
        if (index == 0) {
            w1 ^= End.W1_GENERATION;
        }
        e.w1 = (w1 & ~End.W1_PAGE_OFF) | index;
    }
}
