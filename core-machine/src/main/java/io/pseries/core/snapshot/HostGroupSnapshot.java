package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.host.pt.PhysicalHost;

/**
 * A checkpoint of a whole host group: one physical host several VMs share
 * ({@code pseries.host}) and every machine on it, restored into a fresh host with fresh machines
 * ({@code ./pseries test --checkpoint-invariance} at a point of a machine that shares its host).
 * A machine's own stream cannot cover such a machine alone: its functions, IOMMU groups,
 * irqbypass pairs and eventfd numbers are the host's, and so is the VM count that names the
 * next VMM.
 *
 * <pre>
 *  save     every VM of the host given, in join order (vm0, vm1...), else refused ─► the
 *           host's stream: host/physical, host/vm/N per VM ─► each machine's own stream
 *           (MachineSnapshot.save)
 *  restore  a fresh host of the same functions ({@link PhysicalHost#fresh}) ─► host/physical
 *           parsed and validated (layout, counts, VM count = machine streams) ─► its commit
 *           (levels, fired counts, irqBypass) ─► every machine created on it in join order (each
 *           VMM opens its functions again, numbered qemu-vmN as before) ─► each stream restored
 *           as a checkpoint ({@link MachineSnapshot#restoreAsCheckpoint}: the VFIO vectors armed
 *           again, links re-made; before it runs its VMM's table is made the source's: what a
 *           script opened and wired included, host/vm/N) ─► owners checked, VM count and eventfd
 *           numbering continued ─► each host/vm/N: the VM's device sources route as they did
 * </pre>
 *
 * The old host and machines are never touched by a restore: on any refusal the fresh ones are
 * dropped and the caller keeps the old group.
 *
 * <p>Threading: the thread of the host's machines.
 */
public final class HostGroupSnapshot {
    private HostGroupSnapshot() {
    }

    /** A host group's streams: the host's own (host/physical) and each VM's, in join order. */
    public record Saved(byte[] host, List<byte[]> machines) {
        public Saved {
            machines = List.copyOf(machines);
        }
    }

    /** The fresh host and its machines, in join order. */
    public record Restored(PhysicalHost host, List<Machine> machines) {
    }

    /**
     * The streams of {@code host} and of {@code machines}, which must be every VM that joined it,
     * in join order; throws {@link SnapshotException} naming what cannot be captured.
     */
    public static Saved save(PhysicalHost host, List<Machine> machines) {
        if (machines.size() != host.vmCount()) {
            throw new SnapshotException(PhysicalHostSection.NAME, host.vmCount() + " VMs joined the host, "
                + machines.size() + " machines given: a VM on it would be left out");
        }
        for (int i = 0; i < machines.size(); i++) {
            Machine m = machines.get(i);
            if (m.host().physical() != host || m.host().vmIndex() != i) {
                throw new SnapshotException(PhysicalHostSection.NAME, "machine " + i + " is not VM " + i + " of the host"
                    + " (it is " + m.host().process().name() + (m.host().physical() == host ? "" : " of another host") + ")");
            }
        }
        // the configurations and the host first: a refusal (a configuration the config section
        // cannot write, a host the host stream cannot describe) before any machine stops for nothing
        for (Machine m : machines) {
            MachineSnapshot.save(List.of(m.snapshotSections().get(0)));
        }
        List<SnapshotSection> sections = new ArrayList<>();
        sections.add(new PhysicalHostSection(host));
        for (int i = 0; i < machines.size(); i++) {
            sections.add(new HostVmSection(host, i, machines.get(i)));
        }
        byte[] hostStream = MachineSnapshot.save(sections);
        List<byte[]> streams = new ArrayList<>();
        for (Machine m : machines) {
            streams.add(MachineSnapshot.save(m));
        }
        return new Saved(hostStream, streams);
    }

    /**
     * {@code saved} restored into a fresh host like {@code like} and fresh machines of
     * {@code configs} (one per VM, in join order), each machine run as after a checkpoint.
     * Throws {@link SnapshotException} (or the machine's own refusal) when it does not hold.
     */
    public static Restored restoreAsCheckpoint(PhysicalHost like, Saved saved, List<MachineConfig> configs) {
        return restoreAsCheckpoint(like, saved, configs, java.util.Collections.nCopies(configs.size(), null));
    }

    /**
     * As {@link #restoreAsCheckpoint(PhysicalHost, Saved, List)}, machine {@code i} left stopped
     * for {@code stopped.get(i)} when that is not null (a VM pseries.migrate moved away keeps its
     * place on the host, stopped, as the source's did) and run otherwise.
     */
    public static Restored restoreAsCheckpoint(PhysicalHost like, Saved saved, List<MachineConfig> configs,
            List<String> stopped) {
        if (stopped.size() != configs.size()) {
            throw new IllegalArgumentException(stopped.size() + " stop reasons for " + configs.size() + " machines");
        }
        PhysicalHost fresh = like.fresh();
        PhysicalHostSection section = new PhysicalHostSection(fresh);
        List<SnapshotStream.RawSection> raw = SnapshotStream.parse(saved.host(), PhysicalHostSection.NAME);
        if (configs.size() != saved.machines().size()) {
            throw new SnapshotException(PhysicalHostSection.NAME, configs.size() + " configurations for "
                + saved.machines().size() + " machine streams");
        }
        if (raw.size() != 1 + configs.size()) {
            throw new SnapshotException(PhysicalHostSection.NAME, "the host stream has " + raw.size() + " sections, a host"
                + " of " + configs.size() + " VMs has " + (1 + configs.size()) + " (" + PhysicalHostSection.NAME + ", then "
                + HostVmSection.PREFIX + "N for each VM)");
        }
        Runnable commit = MachineSnapshot.loadOne(section, raw.get(0), new IncomingClaims(null));
        List<HostVmSection> vms = new ArrayList<>();
        List<Runnable> vmCommits = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            HostVmSection v = new HostVmSection(fresh, i, null);
            if (!raw.get(1 + i).name().equals(v.name())) {
                throw new SnapshotException(raw.get(1 + i).name(), "section " + (1 + i) + " of the host stream must be "
                    + v.name());
            }
            vmCommits.add(MachineSnapshot.loadOne(v, raw.get(1 + i), new IncomingClaims(null)));
            vms.add(v);
        }
        commit.run();
        vmCommits.forEach(Runnable::run);
        if (section.vms() != saved.machines().size()) {
            throw new SnapshotException(PhysicalHostSection.NAME, "the host counts " + section.vms() + " VMs, the group has "
                + saved.machines().size() + " machine streams");
        }
        List<Machine> machines = new ArrayList<>();
        for (MachineConfig c : configs) {
            machines.add(Machine.create(c, fresh));
        }
        for (int i = 0; i < machines.size(); i++) {
            HostVmSection v = vms.get(i);
            Machine m = machines.get(i);
            v.beforeRestore(m);
            MachineSnapshot.restoreAsCheckpoint(m, saved.machines().get(i), stopped.get(i), () -> v.descriptorsRestored(m));
        }
        section.afterMachines();
        for (int i = 0; i < machines.size(); i++) {
            vms.get(i).afterMachine(machines.get(i));
        }
        return new Restored(fresh, machines);
    }

    /** A host stream's sections, for their schema ({@code ./pseries vmstate --dump}): a host of one VM. */
    static List<SnapshotSection> referenceSections() {
        PhysicalHost h = new PhysicalHost(io.pseries.core.host.HostConfig.fromMap(java.util.Map.of()));
        return List.of(new PhysicalHostSection(h), new HostVmSection(h, 0, null));
    }
}
