package io.pseries.core.guest;

import io.pseries.core.dt.DtNode;
import io.pseries.core.rtas.RtasResult;

/**
 * The guest kernel's MSI-X core for one function that presents an MSI-X capability (Linux's
 * msix_capability_init and the vector unmask of request_irq), driving configuration space
 * through {@code ibm,read-pci-config}/{@code ibm,write-pci-config} and the vector table through
 * the BAR firmware assigned ({@code assigned-addresses}, translated by the PHB's {@code ranges}):
 *
 * <pre>
 *  find       status bit 4, then the capability list from 0x34 to id 0x11
 *  enable     message control |= ENABLE | MASKALL; (the caller's ibm,change-msi); every entry's
 *             vector control read, then written masked; MASKALL cleared
 *  unmask(v)  vector control of v = 0, then a read to flush the write
 * </pre>
 *
 * Table accesses are 32-bit little-endian stores and loads (writel/readl: byte-reversed on this
 * big-endian CPU).
 *
 * <p>Threading: the machine's thread, from {@link GuestOs#boot()}.
 */
final class GuestMsix {
    private static final int ENABLE = 0x8000;
    private static final int MASKALL = 0x4000;

    private final GuestOs os;
    private final int cfg;
    private final int hi;
    private final int lo;
    private final int cap;
    private final int entries;
    private final long table;

    private GuestMsix(GuestOs os, int cfg, int hi, int lo, int cap, int entries, long table) {
        this.os = os;
        this.cfg = cfg;
        this.hi = hi;
        this.lo = lo;
        this.cap = cap;
        this.entries = entries;
        this.table = table;
    }

    /** The function's MSI-X capability and table, or {@code null} when it presents none (or no BAR for it). */
    static GuestMsix find(GuestOs os, DtNode phb, DtNode dev, int cfg, int hi, int lo) {
        if ((read(os, cfg, hi, lo, 0x06, 2) & 0x10) == 0) {
            return null;
        }
        int p = read(os, cfg, hi, lo, 0x34, 1) & 0xfc;
        for (int guard = 0; p != 0 && guard < 48; guard++) {
            int id = read(os, cfg, hi, lo, p, 1);
            if (id == 0x11) {
                int control = read(os, cfg, hi, lo, p + 2, 2);
                int tbl = read(os, cfg, hi, lo, p + 4, 4);
                long bar = barAddress(phb, dev, 0x10 + 4 * (tbl & 7));
                return bar < 0 ? null : new GuestMsix(os, cfg, hi, lo, p, (control & 0x7ff) + 1, bar + (tbl & ~7));
            }
            p = read(os, cfg, hi, lo, p + 1, 1) & 0xfc;
        }
        return null;
    }

    private static int read(GuestOs os, int cfg, int hi, int lo, int off, int size) {
        RtasResult r = os.rtas(0, "ibm,read-pci-config", new int[] {cfg | off, hi, lo, size}, 2);
        return r.status() == 0 ? r.rets()[0] : 0;
    }

    private void write(int off, int size, int value) {
        os.rtas(0, "ibm,write-pci-config", new int[] {cfg | off, hi, lo, size, value}, 1);
    }

    /** The guest-physical address of BAR register {@code reg}, or -1 when firmware assigned it nothing. */
    private static long barAddress(DtNode phb, DtNode dev, int reg) {
        long[] a = dev.cells("assigned-addresses");
        long[] ranges = phb.cells("ranges");
        if (a == null || ranges == null) {
            return -1;
        }
        for (int i = 0; i + 4 < a.length; i += 5) {
            if ((a[i] & 0xff) != reg) {
                continue;
            }
            long space = (a[i] >> 24) & 3;
            long pci = (a[i + 1] << 32) | a[i + 2];
            for (int r = 0; r + 6 < ranges.length; r += 7) {
                long child = (ranges[r + 1] << 32) | ranges[r + 2];
                long size = (ranges[r + 5] << 32) | ranges[r + 6];
                if (((ranges[r] >> 24) & 3) == space && pci - child >= 0 && pci - child < size) {
                    return ((ranges[r + 3] << 32) | ranges[r + 4]) + (pci - child);
                }
            }
        }
        return -1;
    }

    /** Step one of msix_capability_init: MSI-X on, every vector held by the function mask. */
    void enableMasked() {
        int control = read(os, cfg, hi, lo, cap + 2, 2);
        write(cap + 2, 2, control | ENABLE | MASKALL);
    }

    /** The rest once firmware granted the vectors: each entry read, then masked; the function mask cleared. */
    void finishEnable() {
        for (int v = 0; v < entries; v++) {
            os.load(0, table + 16L * v + 12, 4);
        }
        for (int v = 0; v < entries; v++) {
            os.store(0, table + 16L * v + 12, 4, Integer.reverseBytes(1) & 0xffff_ffffL);
        }
        int control = read(os, cfg, hi, lo, cap + 2, 2);
        write(cap + 2, 2, control & ~MASKALL);
    }

    /** pci_msi_unmask for vector {@code v} (request_irq's start-up). */
    void unmask(int v) {
        os.store(0, table + 16L * v + 12, 4, 0);
        os.load(0, table + 16L * v + 12, 4);
    }

    /** MSI-X off again (the driver fell back, or firmware refused the vectors). */
    void disable() {
        int control = read(os, cfg, hi, lo, cap + 2, 2);
        write(cap + 2, 2, control & ~(ENABLE | MASKALL));
    }
}
