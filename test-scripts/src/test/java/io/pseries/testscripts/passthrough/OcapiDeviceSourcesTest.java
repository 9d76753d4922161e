package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.OcapiSnapshotTest.afuHost;
import static io.pseries.testscripts.passthrough.OcapiSnapshotTest.mutated;
import static io.pseries.testscripts.passthrough.OcapiSnapshotTest.ocxl;
import static io.pseries.testscripts.passthrough.OcapiSnapshotTest.vm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.dev.pci.OcapiRfcHcalls;
import io.pseries.core.host.pt.InKernelIrqchip;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.HostGroupSnapshot;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;

/**
 * The in-kernel device's source table across a host-group checkpoint (host/vm/N version 4,
 * {@code deviceSources}): the native XIVE device and the XICS-on-XIVE one each keep the source,
 * and the host IPI backing it, of a LISN whose AFU irq was freed, and the restored device must
 * too, or the next allocations get other host IPIs and trigger pages than without the checkpoint.
 */
class OcapiDeviceSourcesTest {
    private static List<InKernelIrqchip.GuestSource> sources(Machine m) {
        return m.host().vm().irqchip().sources();
    }

    /** Two AFU irqs allocated, the first one freed: its LISN keeps its source and IPI in the device. */
    private static Machine firstFreed(PhysicalHost h) {
        return firstFreed(h, "xive");
    }

    private static Machine firstFreed(PhysicalHost h, String icMode) {
        Machine m = vm(h, "on", icMode);
        long first = ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ);
        ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ);
        ocxl(m, OcapiRfcHcalls.OP_FREE_IRQ, first);
        assertTrue(sources(m).stream().anyMatch(s -> s.gsi() == first), "the freed LISN's source stays in the device");
        return m;
    }

    private static Machine restored(PhysicalHost h, HostGroupSnapshot.Saved s, Machine like) {
        return HostGroupSnapshot.restoreAsCheckpoint(h, s, List.of(like.config())).machines().get(0);
    }

    /**
     * Freed first-allocated first, checkpointed, the second one freed, two more allocated: each step
     * of the restored machine gets the straight run's host IPIs and trigger pages (without the
     * table the restored device gave the second LISN the first one's IPI, and the fourth AFU irq
     * got host IPI 0x1d instead of 0x1c).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xive", "xics"})
    void afterTheFirstAllocatedAfuIrqIsFreedTheRestoredDeviceHoldsEverySourceOnItsIpiAndAllocationsMatch(String icMode) {
        PhysicalHost h = afuHost();
        Machine m = firstFreed(h, icMode);
        Machine fresh = restored(h, HostGroupSnapshot.save(h, List.of(m)), m);
        assertEquals(m.ocapi().info(), fresh.ocapi().info(), "the claimed AFU irq on its host IPI");
        assertEquals(sources(m), sources(fresh), "the device's whole source table, the unclaimed LISN's included");
        long second = ((Number) m.ocapi().info().get(0).get("guestIrq")).longValue();
        ocxl(m, OcapiRfcHcalls.OP_FREE_IRQ, second);
        ocxl(fresh, OcapiRfcHcalls.OP_FREE_IRQ, second);
        for (int i = 0; i < 2; i++) {
            assertEquals(ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ), ocxl(fresh, OcapiRfcHcalls.OP_ALLOC_IRQ), "LISN " + i);
            assertEquals(m.ocapi().info(), fresh.ocapi().info(), "allocation " + i + ": host IPIs and trigger pages");
            assertEquals(sources(m), sources(fresh), "allocation " + i + ": the device's sources");
        }
        assertEquals(0x1c, ((Number) m.ocapi().info().get(1).get("hostIrq")).intValue(), "the workload's second host IPI");
    }

    /**
     * A version-3 host/vm stream (no table) still loads, as before the table: the restored device
     * has sources only for the LISNs its VMM claims (the freed one's is gone), its holes kept free
     * while it allocates them, so the next ALLOC_IRQ still gets the freed AFU irq's host IPI;
     * written again at 4.
     */
    @Test
    void aVersion3HostVmStreamLoadsAsNoTableTheRestoredDeviceMakingOnlyTheClaimedSources() {
        PhysicalHost h = afuHost();
        Machine m = firstFreed(h);
        HostGroupSnapshot.Saved s = HostGroupSnapshot.save(h, List.of(m));
        List<SnapshotDump.Section> d = new ArrayList<>();
        for (SnapshotDump.Section x : SnapshotDump.decode(s.host())) {
            if (x.name().equals("host/vm/0")) {
                Map<String, Object> values = new LinkedHashMap<>(x.values());
                Map<String, FieldType> types = new LinkedHashMap<>(x.types());
                values.remove("deviceSources");
                types.remove("deviceSources");
                x = new SnapshotDump.Section(x.name(), 3, x.minVersion(), values, types);
            }
            d.add(x);
        }
        HostGroupSnapshot.Restored r = HostGroupSnapshot.restoreAsCheckpoint(h,
            new HostGroupSnapshot.Saved(SnapshotDump.encode(d), s.machines()), List.of(m.config()));
        Machine fresh = r.machines().get(0);
        assertEquals(m.ocapi().info(), fresh.ocapi().info(), "the AFU irq on its host IPI");
        assertEquals(sources(m).size() - 1, sources(fresh).size(), "no source for the LISN no one claims");
        assertNotEquals(sources(m), sources(fresh));
        assertEquals(ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ), ocxl(fresh, OcapiRfcHcalls.OP_ALLOC_IRQ));
        assertEquals(m.ocapi().info(), fresh.ocapi().info(), "the hole the freed AFU irq left is its host IPI again");
        assertEquals(4, SnapshotDump.decode(HostGroupSnapshot.save(r.host(), r.machines()).host()).get(1).version(),
            "written again at the current version, 4");
    }

    /** A table the host stream or the VM's own stream contradicts is refused whole, naming the field. */
    @Test
    void aDeviceSourceTableThatCannotBeTheDevicesIsRefusedNamingTheField() {
        PhysicalHost h = afuHost();
        Machine m = firstFreed(h);
        HostGroupSnapshot.Saved good = HostGroupSnapshot.save(h, List.of(m));
        SnapshotDump.Section vm0 = SnapshotDump.decode(good.host()).get(1);
        long[] table = (long[]) vm0.values().get("deviceSources");
        int hole = ((int[]) vm0.values().get("ipiHoles"))[0];
        Map<String, Consumer<SnapshotDump.Section>> corruptions = new LinkedHashMap<>();
        corruptions.put("an IPI twice", x -> {
            long[] t = table.clone();
            t[1] = (t[1] & ~0xffff_ffffL) | (t[0] & 0xffff_ffffL);
            x.values().put("deviceSources", t);
        });
        corruptions.put("an IPI that is a hole", x -> {
            long[] t = table.clone();
            t[0] = (t[0] & ~0xffff_ffffL) | hole;
            x.values().put("deviceSources", t);
        });
        corruptions.put("no IPI", x -> {
            long[] t = table.clone();
            t[0] &= ~0xffff_ffffL;
            x.values().put("deviceSources", t);
        });
        corruptions.put("guest interrupts out of order", x -> {
            long[] t = table.clone();
            long first = t[0];
            t[0] = t[1];
            t[1] = first;
            x.values().put("deviceSources", t);
        });
        corruptions.put("a source the VMM claims left out", x -> x.values().put("deviceSources",
            java.util.Arrays.copyOf(table, table.length - 1)));
        for (Map.Entry<String, Consumer<SnapshotDump.Section>> c : corruptions.entrySet()) {
            byte[] host = mutated(good.host(), "host/vm/0", c.getValue());
            SnapshotException e = assertThrows(SnapshotException.class,
                () -> restored(h, new HostGroupSnapshot.Saved(host, good.machines()), m), c.getKey());
            assertTrue(e.getMessage().startsWith("snapshot section 'host/vm/0': ") && e.getMessage().contains("deviceSources"),
                c.getKey() + ": " + e.getMessage());
        }
        assertFalse(sources(restored(h, good, m)).isEmpty(), "the stream itself loads");
    }
}
