package io.pseries.core.snapshot;

import java.util.List;

import io.pseries.core.Machine;

/**
 * Contributes sections for pieces the machine does not own directly (the simulated host's
 * in-kernel devices, mappings and links, when they exist), found with
 * {@link java.util.ServiceLoader}. Sections from providers are saved and restored after the
 * machine's own and its controllers'.
 */
public interface SnapshotSectionProvider {
    /** The sections this provider adds for {@code machine} (empty when it does not apply). */
    List<SnapshotSection> sections(Machine machine);
}
