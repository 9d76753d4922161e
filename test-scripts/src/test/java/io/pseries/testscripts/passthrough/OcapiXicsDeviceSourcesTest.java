package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.OcapiSnapshotTest.afuHost;
import static io.pseries.testscripts.passthrough.OcapiSnapshotTest.ocxl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dev.pci.OcapiRfcHcalls;
import io.pseries.core.host.pt.InKernelIrqchip;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.snapshot.HostGroupSnapshot;

/**
 * The in-kernel XICS device's (XICS-on-XIVE) source table across a host-group checkpoint
 * (host/vm/N {@code deviceSources}): like the native XIVE device, it backs each source it was
 * told of with one host IPI and keeps it until the device goes, the source of a LISN whose AFU
 * irq was freed included, so the restored device must hold the same IPIs or the next
 * allocations get other host IPIs and trigger pages than without the checkpoint.
 */
class OcapiXicsDeviceSourcesTest {
    private static Machine xicsVm(PhysicalHost h) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xics").kernelIrqchip("on")
            .experimental(List.of("ocapi-rfc-2019")).device("vfio-pci", Map.of("host", "0000:03:00.0")).build(), h);
        m.boot(io.pseries.core.guest.GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        return m;
    }

    private static List<InKernelIrqchip.GuestSource> sources(Machine m) {
        return m.host().vm().irqchip().sources();
    }

    /**
     * Two AFU irqs allocated on a XICS VM, the first freed, checkpointed, the second freed, two more
     * allocated: each step of the restored machine gets the straight run's LISNs, host IPIs, trigger
     * pages and device sources (without the table the restored device gave the second LISN the
     * first one's IPI 0x1b, and the fourth AFU irq got host IPI 0x1d and its trigger page instead of 0x1c).
     */
    @Test
    void afterTheFirstAllocatedAfuIrqIsFreedTheRestoredXicsDeviceHoldsEverySourceOnItsIpiAndAllocationsMatch() {
        PhysicalHost h = afuHost();
        Machine m = xicsVm(h);
        long first = ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ);
        ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ);
        ocxl(m, OcapiRfcHcalls.OP_FREE_IRQ, first);
        assertTrue(sources(m).stream().anyMatch(s -> s.gsi() == first), "the freed LISN's source stays in the device");
        Machine fresh = HostGroupSnapshot.restoreAsCheckpoint(h, HostGroupSnapshot.save(h, List.of(m)),
            List.of(m.config())).machines().get(0);
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
    }
}
