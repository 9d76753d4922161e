package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.PassthroughFixture.NIC;
import static io.pseries.testscripts.passthrough.PassthroughFixture.NIC2;
import static io.pseries.testscripts.passthrough.PassthroughFixture.booted;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.HostGroupSnapshot;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;

/**
 * Generated over every field of a host-group checkpoint's host stream (host/physical, host/vm/N),
 * as SnapshotFieldMutationTest does for machine streams: the field is changed in the stream (its
 * checksum kept valid), the group restored into a fresh host, and the fresh host's own host
 * stream must carry the changed value (a next number: at least it): no field is silently dropped
 * on the way in. Fields that
 * only cross-check the restoring host (its functions, its VMs, who holds what) must be refused.
 */
class HostStreamFieldMutationTest {
    /**
     * Descriptor numbers another field of the same section names again (eventfdState lists every
     * eventfd by its descriptor): a change of one of them alone leaves the other naming a file that
     * is not there, so it is refused whole. That the numbers are carried is HostGroupVmmFilesTest's
     * (every restored table is the source's).
     */
    private static final Set<String> REFERENCED = Set.of("host/vm/0.descriptors", "host/vm/1.descriptors",
        "host/vm/0.eventfds", "host/vm/1.eventfds");
    private static final String NIC3 = "0000:03:00.0";
    private static final String NIC4 = "0000:04:00.0";
    private static final Set<String> CROSS_CHECKED = Set.of(
        "host/physical.functions", "host/physical.groups", "host/physical.msix", "host/physical.intx",
        "host/physical.afuIrqs", "host/physical.vms", "host/physical.owners",
        // the VMs' own sections (ocapi/ID) re-open their AFU contexts: the count is checked after them
        "host/physical.afuContexts",
        "host/vm/0.process", "host/vm/0.hwIrqs", "host/vm/1.process", "host/vm/1.hwIrqs",
        // a VM on the in-kernel XIVE records its device's whole source table (deviceSources): the
        // restored device holds every recorded IPI, so the free IPIs below the highest one are
        // exactly the source's again, and a hole on an IPI the table gives a source is refused
        // (holes still matter to a VM whose device keeps no table: OcapiDeviceSourcesTest's version-3 stream)
        "host/vm/0.ipiHoles", "host/vm/1.ipiHoles");

    /**
     * Next numbers: lower bounds of what the restored host hands out next (a restore that makes a
     * KVM device again gives it a number past the source's next one): carried when the restored
     * host's value is at least the changed one.
     */
    private static final Set<String> LOWER_BOUNDS = Set.of("host/physical.nextEventFd", "host/vm/0.nextFd",
        "host/vm/1.nextFd");

    /**
     * ipiHoles is empty in this workload (no AFU irq was freed): holes on IPIs the device's table
     * gives its sources (0x10-0x21 here), each to be refused.
     */
    private static final List<Object> HOLE_CANDIDATES = List.of(new int[] {0x1a}, new int[] {0x1c}, new int[] {0x20});

    private static List<Object> candidates(Object v) {
        List<Object> l = new ArrayList<>();
        if (v instanceof Boolean b) {
            l.add(!b);
        } else if (v instanceof Integer i) {
            l.add(i + 1);
            l.add(i ^ 2);
            l.add(i + 0x1000);
        } else if (v instanceof Long x) {
            l.add(x + 1);
            l.add(x + 0x10000);
        } else if (v instanceof String s) {
            l.add(s + "x");
        } else if (v instanceof byte[] a) {
            for (int i = 0; i < a.length; i++) {
                byte[] c = a.clone();
                c[i] ^= 1;
                l.add(c);
            }
        } else if (v instanceof int[] a) {
            for (int i = 0; i < a.length; i++) {
                int[] c = a.clone();
                c[i] ^= 1;
                l.add(c);
            }
        } else if (v instanceof long[] a) {
            for (int i = 0; i < a.length; i++) {
                for (long mask : new long[] {1, 0x100}) {
                    long[] c = a.clone();
                    c[i] ^= mask;
                    l.add(c);
                }
            }
        }
        return l;
    }

    /**
     * Opens a file with {@code open}, leaving the number beside it ({@code fd ^ 1}) free: a changed
     * descriptor field (a number one bit away) can then move the file there.
     */
    private static int besideAHole(Machine m, java.util.function.IntSupplier open) {
        io.pseries.core.host.VmmProcess p = m.host().process();
        List<Integer> holes = new ArrayList<>();
        if (p.nextFd() % 2 == 1) {
            holes.add(p.eventfd());
        }
        holes.add(p.eventfd());
        int fd = open.getAsInt();
        holes.forEach(p::closeFile);
        return fd;
    }

    /** A dual-mode VM on the in-kernel controllers holding {@code addr}, its XIVE device opened at CAS beside a hole. */
    private static Machine bootedBesideAHole(PhysicalHost h, String addr) {
        Machine m = PassthroughFixture.vm(h, "dual", "on", addr);
        besideAHole(m, () -> {
            m.boot(io.pseries.core.guest.GuestOs.BootOptions.defaults());
            m.runUntilIdle();
            PassthroughFixture.settle(m);
            return 0;
        });
        return m;
    }

    /**
     * What a script opens and wires itself (host/vm/N version 2): an eventfd with an unread count
     * and an irqfd, a function of its own armed with it, each beside a hole.
     */
    private static void scriptWires(Machine m, PhysicalHost h, String addr) {
        io.pseries.core.host.VmmProcess p = m.host().process();
        int fd = besideAHole(m, p::eventfd);
        p.openedByScript(fd);
        p.eventFd(fd).signal();
        assertEquals(0, m.host().vm().irqfds().assign(fd, 0x1300).ret());
        int group = besideAHole(m, () -> m.host().vfio().openGroup(h.function(addr).group().number()).ret());
        int dev = besideAHole(m, () -> m.host().vfio().getDeviceFd(group, addr).ret());
        p.openedByScript(group);
        p.openedByScript(dev);
        assertEquals(0, m.host().vfio().setIrqs(dev, io.pseries.core.host.pt.VfioDevice.INDEX_MSIX, 1, 1, new int[] {fd}).ret());
        int counted = besideAHole(m, p::eventfd);
        p.openedByScript(counted);
        p.eventFd(counted).signal();
    }

    @Test
    void everyFieldOfTheHostStreamIsSeenByTheRestoredHost() {
        PhysicalHost h = PhysicalHost.of(io.pseries.core.host.HostConfig.POWER9, List.of(Map.of("addr", NIC, "msix", 8,
            "intx", true), Map.of("addr", NIC2, "msix", 8, "intx", true), Map.of("addr", NIC3, "msix", 2, "intx", true),
            Map.of("addr", NIC4, "msix", 2, "intx", true)));
        Machine a = bootedBesideAHole(h, NIC);
        Machine b = bootedBesideAHole(h, NIC2);
        h.function(NIC).fire(1);
        h.function(NIC2).fire(0);
        scriptWires(a, h, NIC3);
        scriptWires(b, h, NIC4);
        // a vector the guest masked after its use
        a.store(0, PassthroughFixture.vfio(a).barCpuAddress(io.pseries.core.dev.pci.VfioPciDevice.MSIX_BAR) + 16 + 12, 4,
            Integer.reverseBytes(1));
        List<Machine> ms = List.of(a, b);
        List<MachineConfig> cfgs = ms.stream().map(Machine::config).toList();
        HostGroupSnapshot.Saved good = HostGroupSnapshot.save(h, ms);
        Set<String> all = new TreeSet<>();
        Set<String> seen = new TreeSet<>();
        Set<String> refused = new TreeSet<>();
        Map<String, String> lost = new LinkedHashMap<>();
        Map<String, String> why = new java.util.TreeMap<>();
        for (SnapshotDump.Section s : SnapshotDump.decode(good.host())) {
            for (Map.Entry<String, FieldType> f : s.types().entrySet()) {
                String key = s.name() + "." + f.getKey();
                all.add(key);
                for (Object cand : f.getKey().equals("ipiHoles") ? HOLE_CANDIDATES : candidates(s.values().get(f.getKey()))) {
                    List<SnapshotDump.Section> d = SnapshotDump.decode(good.host());
                    d.stream().filter(x -> x.name().equals(s.name())).findFirst().orElseThrow().values().put(f.getKey(), cand);
                    HostGroupSnapshot.Restored r;
                    try {
                        r = HostGroupSnapshot.restoreAsCheckpoint(h,
                            new HostGroupSnapshot.Saved(SnapshotDump.encode(d), good.machines()), cfgs);
                    } catch (SnapshotException e) {
                        refused.add(key);
                        why.merge(key, e.getMessage(), (x, y) -> x + " | " + y);
                        continue;
                    }
                    Object after = SnapshotDump.decode(HostGroupSnapshot.save(r.host(), r.machines()).host()).stream()
                        .filter(x -> x.name().equals(s.name())).findFirst().orElseThrow().values().get(f.getKey());
                    if (Objects.deepEquals(cand, after) || LOWER_BOUNDS.contains(key)
                        && ((Number) after).longValue() >= ((Number) cand).longValue()) {
                        seen.add(key);
                        break;
                    }
                    lost.put(key, "restored but the host's stream has another value");
                }
            }
        }
        Set<String> notCovered = new TreeSet<>(all);
        notCovered.removeAll(seen);
        notCovered.removeIf(k -> (CROSS_CHECKED.contains(k) || REFERENCED.contains(k)) && refused.contains(k));
        Map<String, String> whyNot = new java.util.TreeMap<>(why);
        whyNot.keySet().retainAll(notCovered);
        assertEquals(Set.of(), notCovered, "fields neither carried by the restored host nor refused as cross-checks: "
            + lost + "; refused: " + whyNot);
        Set<String> crossCarried = new TreeSet<>(seen);
        crossCarried.retainAll(CROSS_CHECKED);
        assertEquals(Set.of(), crossCarried, "cross-checked fields a changed stream got through with");
        assertEquals(47, all.size(), "host/physical has 13 fields, host/vm/N 17 for each of the 2 VMs: " + all);
    }
}
