package io.pseries.xive.guest;

import java.util.List;

import io.pseries.core.dt.DtNode;
import io.pseries.core.guest.GuestIrqDriver;
import io.pseries.core.guest.GuestIrqDriverProvider;
import io.pseries.core.guest.GuestOs;

/**
 * Probes like Linux's xive_spapr_init: exploitation mode must have been negotiated
 * ({@code /chosen/ibm,architecture-vec-5} byte 23 has 0x40) and a node compatible with
 * {@code ibm,power-ivpe} must exist.
 */
public final class XiveGuestDriverProvider implements GuestIrqDriverProvider {
    @Override
    public String name() {
        return "xive";
    }

    @Override
    public int probeOrder() {
        return 0;
    }

    @Override
    public boolean probe(DtNode tree) {
        DtNode chosen = tree.child("chosen");
        byte[] ov5 = chosen == null ? null : chosen.prop("ibm,architecture-vec-5");
        // encoded vector: length byte, then option bytes 1..N; byte 23 is at index 23
        boolean exploit = ov5 != null && ov5.length > 23 && (ov5[23] & 0x40) != 0;
        return exploit && tree.findFirst(n -> {
            List<String> c = n.strings("compatible");
            return c != null && c.contains("ibm,power-ivpe");
        }) != null;
    }

    @Override
    public GuestIrqDriver create(GuestOs os) {
        return new XiveGuestDriver(os);
    }

    @Override
    public io.pseries.core.snapshot.SnapshotSection snapshotSection(io.pseries.core.snapshot.GuestSnapshots guest) {
        return new XiveGuestDriverSection(guest);
    }
}
