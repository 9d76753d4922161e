package io.pseries.testscripts.passthrough;

import java.util.List;
import java.util.Map;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.pt.PhysicalHost;

/** Hosts with passed-through functions and VMs on them, for the pass-through tests. */
final class PassthroughFixture {
    static final String NIC = "0000:01:00.0";
    static final String NIC2 = "0000:02:00.0";

    private PassthroughFixture() {
    }

    /** A POWER9 host with two NICs of 8 MSI-X vectors and an INTx pin each. */
    static PhysicalHost host() {
        return PhysicalHost.of(HostConfig.POWER9, List.of(Map.of("addr", NIC, "msix", 8, "intx", true),
            Map.of("addr", NIC2, "msix", 8, "intx", true)));
    }

    static Machine vm(PhysicalHost h, String icMode, String kernelIrqchip, String addr) {
        MachineConfig.Builder b = MachineConfig.builder().cpus(2).icMode(icMode).kernelIrqchip(kernelIrqchip);
        if (addr != null) {
            b.device("vfio-pci", Map.of("host", addr));
        }
        return Machine.create(b.build(), h);
    }

    static Machine booted(PhysicalHost h, String icMode, String kernelIrqchip, String addr) {
        Machine m = vm(h, icMode, kernelIrqchip, addr);
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        return m;
    }

    static VfioPciDevice vfio(Machine m) {
        return (VfioPciDevice) m.phb().devices().stream().filter(d -> d instanceof VfioPciDevice).findFirst().orElseThrow();
    }

    /** Interrupts the guest model took on guest interrupt {@code gsi}, over every vCPU. */
    static long taken(Machine m, int gsi) {
        long n = 0;
        for (int c = 0; c < m.cpus().size(); c++) {
            n += m.guest().irqsTaken(c, gsi);
        }
        return n;
    }
}
