package io.pseries.xics.guest;

import java.util.List;

import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestOsState;
import io.pseries.core.guest.IrqDesc;
import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.GuestSnapshots;
import io.pseries.core.snapshot.Schema;
import io.pseries.core.snapshot.SectionReader;
import io.pseries.core.snapshot.SectionWriter;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.snapshot.SnapshotSection;

/**
 * {@code guest/xics}: the guest's XICS driver (Linux's icp-hv.c + ics-rtas.c) as data: each
 * vCPU's CPPR stack ({@value XicsGuestDriver#CPPR_DEPTH} deep) and its top, the default server,
 * and per mapped interrupt (the {@code guest} section's order: by kernel number) whether RTAS
 * knew it at map time ({@code known}: 0 not asked, 1 unknown, 2 known).
 * {@code active} false: the guest runs another driver or none.
 */
final class XicsGuestDriverSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("active", FieldType.BOOL, "cpprStack", FieldType.INTS,
        "cpprIndex", FieldType.INTS, "defaultServer", FieldType.U32, "known", FieldType.BYTES);

    private final GuestSnapshots g;

    XicsGuestDriverSection(GuestSnapshots g) {
        this.g = g;
    }

    @Override
    public String name() {
        return "guest/xics";
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
        if (g.loaded() != null && g.loaded().driver().equals("xics")) {
            throw new SnapshotException(name(), "missing from the stream though the guest section says the guest"
                + " runs the XICS driver");
        }
        return () -> { };
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public void save(SectionWriter w) {
        GuestOs os = g.guest();
        XicsGuestDriver d = os != null && os.driver() instanceof XicsGuestDriver x ? x : null;
        if (d == null) {
            w.bool("active", false).ints("cpprStack", new int[0]).ints("cpprIndex", new int[0])
                .u32("defaultServer", 0).bytes("known", new byte[0]);
            return;
        }
        List<IrqDesc> descs = List.copyOf(os.mappedInterrupts().values());
        byte[] known = new byte[descs.size()];
        for (int i = 0; i < known.length; i++) {
            Boolean k = descs.get(i).driverData();
            known[i] = (byte) (k == null ? 0 : k ? 2 : 1);
        }
        w.bool("active", true).ints("cpprStack", d.cpprStack).ints("cpprIndex", d.cpprIndex)
            .u32("defaultServer", d.defaultServer).bytes("known", known);
    }

    @Override
    public Runnable load(SectionReader r) {
        GuestOsState st = g.loaded();
        boolean mine = st != null && st.driver().equals("xics");
        if (r.bool("active") != mine) {
            throw r.refuse(mine ? "inactive, though the guest section says the guest runs the XICS driver"
                : "active, though the guest section says " + (st == null ? "no guest is booted" : "the guest runs "
                + st.driver()));
        }
        if (!mine) {
            return () -> { };
        }
        int n = g.cpus();
        int[] stack = r.ints("cpprStack", n * XicsGuestDriver.CPPR_DEPTH);
        int[] index = r.ints("cpprIndex", n);
        for (int x : stack) {
            if (x < 0 || x > 0xff) {
                throw r.refuse("field 'cpprStack' holds " + x + ", not a priority (0..255)");
            }
        }
        for (int i = 0; i < n; i++) {
            if (index[i] < 0 || index[i] >= XicsGuestDriver.CPPR_DEPTH) {
                throw r.refuse("cpu " + i + ": CPPR stack top " + index[i] + " outside [0, "
                    + (XicsGuestDriver.CPPR_DEPTH - 1) + "]");
            }
        }
        int server = r.u32("defaultServer");
        byte[] known = r.bytes("known", st.descs().size());
        for (byte k : known) {
            if (k < 0 || k > 2) {
                throw r.refuse("field 'known' holds " + k + ", not 0 (not asked), 1 (unknown) or 2 (known)");
            }
        }
        return () -> {
            XicsGuestDriver d = (XicsGuestDriver) g.guest().driver();
            System.arraycopy(stack, 0, d.cpprStack, 0, stack.length);
            System.arraycopy(index, 0, d.cpprIndex, 0, n);
            d.defaultServer = server;
            List<IrqDesc> descs = List.copyOf(g.guest().mappedInterrupts().values());
            for (int i = 0; i < descs.size(); i++) {
                descs.get(i).setDriverData(known[i] == 0 ? null : known[i] == 2);
            }
        };
    }
}
