package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.PassthroughFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestTiming;
import io.pseries.core.host.Errno;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.KvmIrqfds;
import io.pseries.core.host.pt.PassthroughStats;
import io.pseries.core.host.pt.PhysicalHost;

/**
 * Pass-through links under the in-kernel XICS of a POWER9 host (XICS-on-XIVE). KVM's
 * {@code kvmppc_set_passthru_irq} calls the same {@code kvmppc_xive_set_mapped} for this device
 * as for the native one (facts §2.3 step 7); the guest then takes the host MSI through H_XIRR,
 * and its H_EOI acts on the host interrupt's ESB (facts §4.2: the EOI goes to the selected HW
 * irq: SET_PQ_00, a trigger when Q was set). The expectations are the PQ rule: a burst of k
 * firings before the guest runs gives min(k, 2) deliveries.
 */
class XicsOnXiveLinkTest {

    private static long takenAll(Machine m, VfioPciDevice d, int vectors) {
        long n = 0;
        for (int v = 0; v < vectors; v++) {
            n += taken(m, d.msiFirst() + v);
        }
        return n;
    }

    private static PassthroughStats pt(Machine m) {
        return m.host().stats().passthrough();
    }

    @Test
    void theVectorsAGuestStartsUnderTheInKernelXicsAreLinkedAndTakeTheHostMsiWithNoVmmExit() {
        PhysicalHost h = host();
        Machine m = booted(h, "xics", "on", NIC);
        VfioPciDevice d = vfio(m);
        assertEquals(3, m.host().vm().passthrough().linkCount(), "the three vectors the NIC driver unmasked");
        long exits = m.host().stats().vmmExits(ExitKind.IRQ);
        long bypass = pt(m).bypassDeliveries;
        for (int v = 0; v < 3; v++) {
            long before = taken(m, d.msiFirst() + v);
            assertTrue(h.function(NIC).fire(v));
            m.runUntilIdle();
            assertEquals(before + 1, taken(m, d.msiFirst() + v), "vector " + v + " reaches the guest once, under its own number");
        }
        assertEquals(bypass + 3, pt(m).bypassDeliveries, "each by the host interrupt controller");
        assertEquals(0, pt(m).vmmRelays, "none through the VMM");
        assertEquals(exits, m.host().stats().vmmExits(ExitKind.IRQ), "no VMM exit");
    }

    @Test
    void aBurstOnALinkedXicsSourceGivesMinOfKAndTwoDeliveriesTheGuestsEoiReFiringTheLatchedQ() {
        PhysicalHost h = host();
        Machine m = booted(h, "xics", "on", NIC);
        VfioPciDevice d = vfio(m);
        HostPciFunction f = h.function(NIC);
        for (int k = 1; k <= 5; k++) {
            long before = taken(m, d.msiFirst());
            for (int i = 0; i < k; i++) {
                f.fire(0);
            }
            m.runUntilIdle();
            assertEquals(before + Math.min(k, 2), taken(m, d.msiFirst()), "a burst of " + k);
        }
    }

    @Test
    void whileLinkedASoftwareTriggerOfTheGuestIrqIsRefusedWithEinvalAndNothingIsDelivered() {
        PhysicalHost h = host();
        Machine m = booted(h, "xics", "on", NIC);
        VfioPciDevice d = vfio(m);
        int gsi = d.msiFirst();
        long before = taken(m, gsi);
        assertEquals(Errno.EINVAL, m.host().vm().irqchip().setIrq(gsi, true));
        m.runUntilIdle();
        assertEquals(before, taken(m, gsi));
        // an unlinked vector (the driver never started vector 5) takes a software trigger
        int idle = d.msiFirst() + 5;
        assertEquals(0, m.host().vm().irqchip().mappedHostIrq(idle));
    }

    @Test
    void aLinkedXicsSourceMaskedByIbmIntOffLatchesTheHostMsiAndIbmIntOnDeliversItOnce() {
        PhysicalHost h = host();
        Machine m = booted(h, "xics", "on", NIC);
        VfioPciDevice d = vfio(m);
        int gsi = d.msiFirst() + 1;
        assertEquals(0, m.rtas(0, "ibm,int-off", new int[] {gsi}, 1).status());
        long before = taken(m, gsi);
        for (int i = 0; i < 3; i++) {
            h.function(NIC).fire(1);
        }
        m.runUntilIdle();
        assertEquals(before, taken(m, gsi), "masked: nothing reaches the guest");
        assertEquals(0, m.rtas(0, "ibm,int-on", new int[] {gsi}, 1).status());
        m.runUntilIdle();
        assertEquals(before + 1, taken(m, gsi), "the occurrences latched while masked are one");
        h.function(NIC).fire(1);
        m.runUntilIdle();
        assertEquals(before + 2, taken(m, gsi), "and the source is open again");
    }

    @Test
    void linksBrokenAndMadeAgainOnTheInKernelXicsLoseAndInventNoInterrupt() {
        PhysicalHost h = host();
        Machine m = booted(h, "xics", "on", NIC);
        VfioPciDevice d = vfio(m);
        HostPciFunction f = h.function(NIC);
        KvmIrqfds irqfds = m.host().vm().irqfds();
        Random r = new Random(11);
        long expected = takenAll(m, d, 3);
        for (int round = 0; round < 100; round++) {
            int v = r.nextInt(3);
            int gsi = d.msiFirst() + v;
            int k = 1 + r.nextInt(4);
            switch (r.nextInt(3)) {
                case 0 -> {
                    irqfds.deassign(d.vectorEventFds()[v], gsi);
                    irqfds.assign(d.vectorEventFds()[v], gsi);
                }
                case 1 -> m.guest().setAffinity(gsi, r.nextInt(m.cpus().size()));
                default -> { }
            }
            for (int i = 0; i < k; i++) {
                f.fire(v);
            }
            expected += Math.min(k, 2);
            m.runUntilIdle();
            assertEquals(expected, takenAll(m, d, 3), "round " + round);
        }
        assertEquals(3, m.host().vm().passthrough().linkCount(), "every link made again");
        assertTrue(pt(m).linksBroken >= 20, "links were broken: " + pt(m).linksBroken);
    }

    @Test
    void inDualModeACasThatChoosesXicsLinksTheVectorsToTheInKernelXics() {
        PhysicalHost h = host();
        Machine m = vm(h, "dual", "on", NIC);
        m.boot(new GuestOs.BootOptions(GuestOv5.Offer.LEGACY, GuestTiming.DEFAULT));
        m.runUntilIdle();
        assertEquals("xics", m.icMode());
        VfioPciDevice d = vfio(m);
        assertEquals(3, m.host().vm().passthrough().linkCount());
        long before = taken(m, d.msiFirst() + 2);
        h.function(NIC).fire(2);
        m.runUntilIdle();
        assertEquals(before + 1, taken(m, d.msiFirst() + 2));
        m.reset();
        assertEquals(0, m.host().vm().passthrough().linkCount(), "reset: MSI-X off, no link");
    }
}
