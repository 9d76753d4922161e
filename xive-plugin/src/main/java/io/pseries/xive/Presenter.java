package io.pseries.xive;

import java.util.Arrays;

import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The presenter (IVPE): the thread contexts of all vCPUs and the search for the one whose
 * CAM line matches a notification's NVT.
 *
 * <p>QEMU scans every thread on each notification; here each ring keeps a {@link CamTable}
 * from CAM line to thread, updated whenever a WORD2 changes, so a notification costs a few
 * array reads whatever the number of vCPUs. The answer is the same as the scan's: the first
 * matching ring of the one matching thread (physical, then pool, then OS), and no match when
 * two threads hold the same CAM.
 */
public final class Presenter {
    /** Result of {@link #match}: no thread holds the NVT. */
    public static final long NO_MATCH = -1;
    /** Result of {@link #match}: more than one thread holds it (the notification is dropped). */
    public static final long AMBIGUOUS = -2;

    private final ThreadContext[] tctx;
    private final CamTable os;
    private final CamTable pool;
    private final CamTable phys;
    private final int[] heldOs;
    private final int[] heldPool;
    private final int[] heldPhys;
    private final Trace trace;
    /** Bumped whenever a CAM holding changes, so callers may cache {@link #match} answers. */
    private int epoch;

    public Presenter(ThreadContext[] tctx, Trace trace) {
        this.tctx = tctx;
        this.trace = trace;
        os = new CamTable(tctx.length);
        pool = new CamTable(4);
        phys = new CamTable(4);
        heldOs = new int[tctx.length];
        heldPool = new int[tctx.length];
        heldPhys = new int[tctx.length];
        Arrays.fill(heldOs, -1);
        Arrays.fill(heldPool, -1);
        Arrays.fill(heldPhys, -1);
    }

    public ThreadContext tctx(int thread) {
        return tctx[thread];
    }

    /** The thread contexts by vCPU index, the array itself (for the TIMA's per-access look-up). */
    ThreadContext[] contexts() {
        return tctx;
    }

    public int threads() {
        return tctx.length;
    }

    /** NVT block/index packed as a CAM line. */
    public static int camLine(int blk, int idx) {
        return (blk << 19) | idx;
    }

    /** The hardwired physical CAM line of a thread: chip block, 1 << 7, thread id. */
    public static int hwCamLine(int pir) {
        return camLine((pir >> 8) & 0xf, (1 << 7) | (pir & 0x7f));
    }

    /** Sets a ring's WORD2 and keeps the CAM tables in step. */
    public void setWord2(int thread, int ring, int w) {
        tctx[thread].setWord2(ring, w);
        refresh(thread);
    }

    /** Re-derives the thread's CAM holdings from its registers (after any WORD2 change). */
    public void refresh(int thread) {
        ThreadContext t = tctx[thread];
        int w1 = t.word2(ThreadContext.QW1_OS);
        int camOs = (w1 & ThreadContext.QW1W2_VO) != 0 ? w1 & ThreadContext.QW1W2_OS_CAM : -1;
        int w2 = t.word2(ThreadContext.QW2_HV_POOL);
        int camPool = (w2 & ThreadContext.QW2W2_VP) != 0 ? w2 & ThreadContext.QW2W2_POOL_CAM : -1;
        int w3 = t.word2(ThreadContext.QW3_HV_PHYS);
        int camPhys = (w3 & ThreadContext.QW3W2_VT) != 0 ? hwCamLine(t.cpu().vcpuId()) : -1;
        update(os, heldOs, thread, camOs);
        update(pool, heldPool, thread, camPool);
        update(phys, heldPhys, thread, camPhys);
    }

    /** Changes whenever any thread context's CAM holdings change. */
    public int epoch() {
        return epoch;
    }

    private void update(CamTable table, int[] held, int thread, int cam) {
        if (held[thread] == cam) {
            return;
        }
        epoch++;
        int old = held[thread];
        held[thread] = cam;
        if (old != -1) {
            table.remove(old, thread, held);
        }
        if (cam != -1) {
            table.add(cam, thread);
        }
    }

    /**
     * Finds the thread context for an NVT. Returns {@code thread << 8 | ring}, or
     * {@link #NO_MATCH} / {@link #AMBIGUOUS}.
     */
    public long match(int format, int nvtBlk, int nvtIdx, boolean camIgnore, int logicServ) {
        int cam = camLine(nvtBlk, nvtIdx);
        if (format == 0) {
            if (camIgnore) {
                trace.emit(TraceCategory.UNIMPLEMENTED, -1, "presenter",
                    "message", String.format("XIVE: no support for LS NVT %x/%x", nvtBlk, nvtIdx));
                return NO_MATCH;
            }
            int tp = phys.lookup(cam);
            int tq = pool.lookup(cam);
            int to = os.lookup(cam);
            if (tp == CamTable.DUPLICATE || tq == CamTable.DUPLICATE || to == CamTable.DUPLICATE) {
                return ambiguous(nvtBlk, nvtIdx);
            }
            int thread = -1;
            int ring = 0;
            if (tp >= 0) {
                thread = tp;
                ring = ThreadContext.QW3_HV_PHYS;
            }
            if (tq >= 0) {
                if (thread >= 0 && thread != tq) {
                    return ambiguous(nvtBlk, nvtIdx);
                }
                if (thread < 0) {
                    thread = tq;
                    ring = ThreadContext.QW2_HV_POOL;
                }
            }
            if (to >= 0) {
                if (thread >= 0 && thread != to) {
                    return ambiguous(nvtBlk, nvtIdx);
                }
                if (thread < 0) {
                    thread = to;
                    ring = ThreadContext.QW1_OS;
                }
            }
            return thread < 0 ? NO_MATCH : ((long) thread << 8) | ring;
        }
        int to = os.lookup(cam);
        if (to == CamTable.DUPLICATE) {
            return ambiguous(nvtBlk, nvtIdx);
        }
        if (to >= 0) {
            int w0 = tctx[to].word2(ThreadContext.QW0_USER);
            if ((w0 & ThreadContext.QW0W2_VU) != 0 && (w0 & ThreadContext.QW0W2_LOGIC_SERV) == logicServ) {
                return ((long) to << 8) | ThreadContext.QW0_USER;
            }
        }
        return NO_MATCH;
    }

    private long ambiguous(int blk, int idx) {
        trace.guestError(-1, String.format("XIVE: already found a thread context NVT %x/%x", blk, idx));
        return AMBIGUOUS;
    }
}
