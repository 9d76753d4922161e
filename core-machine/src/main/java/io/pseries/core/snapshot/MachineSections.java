package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import io.pseries.core.Machine;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.guest.GuestIrqDriverProvider;
import io.pseries.core.intc.InterruptController;

/**
 * The sections of one machine, in restore order: configuration, platform, clock, CAS, vCPUs
 * (each vCPU's run state, then the interpreters of guest code: {@code cpu/code}),
 * IRQ lines, the PCI host bridge and each PCI function, the OpenCAPI AFU irqs (with
 * {@code experimental: ['ocapi-rfc-2019']}), RAM, then each interrupt controller's own sections (legacy first), the simulated
 * host's ({@code host/kvm}: which KVM device, its mappings and links), the guest model's
 * ({@code guest}, then {@code guest/DRIVER} for each guest driver that describes its state), then those of
 * {@link SnapshotSectionProvider}s on the class path. The machine never names a controller's
 * state: controllers contribute theirs as {@link SnapshotParticipant}s.
 */
public final class MachineSections {
    private MachineSections() {
    }

    public static List<SnapshotSection> of(Machine m) {
        // a section or two per vCPU (its own, its controller's) and a few dozen others: sized once
        List<SnapshotSection> l = new ArrayList<>(2 * m.cpus().size() + 64);
        l.add(new ConfigSection(m.config()));
        l.add(new PlatformSection(m));
        ClockSection clock = new ClockSection(m.scheduler());
        l.add(clock);
        l.add(new CasSection(m));
        for (VCpu c : m.cpus()) {
            l.add(new CpuSection(c));
        }
        // after the clock: its commit drops the pending events, this one schedules the slices again
        l.add(new CpuCodeSection(m.cpuThreads(), clock));
        l.add(new IrqLinesSection(m.irqLines()));
        // before the controllers: their loads check source kinds against the MSIs these re-make
        l.addAll(PciSections.of(m.phb(), m.ocapi()));
        // after the PCI functions' (their MSIs are declared), before the controllers' too
        l.addAll(OcapiSections.of(m.ocapi()));
        l.add(new RamSection(m.memory()));
        for (InterruptController c : m.controllers()) {
            if (c instanceof SnapshotParticipant p) {
                l.addAll(p.snapshotSections());
            } else {
                l.add(new Undescribed(c.name()));
            }
        }
        l.add(new HostSection(m));
        // the guest model, then each driver's state (after it: the guest commit makes the driver)
        List<SnapshotSection> driverSections = new ArrayList<>();
        java.util.Set<String> drivers = new java.util.LinkedHashSet<>();
        GuestSection guest = new GuestSection(m, clock, drivers);
        for (GuestIrqDriverProvider p : Providers.DRIVERS) {
            SnapshotSection s = p.snapshotSection(guest);
            if (s != null) {
                drivers.add(p.name());
                driverSections.add(s);
            }
        }
        l.add(guest);
        l.addAll(driverSections);
        Providers.SECTIONS.forEach(p -> l.addAll(p.sections(m)));
        return l;
    }

    /**
     * The providers on the class path, found once (each machine's snapshot and restore lists its
     * sections anew, and looking the providers up reads the class path): stateless factories.
     */
    private static final class Providers {
        /** By name. */
        static final List<GuestIrqDriverProvider> DRIVERS = load(GuestIrqDriverProvider.class,
            java.util.Comparator.comparing(GuestIrqDriverProvider::name));
        static final List<SnapshotSectionProvider> SECTIONS = load(SnapshotSectionProvider.class, null);

        private static <T> List<T> load(Class<T> type, java.util.Comparator<T> order) {
            List<T> l = new ArrayList<>();
            ServiceLoader.load(type, MachineSections.class.getClassLoader()).forEach(l::add);
            if (order != null) {
                l.sort(order);
            }
            return List.copyOf(l);
        }
    }

    /** A controller that does not describe its state: snapshots of its machine are refused. */
    private record Undescribed(String controller) implements SnapshotSection {
        @Override
        public String name() {
            return controller;
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Schema schema() {
            return Schema.of();
        }

        @Override
        public void save(SectionWriter w) {
            throw new SnapshotException(controller, "this interrupt controller does not describe its state for snapshots");
        }

        @Override
        public Runnable load(SectionReader r) {
            throw r.refuse("this interrupt controller does not describe its state for snapshots");
        }
    }
}
