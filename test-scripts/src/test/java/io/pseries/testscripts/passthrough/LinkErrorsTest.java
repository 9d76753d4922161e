package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.PassthroughFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.host.Errno;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.pt.EventFd;
import io.pseries.core.host.pt.IrqBypassManager;
import io.pseries.core.host.pt.Irqfd;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.trace.TraceCategory;

/**
 * The link-time errors of {@code kvmppc_set_passthru_irq} that the other tests do not reach:
 * the map table full (EAGAIN) and a host interrupt without a descriptor (EIO). Both are logged
 * by the irqbypass connect, never returned to user space, and leave the interrupt on the
 * software path (eventfd, irqfd, the guest interrupt's IPI), which still delivers it.
 */
class LinkErrorsTest {

    private static List<Map<String, Object>> linkFailures(Machine m) {
        List<Map<String, Object>> l = new ArrayList<>();
        m.trace().subscribe(TraceCategory.PASSTHROUGH, e -> {
            if ("link_failed".equals(e.name())) {
                l.add(e.fields());
            }
        });
        return l;
    }

    @Test
    void aFullMapTableFailsTheLinkWithEagainLoggedAndTheVectorStaysOnTheSoftwarePath() {
        PhysicalHost h = host();
        Machine m = vm(h, "xive", "on", NIC);
        m.host().vm().passthrough().setCapacity(1);
        List<Map<String, Object>> failures = linkFailures(m);
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        settle(m);
        VfioPciDevice d = vfio(m);
        assertEquals(8, d.msiCount());
        assertEquals(1, m.host().vm().passthrough().linkCount(), "one entry fits in the table: vector 0's");
        List<Irqfd> irqfds = m.host().vm().irqfds().list();
        long software = irqfds.stream().filter(i -> i.producer() == null).count();
        assertEquals(2, software, "the two other vectors the driver unmasked are not linked");
        assertTrue(irqfds.stream().filter(i -> i.producer() == null).allMatch(i -> "EAGAIN".equals(i.failure())),
            "each failed link records EAGAIN");
        // vector 1 is armed twice (QEMU re-arms every vector to add vector 2), vector 2 once
        assertEquals(3, failures.size());
        assertTrue(failures.stream().allMatch(f -> Integer.valueOf(-Errno.EAGAIN.number()).equals(f.get("ret"))
            && String.valueOf(f.get("message")).startsWith("kvmppc_set_passthru_irq (irq ")
            && String.valueOf(f.get("message")).endsWith("fails: " + (-Errno.EAGAIN.number()))),
            "logged with the kernel's message: " + failures);
        // the three vectors the guest's network driver uses (config, input.0, output.0) still reach
        // it exactly once each: the first bypassed, the other two through the irqfd
        long bypass = m.host().stats().passthrough().bypassDeliveries;
        long injections = m.host().stats().passthrough().irqfdInjections;
        long exits = m.host().stats().vmmExits(ExitKind.IRQ);
        for (int k = 0; k < 3; k++) {
            long before = taken(m, d.msiFirst() + k);
            assertTrue(h.function(NIC).fire(k));
            m.runUntilIdle();
            assertEquals(before + 1, taken(m, d.msiFirst() + k), "vector " + k + " delivered once");
        }
        assertEquals(bypass + 1, m.host().stats().passthrough().bypassDeliveries);
        assertEquals(injections + 2, m.host().stats().passthrough().irqfdInjections);
        assertEquals(exits, m.host().stats().vmmExits(ExitKind.IRQ), "the software path is in the kernel too: no VMM exit");
    }

    @Test
    void aProducerWhoseHostInterruptHasNoDescriptorFailsWithEioAndNoEntryIsMade() {
        PhysicalHost h = host();
        Machine m = booted(h, "xive", "on", NIC);
        List<Map<String, Object>> failures = linkFailures(m);
        int gsi = 0x1500;
        int fd = m.host().process().eventfd();
        EventFd token = m.host().process().eventFd(fd);
        assertTrue(m.host().vm().irqfds().assign(fd, gsi).isOk());
        int links = m.host().vm().passthrough().linkCount();
        int noSuchHostIrq = 0x7fff_fff0;
        int rc = h.bypass().register(new IrqBypassManager.Producer() {
            @Override
            public EventFd token() {
                return token;
            }

            @Override
            public int hostIrq() {
                return noSuchHostIrq;
            }
        });
        assertEquals(-Errno.EIO.number(), rc, "irq_bypass_register_producer passes the connect's answer to VFIO");
        assertEquals(links, m.host().vm().passthrough().linkCount(), "no entry in the map");
        assertEquals(0, m.host().vm().passthrough().linked(gsi));
        Irqfd i = m.host().vm().irqfds().list().stream().filter(x -> x.gsi() == gsi).findFirst().orElseThrow();
        assertNull(i.producer());
        assertEquals("EIO", i.failure());
        assertEquals(1, failures.size());
        assertEquals(String.format("kvmppc_set_passthru_irq (irq %d, gsi %d) fails: %d", noSuchHostIrq, gsi,
            -Errno.EIO.number()), failures.get(0).get("message"));
    }
}
