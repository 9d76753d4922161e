package io.pseries.xive.guest;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestOsState;
import io.pseries.core.guest.IrqDesc;
import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.GuestSnapshots;
import io.pseries.core.snapshot.Schema;
import io.pseries.core.snapshot.SectionReader;
import io.pseries.core.snapshot.SectionWriter;
import io.pseries.core.snapshot.SnapshotSection;

/**
 * {@code guest/xive}: the guest's XIVE driver (Linux's xive/spapr.c) as data: per vCPU the CPPR
 * it set, the priorities its ack found pending, its queue page, index and toggle bit; what it
 * read from the device tree (TIMA page, priority, IPI LISN range, queue size: the index mask
 * follows from it); the round-robin
 * target cursor; and per interrupt the ESB pages and flags H_INT_GET_SOURCE_INFO gave it, in the
 * {@code guest} section's order (the IPIs by CPU, then the mapped interrupts by kernel number).
 * {@code active} false: the guest runs another driver or none.
 */
final class XiveGuestDriverSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("active", FieldType.BOOL, "cppr", FieldType.INTS,
        "pendingPrio", FieldType.INTS, "qpage", FieldType.LONGS, "qidx", FieldType.INTS, "qtoggle", FieldType.INTS,
        "tima", FieldType.I64, "prio", FieldType.U32, "lisnBase", FieldType.U32,
        "lisnCount", FieldType.U32, "nextIpi", FieldType.U32, "qshift", FieldType.U32, "roundRobin", FieldType.U32,
        "esbEoi", FieldType.LONGS, "esbTrig", FieldType.LONGS, "esbFlags", FieldType.BYTES);
    private static final int HAS = 0x80;
    private static final int VIA_HCALL = 1;
    private static final int LSI = 2;
    private static final int STORE_EOI = 4;

    private final GuestSnapshots g;

    XiveGuestDriverSection(GuestSnapshots g) {
        this.g = g;
    }

    @Override
    public String name() {
        return "guest/xive";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean optional() {
        return true;
    }

    @Override
    public Runnable loadAbsent() {
        if (g.loaded() != null && g.loaded().driver().equals("xive")) {
            throw new io.pseries.core.snapshot.SnapshotException(name(),
                "missing from the stream though the guest section says the guest runs the XIVE driver");
        }
        return () -> { };
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    /** The interrupts in the guest section's order: IPIs by CPU, then mapped ones by kernel number. */
    private static List<IrqDesc> descs(GuestOs os) {
        List<IrqDesc> l = new ArrayList<>();
        for (int c = 0; c < os.cpuCount(); c++) {
            if (os.ipiOf(c) != null) {
                l.add(os.ipiOf(c));
            }
        }
        l.addAll(os.mappedInterrupts().values());
        return l;
    }

    @Override
    public void save(SectionWriter w) {
        GuestOs os = g.guest();
        XiveGuestDriver d = os != null && os.driver() instanceof XiveGuestDriver x ? x : null;
        if (d == null) {
            w.bool("active", false).ints("cppr", new int[0]).ints("pendingPrio", new int[0]).longs("qpage", new long[0])
                .ints("qidx", new int[0]).ints("qtoggle", new int[0]).i64("tima", 0).u32("prio", 0)
                .u32("lisnBase", 0).u32("lisnCount", 0).u32("nextIpi", 0).u32("qshift", 0).u32("roundRobin", 0)
                .longs("esbEoi", new long[0]).longs("esbTrig", new long[0]).bytes("esbFlags", new byte[0]);
            return;
        }
        List<IrqDesc> descs = descs(os);
        long[] eoi = new long[descs.size()];
        long[] trig = new long[descs.size()];
        byte[] flags = new byte[descs.size()];
        for (int i = 0; i < descs.size(); i++) {
            XiveGuestDriver.Esb e = descs.get(i).driverData();
            if (e != null) {
                eoi[i] = e.eoi();
                trig[i] = e.trig();
                flags[i] = (byte) (HAS | (e.viaHcall() ? VIA_HCALL : 0) | (e.lsi() ? LSI : 0)
                    | (e.storeEoi() ? STORE_EOI : 0));
            }
        }
        w.bool("active", true).ints("cppr", d.cppr).ints("pendingPrio", d.pendingPrio).longs("qpage", d.qpage)
            .ints("qidx", d.qidx).ints("qtoggle", d.qtoggle).i64("tima", d.tima)
            .u32("prio", d.prio).u32("lisnBase", d.lisnBase).u32("lisnCount", d.lisnCount).u32("nextIpi", d.nextIpi)
            .u32("qshift", d.qshift).u32("roundRobin", d.roundRobin).longs("esbEoi", eoi).longs("esbTrig", trig)
            .bytes("esbFlags", flags);
    }

    @Override
    public Runnable load(SectionReader r) {
        GuestOsState st = g.loaded();
        boolean mine = st != null && st.driver().equals("xive");
        if (r.bool("active") != mine) {
            throw r.refuse(mine ? "inactive, though the guest section says the guest runs the XIVE driver"
                : "active, though the guest section says " + (st == null ? "no guest is booted" : "the guest runs "
                + st.driver()));
        }
        if (!mine) {
            return () -> { };
        }
        int n = g.cpus();
        int[] cppr = bytesRange(r, "cppr", r.ints("cppr", n), 0xff);
        int[] pending = bytesRange(r, "pendingPrio", r.ints("pendingPrio", n), 0xff);
        long[] qpage = r.longs("qpage", n);
        int qshift = r.u32("qshift", 12, 24);
        int qmask = (1 << (qshift - 2)) - 1;
        int[] qidx = r.ints("qidx", n);
        int[] qtoggle = r.ints("qtoggle", n);
        for (int i = 0; i < n; i++) {
            if (qidx[i] < 0 || qidx[i] > qmask || (qtoggle[i] & ~1) != 0) {
                throw r.refuse("cpu " + i + ": queue index " + qidx[i] + " past " + qmask + " or toggle " + qtoggle[i]);
            }
        }
        long tima = r.i64("tima");
        int prio = r.u32("prio", 0, 7);
        int lisnBase = r.u32("lisnBase");
        int lisnCount = r.u32("lisnCount");
        int nextIpi = r.u32("nextIpi", 0, lisnCount);
        int rr = r.u32("roundRobin", 0, n);
        int k = st.ipiCpu().length + st.descs().size();
        long[] eoi = r.longs("esbEoi", k);
        long[] trig = r.longs("esbTrig", k);
        byte[] flags = r.bytes("esbFlags", k);
        return () -> {
            XiveGuestDriver d = (XiveGuestDriver) g.guest().driver();
            System.arraycopy(cppr, 0, d.cppr, 0, n);
            System.arraycopy(pending, 0, d.pendingPrio, 0, n);
            System.arraycopy(qpage, 0, d.qpage, 0, n);
            System.arraycopy(qidx, 0, d.qidx, 0, n);
            System.arraycopy(qtoggle, 0, d.qtoggle, 0, n);
            d.qmask = qmask;
            d.qshift = qshift;
            d.tima = tima;
            d.prio = prio;
            d.lisnBase = lisnBase;
            d.lisnCount = lisnCount;
            d.nextIpi = nextIpi;
            d.roundRobin = rr;
            List<IrqDesc> descs = descs(g.guest());
            for (int i = 0; i < descs.size(); i++) {
                int f = flags[i] & 0xff;
                descs.get(i).setDriverData((f & HAS) == 0 ? null : new XiveGuestDriver.Esb(eoi[i], trig[i],
                    (f & VIA_HCALL) != 0, (f & LSI) != 0, (f & STORE_EOI) != 0));
            }
        };
    }

    private static int[] bytesRange(SectionReader r, String field, int[] v, int max) {
        for (int x : v) {
            if (x < 0 || x > max) {
                throw r.refuse("field '" + field + "' holds " + x + ", outside [0, " + max + "]");
            }
        }
        return v;
    }
}
