package io.pseries.core.guest;

import io.pseries.core.dt.DtNode;

/**
 * Finds a guest interrupt driver for the device tree the guest received, as Linux's
 * pseries_init_irq tries xive_spapr_init first and falls back to XICS. Found with
 * {@link java.util.ServiceLoader}; providers are tried in ascending {@link #probeOrder()}.
 */
public interface GuestIrqDriverProvider {
    String name();

    /** Lower is tried first (XIVE 0, XICS 10). */
    int probeOrder();

    /** Whether this driver recognises its controller in the tree (after CAS). */
    boolean probe(DtNode tree);

    GuestIrqDriver create(GuestOs os);

    /**
     * The snapshot section holding this driver's state in a booted guest ({@code guest/NAME}),
     * written by every machine (inactive when the guest runs another driver or none), or null when
     * the driver has none: snapshots of a guest running it are then refused.
     */
    default io.pseries.core.snapshot.SnapshotSection snapshotSection(io.pseries.core.snapshot.GuestSnapshots guest) {
        return null;
    }
}
