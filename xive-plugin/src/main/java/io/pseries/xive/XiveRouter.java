package io.pseries.xive;

import io.pseries.core.mem.GuestMemory;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The router (IVRE / virtualization controller): the EAS table (one {@code long} per source)
 * and the END table (eight {@code int}s per END), and the event path from a forwarded source
 * event to the presenter.
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
    final int[] endt;
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
    private long enqueued;
    /** Per END: the RAM page holding its whole queue, or null (not cached, or the queue spans pages). */
    private final byte[][] queuePage;
    /** Per END: the last thread/ring the presenter matched, valid while matchEpoch equals the presenter's. */
    private final long[] matchCache;
    private final int[] matchEpoch;

    public XiveRouter(int nrIrqs, int nrEnds, GuestMemory memory, Presenter presenter, NvtDirectory nvts, Trace trace) {
        this.eat = new long[nrIrqs];
        this.endt = new int[nrEnds * End.WORDS];
        this.nrEnds = nrEnds;
        this.memory = memory;
        this.presenter = presenter;
        this.nvts = nvts;
        this.trace = trace;
        this.queuePage = new byte[nrEnds][];
        this.matchCache = new long[nrEnds];
        this.matchEpoch = new int[nrEnds];
        java.util.Arrays.fill(matchEpoch, presenter.epoch() - 1);
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
        eat[lisn] = w;
    }

    public int endWord(int idx, int word) {
        return endt[idx * End.WORDS + word];
    }

    public void setEndWord(int idx, int word, int v) {
        endt[idx * End.WORDS + word] = v;
        // any END change can move its queue or its target: drop what was derived from it
        if (word != 1) {
            queuePage[idx] = null;
            matchEpoch[idx] = presenter.epoch() - 1;
        }
    }

    /**
     * Installs a snapshot's EAS and END tables and enqueue count, and drops every cache derived
     * from them (queue pages, presenter matches). The caller checked the lengths.
     */
    public void restoreTables(long[] eas, int[] ends, long enqueuedCount) {
        System.arraycopy(eas, 0, eat, 0, eat.length);
        System.arraycopy(ends, 0, endt, 0, endt.length);
        enqueued = enqueuedCount;
        java.util.Arrays.fill(queuePage, null);
        java.util.Arrays.fill(matchEpoch, presenter.epoch() - 1);
    }

    /** Events written into event queues since creation. */
    public long enqueuedCount() {
        return enqueued;
    }

    @Override
    public void notify(int lisn) {
        long eas = lisn < eat.length ? eat[lisn] : 0;
        if (lisn >= eat.length) {
            trace.guestError(-1, String.format("XIVE: Unknown LISN %x", lisn), "lisn", lisn);
            return;
        }
        if ((eas & Eas.VALID) == 0) {
            trace.guestError(-1, String.format("XIVE: invalid LISN %x", lisn), "lisn", lisn);
            return;
        }
        if ((eas & Eas.MASKED) != 0) {
            return;
        }
        endTrigger(Eas.endBlock(eas), Eas.endIndex(eas), Eas.endData(eas), lisn, 0);
    }

    /** An END trigger (from a source event, or an escalation). */
    public void endTrigger(int blk, int idx, int data, int lisn, int depth) {
        if (idx >= nrEnds) {
            trace.guestError(-1, String.format("XIVE: No END %x/%x", blk, idx));
            return;
        }
        int base = idx * End.WORDS;
        int w0 = endt[base];
        if ((w0 & End.W0_VALID) == 0) {
            trace.guestError(-1, String.format("XIVE: END %x/%x is invalid", blk, idx));
            return;
        }
        if ((w0 & End.W0_ENQUEUE) != 0) {
            enqueue(base, data);
        }
        if ((w0 & End.W0_SILENT_ESCALATE) != 0) {
            escalate(base, blk, idx, depth);
            return;
        }
        int w6 = endt[base + 6];
        int w7 = endt[base + 7];
        int format = Field.get32(End.W6_FORMAT_BIT, w6);
        int priority = Field.get32(End.W7_F0_PRIORITY, w7);
        if (format == 0 && priority == 0xff) {
            return;
        }
        if ((w0 & End.W0_UCOND_NOTIFY) == 0) {
            int w1 = endt[base + 1];
            int pq = Field.get32(End.W1_ESN, w1);
            int r = Pq.trigger(pq);
            endt[base + 1] = Field.set32(End.W1_ESN, w1, Pq.state(r));
            if (!Pq.forwards(r)) {
                return;
            }
        }
        int nvtBlk = Field.get32(End.W6_NVT_BLOCK, w6);
        int nvtIdx = Field.get32(End.W6_NVT_INDEX, w6);
        long m;
        if (matchEpoch[idx] == presenter.epoch()) {
            // same END words and no context pushed or pulled since: the same thread and ring
            m = matchCache[idx];
        } else {
            if (!nvts.exists(nvtBlk, nvtIdx)) {
                trace.guestError(-1, String.format("XIVE: no NVT %x/%x", nvtBlk, nvtIdx));
                return;
            }
            m = presenter.match(format, nvtBlk, nvtIdx, (w7 & End.W7_F0_IGNORE) != 0,
                Field.get32(End.W7_F1_LOG_SERVER_ID, w7));
            if (m >= 0) {
                matchCache[idx] = m;
                matchEpoch[idx] = presenter.epoch();
            }
        }
        if (m >= 0) {
            int thread = (int) (m >>> 8);
            int ring = (int) (m & 0xff);
            ThreadContext t = presenter.tctx(thread);
            if (trace.on(TraceCategory.IRQ)) {
                int shown = traceNumbering.applyAsInt(lisn);
                if (shown == lisn) {
                    trace.emit(TraceCategory.IRQ, t.cpu().index(), "present", "lisn", lisn, "eisn", data,
                        "priority", priority, "ring", ring, "end", idx);
                } else {
                    trace.emit(TraceCategory.IRQ, t.cpu().index(), "present", "lisn", shown, "eisn", data,
                        "priority", priority, "ring", ring, "end", idx, "hwIrq", lisn);
                }
            }
            t.ipbUpdate(ring, ThreadContext.priorityToIpb(priority));
            return;
        }
        // no thread, or two threads holding the NVT (already reported): both go on to backlog and escalation
        if (m == Presenter.NO_MATCH && backlog != null) {
            backlog.record(nvtBlk, nvtIdx, priority);
            escalate(base, blk, idx, depth);
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
        escalate(base, blk, idx, depth);
    }

    private void escalate(int base, int blk, int idx, int depth) {
        int w0 = endt[base];
        if ((w0 & End.W0_ESCALATE_CTL) == 0) {
            return;
        }
        if ((w0 & End.W0_UNCOND_ESCALATE) == 0) {
            int w1 = endt[base + 1];
            int r = Pq.trigger(Field.get32(End.W1_ESE, w1));
            endt[base + 1] = Field.set32(End.W1_ESE, w1, Pq.state(r));
            if (!Pq.forwards(r)) {
                return;
            }
        }
        if (depth >= MAX_ESCALATION_DEPTH) {
            trace.guestError(-1, String.format("XIVE: escalation loop from END %x/%x dropped", blk, idx));
            return;
        }
        int w4 = endt[base + 4];
        int w5 = endt[base + 5];
        if (trace.on(TraceCategory.INTC)) {
            trace.emit(TraceCategory.INTC, -1, "escalate", "end", idx,
                "toEnd", Field.get32(End.W4_ESC_END_INDEX, w4), "data", Field.get32(End.W5_ESC_END_DATA, w5));
        }
        endTrigger(Field.get32(End.W4_ESC_END_BLOCK, w4), Field.get32(End.W4_ESC_END_INDEX, w4),
            Field.get32(End.W5_ESC_END_DATA, w5), -1, depth + 1);
    }

    private void enqueue(int base, int data) {
        int w0 = endt[base];
        int w1 = endt[base + 1];
        long qaddr = End.queueAddress(endt[base + 2], endt[base + 3]);
        int qsize = Field.get32(End.W0_QSIZE, w0);
        int index = w1 & End.W1_PAGE_OFF;
        int gen = (w1 & End.W1_GENERATION) != 0 ? 1 : 0;
        long a = qaddr + ((long) index << 2);
        int entry = (gen << 31) | (data & 0x7fff_ffff);
        byte[] page = queuePage[base / End.WORDS];
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
                queuePage[base / End.WORDS] = page;
                GuestMemory.putInt(page, (int) (a & (GuestMemory.PAGE_SIZE - 1)), entry);
            } else {
                memory.write32(a, entry);
            }
        }
        enqueued++;
        index = (index + 1) & (End.entries(qsize) - 1);
        if (index == 0) {
            w1 ^= End.W1_GENERATION;
        }
        endt[base + 1] = (w1 & ~End.W1_PAGE_OFF) | index;
    }
}
