package io.pseries.core.snapshot;

import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestOsState;

/**
 * What a guest driver's snapshot section ({@code guest/xive}, {@code guest/xics}) needs from the
 * {@code guest} section: the guest model to save from and to install into, and the guest state the
 * stream holds while it is validated (the driver's state must fit its interrupts and its CPUs).
 *
 * <p>Threading: the machine's thread.
 */
public interface GuestSnapshots {
    /** The machine's guest model now (when saving; after the {@code guest} commit, the restored one), or null. */
    GuestOs guest();

    /** The guest state the stream's {@code guest} section holds (during load), or null: no guest booted. */
    GuestOsState loaded();

    /** The machine's vCPU count. */
    int cpus();
}
