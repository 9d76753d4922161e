package io.pseries.script.host;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.snapshot.HostGroupSnapshot;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.trace.Trace;

/**
 * A checkpoint ({@code --checkpoint-invariance}) at a boundary of a machine that shares its host
 * ({@code pseries.host}): the host and every machine on it are captured and restored into a fresh
 * host with fresh machines ({@link HostGroupSnapshot}), and the script's objects are re-pointed:
 * the {@code pseries.host} object at the new host, each machine object (and so its
 * {@code m.host}) at its new machine. What a script opened or wired in a VMM itself
 * ({@code m.host.eventfd()}, {@code vfioOpen()}, {@code irqfd()}, {@code setIrqs()}) is in the
 * host stream: the restored VMM holds it under the same descriptors, so the script's numbers
 * keep working.
 *
 * <pre>
 *  every machine of the host checkpointable now? ─ no ─► the reason (the point is skipped)
 *  (a stopped one is: pseries.migrate moved it away; it is restored stopped for the same reason)
 *  detach all (listeners off, numbering kept) ─► save the group ─► restore into a fresh group
 *  ─► install each machine, replace the host ─► listeners on again (also when refused)
 * </pre>
 *
 * <p>Threading: the script's thread.
 */
final class HostGroupCheckpoint {
    private HostGroupCheckpoint() {
    }

    /** Checkpoints {@code host}'s group at a boundary of {@code at}: null, or why it cannot be covered. */
    static String take(PhysicalHostBinding host, MachineHost at) {
        List<MachineHost> group = host.machines();
        for (MachineHost h : group) {
            String why = h.notCheckpointable();
            if (why != null) {
                return h == at ? why : "a machine on the same host (" + h.machine().host().process().name() + "): " + why;
            }
        }
        List<Trace> numbering = new ArrayList<>();
        for (MachineHost h : group) {
            numbering.add(h.detach());
        }
        boolean taken = false;
        try {
            List<Machine> machines = new ArrayList<>();
            List<MachineConfig> configs = new ArrayList<>();
            List<String> stopped = new ArrayList<>();
            for (MachineHost h : group) {
                machines.add(h.machine());
                configs.add(h.machine().config());
                stopped.add(h.machine().stopReason());
            }
            HostGroupSnapshot.Saved saved;
            try {
                saved = HostGroupSnapshot.save(host.host(), machines);
            } catch (SnapshotException e) {
                return "its host (pseries.host, " + group.size() + " machine" + (group.size() == 1 ? "" : "s")
                    + ") cannot be captured: " + e.getMessage();
            }
            HostGroupSnapshot.Restored r;
            try {
                r = HostGroupSnapshot.restoreAsCheckpoint(host.host(), saved, configs, stopped);
            } catch (RuntimeException e) {
                return "its host group does not restore into a fresh host: " + e.getMessage();
            }
            for (int i = 0; i < group.size(); i++) {
                group.get(i).install(r.machines().get(i), numbering.get(i));
            }
            host.replace(r.host());
            taken = true;
            return null;
        } finally {
            for (int i = 0; i < group.size(); i++) {
                if (!taken) {
                    // refused after the machines stopped and ran again for their streams: those events are not the script's
                    group.get(i).refused(numbering.get(i));
                }
                group.get(i).reattach();
            }
        }
    }
}
