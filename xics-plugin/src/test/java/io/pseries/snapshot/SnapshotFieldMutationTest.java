package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.dev.pci.MsixCapability;
import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;

/**
 * Generated over every field of every section of machines mid workload (XICS active, XIVE
 * active, a booted guest with virtio and pass-through MSIs): the field is changed in the stream (its checksum kept valid), the stream restored
 * into a fresh machine, and the machine's own snapshot must carry the changed value: no field
 * is silently dropped on the way in. Fields that only cross-check this machine's configuration
 * or claims are listed by name and must be refused instead.
 */
class SnapshotFieldMutationTest {

    /** Fields that must equal the target's (configuration, claims, sizes): a change is a foreign stream. */
    private static final Set<String> CROSS_CHECKED = Set.of(
        "config.cpus", "config.threads", "config.vsmt", "config.icMode", "config.kernelIrqchip", "config.memory",
        "config.seed", "config.hostXive", "config.nrIrqs", "config.devices", "config.xicsOnXive", "config.pageSize",
        "config.memSlots", "config.maxMapCount", "config.esbMapping", "config.dtcClean", "config.xVof", "config.esbLoads",
        "config.experimental",
        "cas.active", "irq/lines.irqs", "irq/lines.lsi",
        // which vCPUs have an interpreter: the per-interpreter arrays' lengths must agree with it
        "cpu/code.made",
        "xive/source.nr_irqs", "xive/source.lsi_map", "xive/tables.nr_irqs", "xive/tables.nr_ends",
        // which numbers have an EAS entry: the valid ones must be this machine's claims, the list ascending
        "xive/tables.eas_lisns",
        "xics/ics.nr_irqs", "xics/ics.flags",
        // the source's host as a record (the destination connects and maps its own device): in these
        // emulated workloads no device is recorded, and any change makes the record inconsistent
        "host/kvm.type", "host/kvm.device", "host/kvm.controller", "host/kvm.fd", "host/kvm.attrGroups",
        "host/kvm.attrCalls", "host/kvm.vmas", "host/kvm.vmaPgoff", "host/kvm.vmaPages", "host/kvm.faultedVma",
        "host/kvm.faultedPage", "host/kvm.links",
        // the guest model: whether one is booted and which driver runs must agree with the driver
        // sections (guest/xive, guest/xics: 'active'); its IPIs are one per CPU, each CPU once
        "guest.booted", "guest.driver", "guest/xive.active", "guest/xics.active", "guest.ipiCpu",
        // a PCI function's MSI allocation: its numbers must be the controllers' MSI sources, its kind and
        // count what the function's capabilities allow
        "pci/net0.msiType", "pci/net0.msiFirst", "pci/net0.msiCount", "pci/blk0.msiType", "pci/blk0.msiFirst",
        "pci/blk0.msiCount", "pci/nic0.msiType", "pci/nic0.msiFirst", "pci/nic0.msiCount",
        // the virtio functions present no MSI-X capability (they signal without a table): MSI-X state is refused
        "pci/net0.msixControl", "pci/net0.msixTable", "pci/net0.msixPba", "pci/blk0.msixControl",
        "pci/blk0.msixTable", "pci/blk0.msixPba");

    /** Fields whose valid values are few: the candidates are those (a compat PVR the POWER9 can run at). */
    private static final Map<String, List<Object>> SPECIAL = Map.of(
        "cas.compatPvr", List.of(0x0f000004L, 0x0f000003L),
        "guest.offer", List.of("LEGACY", "EXPLOITATION"),
        // the guest-code workload's one pending slice is the newest event: an older order is the valid change
        "cpu/code.sliceSeq", List.of(new long[] {0, -1}, new long[] {1, -1}),
        // MSI-X message control: only enable and the function mask are bits
        "pci/nic0.msixControl", List.of(0, MsixCapability.CONTROL_ENABLE | MsixCapability.CONTROL_MASKALL));

    /** Fields that only count when another field says so: changed together with that field. */
    private static final Map<String, Map.Entry<String, Object>> GUARDED = Map.of(
        "machine.osTerm", Map.entry("hasOsTerm", Boolean.TRUE),
        // kernel numbers stay below the next free one
        "guest.descVirq", Map.entry("nextVirq", 0x1000));

    private static Machine atPoint(Workloads.Workload w) {
        Machine m = w.create();
        w.setup().accept(m);
        w.before().accept(m);
        return m;
    }

    /** Candidate changes of a value, each a different valid-looking value of the same type. */
    private static List<Object> candidates(Object v) {
        List<Object> l = new ArrayList<>();
        if (v instanceof Boolean b) {
            l.add(!b);
        } else if (v instanceof Integer i) {
            for (int x : new int[] {i ^ 1, i ^ 2, i ^ 4, i ^ 0x10, i ^ 0x80}) {
                l.add(x & (i <= 0xff && i >= 0 ? 0xff : 0xffffffff));
            }
        } else if (v instanceof Long x) {
            l.add(x + 1);
            l.add(x + 0x10000);
        } else if (v instanceof String s) {
            l.add(s + "x");
        } else if (v instanceof byte[] a) {
            for (int idx : indexes(a.length, i -> a[i] != 0)) {
                for (int mask : new int[] {1, 2, 4, 0x10, 0x80}) {
                    byte[] c = a.clone();
                    c[idx] ^= (byte) mask;
                    l.add(c);
                }
            }
        } else if (v instanceof int[] a) {
            for (int idx : indexes(a.length, i -> a[i] != 0)) {
                for (int mask : new int[] {1, 2, 0x100}) {
                    int[] c = a.clone();
                    c[idx] ^= mask;
                    l.add(c);
                }
            }
        } else if (v instanceof long[] a) {
            for (int idx : indexes(a.length, i -> a[i] != 0)) {
                for (long mask : new long[] {1, 2, 0x100}) {
                    long[] c = a.clone();
                    c[idx] ^= mask;
                    l.add(c);
                }
            }
        }
        return l;
    }

    private static int[] indexes(int n, java.util.function.IntPredicate nonZero) {
        Set<Integer> s = new LinkedHashSet<>();
        for (int i = 0; i < n && s.size() < 2; i++) {
            if (nonZero.test(i)) {
                s.add(i);
            }
        }
        if (n > 0) {
            s.add(0);
            s.add(n - 1);
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Object valueIn(List<SnapshotDump.Section> d, String section, String field) {
        return d.stream().filter(s -> s.name().equals(section)).findFirst().orElseThrow().values().get(field);
    }

    @Test
    void everyFieldOfEverySectionIsSeenByTheRestoredMachine() {
        Set<String> seen = new TreeSet<>();
        Set<String> refusedAsForeign = new TreeSet<>();
        Set<String> all = new TreeSet<>();
        // an empty array has no candidate change (host/kvm's lists in an emulated machine)
        Set<String> tried = new TreeSet<>();
        Map<String, String> lost = new LinkedHashMap<>();
        for (Workloads.Workload w : List.of(Workloads.all().get(0), Workloads.all().get(3), Workloads.all().get(4),
            Workloads.all().get(5), Workloads.all().get(6), Workloads.guestCode())) {
            byte[] good = atPoint(w).snapshot();
            List<SnapshotDump.Section> base = SnapshotDump.decode(good);
            for (SnapshotDump.Section s : base) {
                // one vCPU, ICP and thread context stand for their siblings
                String kind = s.name().replaceAll("/[1-9][0-9]*$", "/0");
                if (!kind.equals(s.name())) {
                    continue;
                }
                for (Map.Entry<String, FieldType> f : s.types().entrySet()) {
                    String key = s.name() + "." + f.getKey();
                    all.add(key);
                    Object orig = s.values().get(f.getKey());
                    for (Object cand : SPECIAL.containsKey(key) ? SPECIAL.get(key) : candidates(orig)) {
                        tried.add(key);
                        List<SnapshotDump.Section> d = SnapshotDump.decode(good);
                        Map<String, Object> vals = d.stream().filter(x -> x.name().equals(s.name())).findFirst()
                            .orElseThrow().values();
                        vals.put(f.getKey(), cand);
                        if (GUARDED.containsKey(key)) {
                            vals.put(GUARDED.get(key).getKey(), GUARDED.get(key).getValue());
                        }
                        Machine fresh = w.create();
                        try {
                            fresh.restore(SnapshotDump.encode(d));
                        } catch (SnapshotException e) {
                            if (CROSS_CHECKED.contains(key)) {
                                refusedAsForeign.add(key);
                            }
                            continue;
                        }
                        Object after = valueIn(SnapshotDump.decode(fresh.snapshot()), s.name(), f.getKey());
                        if (Objects.deepEquals(cand, after)) {
                            seen.add(key);
                            break;
                        }
                        lost.put(key, "restored but the machine's snapshot has the " + (Objects.deepEquals(orig, after) ? "original" : "another") + " value");
                    }
                }
            }
        }
        Set<String> notCovered = new TreeSet<>(all);
        notCovered.removeAll(seen);
        notCovered.removeAll(CROSS_CHECKED);
        assertEquals(Set.of(), notCovered, "fields no mutation reached the machine with: " + lost);
        Set<String> crossNotRefused = new TreeSet<>(CROSS_CHECKED);
        crossNotRefused.retainAll(tried);
        crossNotRefused.removeAll(refusedAsForeign);
        assertEquals(Set.of(), crossNotRefused, "cross-checked fields whose change was not refused");
        Set<String> crossSeen = new TreeSet<>(seen);
        crossSeen.retainAll(CROSS_CHECKED);
        assertEquals(Set.of(), crossSeen, "cross-checked fields a changed value got through");
        assertTrue(seen.size() > 25, "fields seen: " + seen);
    }
}
