package io.pseries.core.snapshot;

import java.util.List;

/**
 * A component that contributes its own sections to a machine snapshot. Interrupt controllers
 * provide theirs through this interface, so the machine never names a plugin's state classes.
 */
public interface SnapshotParticipant {
    /** This component's sections, in restore order. */
    List<SnapshotSection> snapshotSections();
}
