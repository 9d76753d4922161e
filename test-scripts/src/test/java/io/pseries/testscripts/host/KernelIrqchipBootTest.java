package io.pseries.testscripts.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dt.Dts;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.HostStats;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * The guest model booted with the emulated controllers ({@code kernelIrqchip: 'off'}) and with
 * the in-kernel ones ({@code 'on'}) sees the same results: hcall returns, loaded values, the
 * device tree, CAS, the event queues in RAM and {@code pic()} (but for the OS ring bytes where
 * QEMU/KVM themselves differ, {@link KernelIrqchipDifferences}); only the host's counters and
 * virtual time differ.
 */
class KernelIrqchipBootTest {

    private record Run(Machine m, List<String> hcalls, List<String> loads) {
    }

    private static Run run(String icMode, String kernelIrqchip) {
        return run(icMode, kernelIrqchip, 1, 1);
    }

    private static Run run(String icMode, String kernelIrqchip, int threads, int vsmt) {
        Machine m = Machine.create(MachineConfig.builder().cpus(4).threads(threads).vsmt(vsmt).icMode(icMode)
            .kernelIrqchip(kernelIrqchip).device("spapr-vlan", java.util.Map.of()).build());
        List<String> hcalls = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        m.trace().subscribe(TraceCategory.HCALL, e -> hcalls.add(e.cpu() + " " + e.name() + " " + e.fields().get("rc")
            + " " + e.fields().get("rets")));
        m.trace().subscribe(TraceCategory.MMIO, e -> {
            if (e.name().equals("load")) {
                loads.add(e.cpu() + " " + Long.toHexString((Long) e.fields().get("addr")) + " " + e.fields().get("value"));
            }
        });
        m.boot(GuestOs.BootOptions.defaults());
        for (int i = 0; i < 4; i++) {
            m.guest().ipi(i, (i + 1) % 4);
            m.runUntilIdle();
        }
        m.irq(0x1000).pulse();
        m.runUntilIdle();
        return new Run(m, hcalls, loads);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xive", "xics", "dual"})
    void bootAndIpisGiveTheSameGuestVisibleResultsOffAndOn(String icMode) {
        Run off = run(icMode, "off");
        Run on = run(icMode, "on");
        assertTrue(off.m().host().devices().isEmpty());
        assertEquals(1, on.m().host().devices().size(), "one in-kernel device");
        assertEquals(off.hcalls(), on.hcalls(), "every hcall's return code and outputs");
        assertEquals(off.loads(), on.loads(), "every loaded value");
        assertEquals(Dts.render(off.m().deviceTree()), Dts.render(on.m().deviceTree()));
        assertEquals(off.m().guest().stats(), on.m().guest().stats());
        assertEquals(KernelIrqchipDifferences.comparablePic(off.m()), KernelIrqchipDifferences.comparablePic(on.m()));
        HostStats a = off.m().host().stats();
        HostStats b = on.m().host().stats();
        if (icMode.equals("xics")) {
            assertTrue(b.kernelExits(ExitKind.HCALL) > 0 && b.vmmExits(ExitKind.HCALL) < a.vmmExits(ExitKind.HCALL),
                "the XICS hcalls stay in the kernel");
        } else {
            assertTrue(a.vmmExits(ExitKind.MMIO) > 0, "emulated: every ESB and TIMA access exits");
            assertEquals(0, b.vmmExits(ExitKind.MMIO), "in kernel: ESB and TIMA accesses are direct");
            assertTrue(b.directAccesses() > 0 && b.faults() > 0);
        }
        assertTrue(b.exitNs() < a.exitNs(), "less virtual time spent in exits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xive", "xics"})
    void vcpuIdsThatAreNotIndicesGiveTheSameResultsOffAndOn(String icMode) {
        // two threads per core, VSMT 4: vCPU ids 0, 1, 4, 5 are the interrupt server numbers
        Run off = run(icMode, "off", 2, 4);
        Run on = run(icMode, "on", 2, 4);
        assertEquals(off.hcalls(), on.hcalls());
        assertEquals(off.loads(), on.loads());
        assertEquals(off.m().guest().stats(), on.m().guest().stats());
        assertEquals(KernelIrqchipDifferences.comparablePic(off.m()), KernelIrqchipDifferences.comparablePic(on.m()));
    }
}
