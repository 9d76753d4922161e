package io.pseries.core.dev.pci;

import io.pseries.core.dt.DtNode;
import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.rtas.RtasTable;

/**
 * The host bridge's DMA windows and the dynamic-DMA-window (DDW) RTAS calls of QEMU 7.2's
 * spapr_rtas_ddw.c: {@code ibm,query-pe-dma-window}, {@code ibm,create-pe-dma-window},
 * {@code ibm,remove-pe-dma-window}, {@code ibm,reset-pe-dma-window}, and the node properties
 * that advertise them ({@code ibm,ddw-applicable}, {@code ibm,ddw-extensions}).
 *
 * <p>A PHB has two windows (SPAPR_PCI_DMA_MAX_WINDOWS): the default 32-bit one (LIOBN
 * 0x80000000 | index << 8, 1 GiB of 4 KiB pages at bus address 0), enabled at reset, and a
 * 64-bit one the guest may create at bus address 2^59 (LIOBN ... | 1), with one of the page
 * sizes of QEMU's default {@code pgsz} mask (4K, 64K, 2M, 16M). Only the bookkeeping is
 * modelled: no TCE table, as no interrupt depends on it. Confined to the machine's thread.
 */
final class PhbDmaWindows {
    static final int MAX_WINDOWS = 2;
    static final long DMA64_WINDOW_ADDR = 1L << 59;
    /** QEMU's default page-size mask: 4K, 64K, 2M and 16M pages. */
    static final long PAGE_SIZE_MASK = (1L << 12) | (1L << 16) | (1L << 21) | (1L << 24);

    private final SpaprPhb phb;
    private final long ramSize;
    private final boolean[] enabled = new boolean[MAX_WINDOWS];
    private final int[] pageShift = new int[MAX_WINDOWS];
    private final long[] windowSize = new long[MAX_WINDOWS];

    PhbDmaWindows(SpaprPhb phb, long ramSize) {
        this.phb = phb;
        this.ramSize = ramSize;
        reset();
    }

    /** Reset (and ibm,reset-pe-dma-window): only the default 32-bit window. */
    void reset() {
        java.util.Arrays.fill(enabled, false);
        enabled[0] = true;
        pageShift[0] = 12;
        windowSize[0] = 0x40000000L;
    }

    /** Snapshot state: per window whether it is enabled, its page shift and its size in bytes. */
    boolean[] enabledState() {
        return enabled.clone();
    }

    int[] pageShiftState() {
        return pageShift.clone();
    }

    long[] sizeState() {
        return windowSize.clone();
    }

    /** Why a snapshot's windows cannot be installed, or null (an enabled window needs a page size of the mask, a size 2^n >= a page). */
    static String invalid(boolean[] en, int[] shift, long[] size) {
        if (en.length != MAX_WINDOWS || shift.length != MAX_WINDOWS || size.length != MAX_WINDOWS) {
            return "the DMA window fields have " + en.length + ", " + shift.length + " and " + size.length
                + " elements, a host bridge has " + MAX_WINDOWS + " windows";
        }
        for (int i = 0; i < MAX_WINDOWS; i++) {
            if (shift[i] < 0 || shift[i] >= 64 || size[i] < 0) {
                return "DMA window " + i + ": page shift " + shift[i] + " or size " + size[i] + " is not valid";
            }
            if (en[i] && ((PAGE_SIZE_MASK & (1L << shift[i])) == 0 || Long.bitCount(size[i]) != 1
                || size[i] < (1L << shift[i]))) {
                return String.format("DMA window %d is enabled with page shift %d and size 0x%x, which"
                    + " ibm,create-pe-dma-window cannot give", i, shift[i], size[i]);
            }
        }
        return null;
    }

    /** Installs checked snapshot state ({@link #invalid} said null). */
    void restore(boolean[] en, int[] shift, long[] size) {
        System.arraycopy(en, 0, enabled, 0, MAX_WINDOWS);
        System.arraycopy(shift, 0, pageShift, 0, MAX_WINDOWS);
        System.arraycopy(size, 0, windowSize, 0, MAX_WINDOWS);
    }

    long liobn(int window) {
        return 0x80000000L | ((long) phb.index() << 8) | window;
    }

    boolean enabled(int window) {
        return enabled[window];
    }

    int active() {
        int n = 0;
        for (boolean e : enabled) {
            n += e ? 1 : 0;
        }
        return n;
    }

    /** LoPAPR's page-size bits for the query: 4K 0x1, 64K 0x2, 16M 0x4, 32M 0x8 ... 16G 0x80, 2M 0x100. */
    static long queryMask(long mask) {
        int[] shifts = {12, 16, 24, 25, 26, 27, 28, 34, 21};
        long out = 0;
        for (int i = 0; i < shifts.length; i++) {
            if ((mask & (1L << shifts[i])) != 0) {
                out |= 1L << i;
            }
        }
        return out;
    }

    void register(RtasTable t) {
        t.register("ibm,query-pe-dma-window", 5, this::query);
        t.register("ibm,create-pe-dma-window", 4, this::create);
        t.register("ibm,remove-pe-dma-window", 1, this::remove);
        t.register("ibm,reset-pe-dma-window", 1, this::resetCall);
    }

    private boolean ours(RtasCall c) {
        return ((c.arg(1) << 32) | c.arg(2)) == phb.buid();
    }

    private void query(RtasCall c) {
        if (c.nargs() != 3 || (c.nret() != 5 && c.nret() != 6) || !ours(c)) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        // the largest block the guest could map: all of RAM, in 4 KiB pages
        long pages = ramSize >>> 12;
        c.status(RtasStatus.SUCCESS);
        c.ret(1, MAX_WINDOWS - active());
        if (c.nret() == 6) {
            c.ret(2, pages >>> 32);
            c.ret(3, pages);
            c.ret(4, queryMask(PAGE_SIZE_MASK));
            c.ret(5, 0);
        } else {
            c.ret(2, pages);
            c.ret(3, queryMask(PAGE_SIZE_MASK));
            c.ret(4, 0);
        }
    }

    private void create(RtasCall c) {
        if (c.nargs() != 5 || c.nret() != 4 || !ours(c)) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        long page = c.arg(3);
        long window = c.arg(4);
        if (page >= 64 || (PAGE_SIZE_MASK & (1L << page)) == 0 || window < page) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        int free = -1;
        for (int i = 0; i < MAX_WINDOWS && free < 0; i++) {
            if (!enabled[i]) {
                free = i;
            }
        }
        if (free < 0 || window >= 64) {
            c.status(RtasStatus.HW_ERROR);
            return;
        }
        enabled[free] = true;
        pageShift[free] = (int) page;
        windowSize[free] = 1L << window;
        long bus = free == 0 ? 0 : DMA64_WINDOW_ADDR;
        c.status(RtasStatus.SUCCESS);
        c.ret(1, liobn(free));
        c.ret(2, bus >>> 32);
        c.ret(3, bus);
    }

    private void remove(RtasCall c) {
        if (c.nargs() != 1 || c.nret() != 1) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        for (int i = 0; i < MAX_WINDOWS; i++) {
            if (liobn(i) == c.arg(0) && enabled[i]) {
                enabled[i] = false;
                c.status(RtasStatus.SUCCESS);
                return;
            }
        }
        c.status(RtasStatus.PARAM_ERROR);
    }

    private void resetCall(RtasCall c) {
        if (c.nargs() != 3 || c.nret() != 1 || !ours(c)) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        reset();
        c.status(RtasStatus.SUCCESS);
    }

    /** The two DDW properties, written where QEMU writes them in the PHB's node. */
    void writeProperties(DtNode n, RtasTable t) {
        n.setCells("ibm,ddw-extensions", 2, t.lookup("ibm,reset-pe-dma-window").token(), 1);
        n.setCells("ibm,ddw-applicable", t.lookup("ibm,query-pe-dma-window").token(),
            t.lookup("ibm,create-pe-dma-window").token(), t.lookup("ibm,remove-pe-dma-window").token());
    }
}
