package io.pseries.xics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.MachineConfig.DeviceConfig;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.reference.LinuxBootOps;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * The model's guest boots like Linux 6.1 on QEMU 7.2: its interrupt-controller control
 * operations (hcalls, RTAS calls, CAS, unimplemented hcalls), aligned in order with the ones
 * QEMU traced while Linux booted the same configuration ({@code reference/linux-boot/*.ops.txt}),
 * match at least 95 % of the reference list with all their arguments, EISNs included, and the
 * model issues little else. The tail of each reference list is the guest's init script (three
 * affinity moves, then in XIVE mode the debugfs read of every source), which the test plays
 * through the guest's own API as the script did.
 */
class LinuxBootOrderTest {

    /** The configuration of the reference boots (reference/linux-boot/README.md). */
    static Machine observed(String icMode) {
        return Machine.create(MachineConfig.builder().cpus(4).icMode(icMode).devices(List.of(
            DeviceConfig.of("spapr-vty"), DeviceConfig.of("spapr-vlan"),
            DeviceConfig.of("virtio-net-pci"),
            new DeviceConfig("pci-bridge", Map.of("id", "br0")),
            new DeviceConfig("virtio-blk-pci", Map.of("bus", "br0", "addr", 3L, "vectors", 0L)))).build());
    }

    static List<TraceEvent> record(Machine m) {
        List<TraceEvent> l = new ArrayList<>();
        for (TraceCategory c : List.of(TraceCategory.HCALL, TraceCategory.RTAS, TraceCategory.CAS, TraceCategory.UNIMPLEMENTED)) {
            m.on(c, l::add);
        }
        return l;
    }

    /** The init script of the reference boots: LSI, virtio-net RX and ibmveth to CPU 1, then debugfs. */
    static void initScript(Machine m) {
        m.guest().setAffinity(0x1200, 1);
        m.guest().setAffinity(0x1301, 1);
        m.guest().setAffinity(0x1102, 1);
        m.guest().debugfsInterrupts();
    }

    @ParameterizedTest(name = "{0} 4-vCPU boot")
    @ValueSource(strings = {"xive", "xics"})
    void controlOperationsAlignWithLinuxOnQemu(String mode) {
        Machine m = observed(mode);
        List<TraceEvent> events = record(m);
        m.boot(GuestOs.BootOptions.defaults());
        initScript(m);
        List<String> ref = LinuxBootOps.reference(mode + "_smp4.ops.txt");
        List<String> model = LinuxBootOps.model(events);
        LinuxBootOps.Alignment a = LinuxBootOps.align(ref, model);
        System.out.println("LinuxBootOrderTest " + mode + ": " + a);
        if (Boolean.getBoolean("bootorder.dump")) {
            System.out.println(String.join("\n", model));
        }
        String detail = a + "\nmissing from the model:\n  " + String.join("\n  ", a.missing())
            + "\nextra in the model:\n  " + String.join("\n  ", a.extra());
        assertTrue(a.ofReference() >= 0.95, detail);
        assertTrue(a.ofModel() >= 0.95, detail);
    }
}
