package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.PassthroughFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.KvmIrqfds;
import io.pseries.core.host.pt.PhysicalHost;

/**
 * No lost interrupts: a storm from a passed-through NIC while links are made and broken. The
 * expectations are the rules, not the model's output:
 * <ul>
 *   <li>PQ: a burst of k triggers of an edge source before the guest runs gives min(k, 2)
 *       deliveries (the first is queued with P set, the second sets Q, later ones coalesce into
 *       Q; the guest's EOI re-fires Q once);</li>
 * </ul>
 * Links break and form only while the guest is idle: both switches write the guest interrupt
 * number as event data (facts §2.4 step 7, §2.5 step 6), which a guest that chose another EISN
 * (Linux: its virq) does not recognise until it re-targets, so an occurrence in flight across a
 * switch reaches the guest under a number it does not know (see docs/passthrough.md).
 * Between steps the machine runs to idle, so every step starts from PQ 00.
 */
class InterruptStormTest {
    private static final int ROUNDS = 150;

    private static void fire(HostPciFunction f, int vector, int k) {
        for (int i = 0; i < k; i++) {
            f.fire(vector);
        }
    }

    private static long takenAll(Machine m, VfioPciDevice d, int vectors) {
        long n = 0;
        for (int v = 0; v < vectors; v++) {
            n += taken(m, d.msiFirst() + v);
        }
        return n;
    }

    /**
     * After a relink the HW source's event data is the guest interrupt number (set_mapped uses
     * {@code state->number}, facts §2.4 step 7), while a Linux guest chose its virq as EISN; the
     * guest re-targets the interrupt (H_INT_SET_SOURCE_CONFIG), which writes its EISN again.
     */
    private static void retarget(Machine m, int gsi) {
        int cpu = m.guest().byHwirq(gsi).target();
        m.guest().setAffinity(gsi, (cpu + 1) % m.cpus().size());
    }

    @Test
    void aStormWhileLinksAreBrokenAndMadeAndAffinityMovesDeliversWhatThePqAndEventfdRulesSay() {
        PhysicalHost h = host();
        Machine m = booted(h, "xive", "on", NIC);
        VfioPciDevice d = vfio(m);
        HostPciFunction f = h.function(NIC);
        KvmIrqfds irqfds = m.host().vm().irqfds();
        int vectors = 3; // the ones the guest model's NIC driver started
        Random r = new Random(7);
        long expected = takenAll(m, d, vectors);
        long fired = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int v = r.nextInt(vectors);
            int gsi = d.msiFirst() + v;
            int fd = d.vectorEventFds()[v];
            int k = 1 + r.nextInt(5);
            fired += k;
            switch (r.nextInt(4)) {
                case 0 -> {
                    // the link broken and made again while idle, then a burst
                    irqfds.deassign(fd, gsi);
                    irqfds.assign(fd, gsi);
                    retarget(m, gsi);
                    fire(f, v, k);
                    expected += Math.min(k, 2);
                }
                case 1 -> {
                    // the guest moves the interrupt (H_INT_SET_SOURCE_CONFIG re-routes the HW source)
                    m.guest().setAffinity(gsi, r.nextInt(m.cpus().size()));
                    fire(f, v, k);
                    expected += Math.min(k, 2);
                }
                default -> {
                    fire(f, v, k);
                    expected += Math.min(k, 2);
                }
            }
            m.runUntilIdle();
            assertEquals(expected, takenAll(m, d, vectors), "round " + round);
        }
        assertEquals(3, m.host().vm().passthrough().linkCount(), "every link made again");
        assertTrue(fired > ROUNDS && m.host().stats().passthrough().linksBroken > 20);
    }

    @Test
    void acrossCasAndResetInDualModeTheLinksComeBackAndEveryBurstIsDelivered() {
        PhysicalHost h = host();
        Machine m = vm(h, "dual", "on", NIC);
        VfioPciDevice d = vfio(m);
        HostPciFunction f = h.function(NIC);
        for (int boot = 0; boot < 3; boot++) {
            m.boot(GuestOs.BootOptions.defaults());
            m.runUntilIdle();
            settle(m);
            assertEquals("xive", m.icMode(), "CAS chose XIVE");
            assertEquals(3, m.host().vm().passthrough().linkCount(), "boot " + boot + ": linked again after CAS");
            long before = takenAll(m, d, 3);
            for (int v = 0; v < 3; v++) {
                fire(f, v, 3);
                m.runUntilIdle();
            }
            assertEquals(before + 6, takenAll(m, d, 3), "boot " + boot);
            m.reset();
            assertEquals(0, m.host().vm().passthrough().linkCount(), "reset: back to XICS, MSI-X off, no link");
        }
    }

    /** Message control of the vfio-pci function's MSI-X capability (at 0x70, as QEMU places it) through RTAS. */
    private static void msixEnable(Machine m, VfioPciDevice d, boolean on) {
        int cfg = d.configAddress();
        int hi = (int) (m.phb().buid() >>> 32);
        int lo = (int) m.phb().buid();
        var r = m.rtas(0, "ibm,read-pci-config", new int[] {cfg | 0x72, hi, lo, 2}, 2);
        assertEquals(0, r.status());
        int control = r.rets()[0];
        if (on) {
            assertEquals(0, m.rtas(0, "ibm,write-pci-config", new int[] {cfg | 0x72, hi, lo, 2, control | 0xC000}, 1).status());
            assertEquals(0, m.rtas(0, "ibm,write-pci-config", new int[] {cfg | 0x72, hi, lo, 2, control & ~0x4000 | 0x8000}, 1).status());
        } else {
            assertEquals(0, m.rtas(0, "ibm,write-pci-config", new int[] {cfg | 0x72, hi, lo, 2, control & ~0xC000}, 1).status());
        }
    }

    /**
     * The guest turns MSI-X off and on again between bursts (a driver reset): every link breaks
     * and forms again, a firing while MSI-X is off is not sent by the function (it is counted as
     * dropped, not delivered), and each burst the function sent gives min(k, 2) deliveries.
     */
    private static void stormWithMsixOffAndOn(String mode) {
        PhysicalHost h = host();
        Machine m = booted(h, mode, "on", NIC);
        VfioPciDevice d = vfio(m);
        HostPciFunction f = h.function(NIC);
        Random r = new Random(7);
        long expected = takenAll(m, d, 3);
        long dropped = f.dropped();
        long offFirings = 0;
        int cycles = 0;
        for (int round = 0; round < 60; round++) {
            int v = r.nextInt(3);
            int k = 1 + r.nextInt(4);
            if (r.nextInt(3) == 0) {
                msixEnable(m, d, false);
                m.runUntilIdle();
                assertEquals(0, m.host().vm().passthrough().linkCount(), mode + ": MSI-X off, no link");
                f.fire(v);
                offFirings++;
                msixEnable(m, d, true);
                m.runUntilIdle();
                settle(m);
                cycles++;
                assertEquals(3, m.host().vm().passthrough().linkCount(), mode + ": MSI-X on, the started vectors linked again");
            }
            fire(f, v, k);
            expected += Math.min(k, 2);
            m.runUntilIdle();
            assertEquals(expected, takenAll(m, d, 3), mode + " round " + round);
        }
        assertTrue(cycles >= 10, "MSI-X went off and on " + cycles + " times");
        assertEquals(dropped + offFirings, f.dropped(), "what fired while MSI-X was off was not sent");
    }

    @Test
    void aStormWithMsixTurnedOffAndOnDeliversWhatThePqRuleSaysUnderTheInKernelXive() {
        stormWithMsixOffAndOn("xive");
    }

    @Test
    void aStormWithMsixTurnedOffAndOnDeliversWhatThePqRuleSaysUnderTheInKernelXics() {
        stormWithMsixOffAndOn("xics");
    }
}
