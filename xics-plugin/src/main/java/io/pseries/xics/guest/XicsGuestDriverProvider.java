package io.pseries.xics.guest;

import java.util.List;

import io.pseries.core.dt.DtNode;
import io.pseries.core.guest.GuestIrqDriver;
import io.pseries.core.guest.GuestIrqDriverProvider;
import io.pseries.core.guest.GuestOs;

/**
 * Probes like Linux's icp_hv_init: a node compatible with {@code ibm,ppc-xicp} (compared
 * without regard to case, as of_device_is_compatible does, so QEMU's {@code IBM,ppc-xicp}
 * matches) or of device_type {@code PowerPC-External-Interrupt-Presentation}. Tried after XIVE
 * (probe order 10), as pseries_init_irq falls back to XICS when xive_spapr_init fails.
 */
public final class XicsGuestDriverProvider implements GuestIrqDriverProvider {
    static final String COMPATIBLE = "ibm,ppc-xicp";
    static final String DEVICE_TYPE = "PowerPC-External-Interrupt-Presentation";

    @Override
    public String name() {
        return "xics";
    }

    @Override
    public int probeOrder() {
        return 10;
    }

    @Override
    public boolean probe(DtNode tree) {
        return find(tree) != null;
    }

    /** The presentation controller's node, or null. */
    static DtNode find(DtNode tree) {
        DtNode n = tree.findFirst(x -> {
            List<String> c = x.strings("compatible");
            return c != null && c.stream().anyMatch(COMPATIBLE::equalsIgnoreCase);
        });
        if (n == null) {
            n = tree.findFirst(x -> {
                List<String> t = x.strings("device_type");
                return t != null && t.contains(DEVICE_TYPE);
            });
        }
        return n;
    }

    @Override
    public GuestIrqDriver create(GuestOs os) {
        return new XicsGuestDriver(os);
    }

    @Override
    public io.pseries.core.snapshot.SnapshotSection snapshotSection(io.pseries.core.snapshot.GuestSnapshots guest) {
        return new XicsGuestDriverSection(guest);
    }
}
