package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.PassthroughFixture.NIC;
import static io.pseries.testscripts.passthrough.PassthroughFixture.NIC2;
import static io.pseries.testscripts.passthrough.PassthroughFixture.booted;
import static io.pseries.testscripts.passthrough.PassthroughFixture.host;
import static io.pseries.testscripts.passthrough.PassthroughFixture.vm;
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
    private static final Set<String> CROSS_CHECKED = Set.of(
        "host/physical.functions", "host/physical.groups", "host/physical.msix", "host/physical.intx",
        "host/physical.afuIrqs", "host/physical.vms", "host/physical.owners",
        // the VMs' own sections (ocapi/ID) re-open their AFU contexts: the count is checked after them
        "host/physical.afuContexts",
        "host/vm/0.process", "host/vm/0.hwIrqs", "host/vm/1.process", "host/vm/1.hwIrqs");

    /**
     * Next numbers: lower bounds of what the restored host hands out next (a restore that makes a
     * KVM device again gives it a number past the source's next one): carried when the restored
     * host's value is at least the changed one.
     */
    private static final Set<String> LOWER_BOUNDS = Set.of("host/physical.nextEventFd", "host/vm/0.nextFd",
        "host/vm/1.nextFd");

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

    @Test
    void everyFieldOfTheHostStreamIsSeenByTheRestoredHost() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        Machine b = vm(h, "xive", "off", NIC2);
        h.function(NIC).fire(1);
        h.function(NIC2).fire(0);
        List<Machine> ms = List.of(a, b);
        List<MachineConfig> cfgs = ms.stream().map(Machine::config).toList();
        HostGroupSnapshot.Saved good = HostGroupSnapshot.save(h, ms);
        Set<String> all = new TreeSet<>();
        Set<String> seen = new TreeSet<>();
        Set<String> refused = new TreeSet<>();
        Map<String, String> lost = new LinkedHashMap<>();
        for (SnapshotDump.Section s : SnapshotDump.decode(good.host())) {
            for (Map.Entry<String, FieldType> f : s.types().entrySet()) {
                String key = s.name() + "." + f.getKey();
                all.add(key);
                for (Object cand : candidates(s.values().get(f.getKey()))) {
                    List<SnapshotDump.Section> d = SnapshotDump.decode(good.host());
                    d.stream().filter(x -> x.name().equals(s.name())).findFirst().orElseThrow().values().put(f.getKey(), cand);
                    HostGroupSnapshot.Restored r;
                    try {
                        r = HostGroupSnapshot.restoreAsCheckpoint(h,
                            new HostGroupSnapshot.Saved(SnapshotDump.encode(d), good.machines()), cfgs);
                    } catch (SnapshotException e) {
                        refused.add(key);
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
        notCovered.removeIf(k -> CROSS_CHECKED.contains(k) && refused.contains(k));
        assertEquals(Set.of(), notCovered, "fields neither carried by the restored host nor refused as cross-checks: "
            + lost);
        Set<String> crossCarried = new TreeSet<>(seen);
        crossCarried.retainAll(CROSS_CHECKED);
        assertEquals(Set.of(), crossCarried, "cross-checked fields a changed stream got through with");
        assertEquals(25, all.size(), "host/physical has 13 fields, host/vm/N 6 for each of the 2 VMs: " + all);
    }
}
