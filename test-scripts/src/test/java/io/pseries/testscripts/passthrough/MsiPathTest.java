package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.PassthroughFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.pt.PhysicalHost;

/** The path of a pass-through MSI: VFIO eventfds, KVM_IRQFD, the irqbypass pairing, the link. */
class MsiPathTest {

    @Test
    void guestModelEnablesMsixAndEveryVectorIsLinkedInKernel() {
        PhysicalHost h = host();
        Machine m = booted(h, "xive", "on", NIC);
        VfioPciDevice d = vfio(m);
        assertEquals(8, d.msiCount(), "the guest asks ibm,req#msi-x vectors: the whole table");
        assertEquals(3, m.host().vm().passthrough().linkCount(),
            "every vector the driver unmasked (config, input.0, output.0) is armed and linked");
        int gsi = d.msiFirst() + 1;
        long exits = m.host().stats().vmmExits(ExitKind.IRQ) + m.host().stats().vmmExits(ExitKind.MMIO)
            + m.host().stats().vmmExits(ExitKind.HCALL);
        long before = taken(m, gsi);
        long bypass = m.host().stats().passthrough().bypassDeliveries;
        assertTrue(h.function(NIC).fire(1));
        m.runUntilIdle();
        assertEquals(before + 1, taken(m, gsi), "delivered once");
        long after = m.host().stats().vmmExits(ExitKind.IRQ) + m.host().stats().vmmExits(ExitKind.MMIO)
            + m.host().stats().vmmExits(ExitKind.HCALL);
        assertEquals(exits, after, "a bypassed MSI costs no VMM exit, its EOI neither");
        assertEquals(bypass + 1, m.host().stats().passthrough().bypassDeliveries);
    }

    @Test
    void withKernelIrqchipOffEveryMsiIsRelayedByTheVmm() {
        PhysicalHost h = host();
        Machine m = booted(h, "xive", "off", NIC);
        VfioPciDevice d = vfio(m);
        assertEquals(0, m.host().vm().passthrough().linkCount());
        int gsi = d.msiFirst();
        long relays = m.host().stats().vmmExits(ExitKind.IRQ);
        long before = taken(m, gsi);
        for (int i = 0; i < 5; i++) {
            h.function(NIC).fire(0);
            m.runUntilIdle();
        }
        assertEquals(before + 5, taken(m, gsi));
        assertEquals(relays + 5, m.host().stats().vmmExits(ExitKind.IRQ), "one VMM wakeup per MSI");
    }
}
