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
        settle(m);
        return m;
    }

    /**
     * QEMU 7.2 arms each newly unmasked MSI-X vector by re-arming all of them, so the vectors a
     * driver unmasked first are linked again after the guest configured their source, and KVM's
     * set_mapped then writes the guest interrupt number as their event data instead of the
     * guest's EISN (pinned in passthrough.test.js). As irqbalance's first pass would, the guest
     * moves each started pass-through vector to another CPU and back, which writes its EISN again
     * (a move to where it already is changes nothing in KVM).
     */
    static void settle(Machine m) {
        if (m.guest() == null || !"xive".equals(m.icMode())) {
            return;
        }
        for (io.pseries.core.dev.pci.PciDevice d : m.phb().devices()) {
            if (!(d instanceof VfioPciDevice v)) {
                continue;
            }
            for (int k = 0; k < v.msiCount(); k++) {
                int gsi = v.msiFirst() + k;
                var desc = m.guest().byHwirq(gsi);
                if (desc != null && desc.started()) {
                    int cpu = desc.target();
                    m.guest().setAffinity(gsi, (cpu + 1) % m.cpus().size());
                    m.guest().setAffinity(gsi, cpu);
                }
            }
        }
        m.runUntilIdle();
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
