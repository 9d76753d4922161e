package io.pseries.testscripts.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.Vma;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * kernelIrqchip x host capability x icMode, with QEMU's messages (pass-through facts §4.3), and
 * the order in which CAS and a reset swap the in-kernel devices (checklist items 14 and 15).
 */
class KernelIrqchipMatrixTest {
    private static final String NO_XIVE = "IRQ_XIVE capability must be present for KVM";
    private static final String NO_XICS = "KVM and IRQ_XICS capability must be present for in-kernel XICS";

    private static Machine machine(String icMode, String kernelIrqchip, Map<String, Object> host) {
        return Machine.create(MachineConfig.builder().cpus(2).icMode(icMode).kernelIrqchip(kernelIrqchip)
            .host(HostConfig.fromMap(host)).devices(List.of()).build());
    }

    /** "kvm" when an in-kernel device serves the active controller, "emul" otherwise. */
    private static String served(Machine m) {
        return m.activeController().name() + (m.activeController().inKernel() ? " kvm" : " emul");
    }

    @Test
    void aPower9HostServesEveryModeInTheKernelWhenAskedOrAllowed() {
        for (String k : List.of("on", "allowed")) {
            assertEquals("xive kvm", served(machine("xive", k, Map.of())));
            assertEquals("xics kvm", served(machine("xics", k, Map.of())));
            Machine d = machine("dual", k, Map.of());
            assertEquals("xics kvm", served(d));
            d.cas(GuestOv5.linuxVector(0x40));
            assertEquals("xive kvm", served(d));
            assertTrue(d.warnings().isEmpty());
        }
    }

    @Test
    void kernelIrqchipOffNeverCreatesADeviceOrAMapping() {
        for (String mode : List.of("xive", "xics", "dual")) {
            Machine m = machine(mode, "off", Map.of());
            m.cas(GuestOv5.linuxVector(mode.equals("xics") ? 0x00 : 0x40));
            assertTrue(m.host().devices().isEmpty(), mode);
            assertEquals(0, m.host().stats().deviceCreations(), mode);
            assertEquals(List.of("guest RAM"), m.host().vmas().stream().map(Vma::name).toList(), mode);
            assertTrue(m.warnings().isEmpty());
        }
    }

    @Test
    void xiveOnWithoutTheXiveCapabilityIsFatalWithQemusMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> machine("xive", "on", Map.of("xive", false)));
        assertEquals("kernel_irqchip requested but unavailable: " + NO_XIVE, e.getMessage());
    }

    @Test
    void xiveAllowedWithoutTheXiveCapabilityWarnsAndEmulates() {
        Machine m = machine("xive", "allowed", Map.of("xive", false));
        assertEquals("xive emul", served(m));
        assertEquals(List.of("kernel_irqchip allowed but unavailable: " + NO_XIVE + "\nFalling back to kernel-irqchip=off"),
            m.warnings());
    }

    @Test
    void xicsWithoutXicsOnXiveIsFatalWhenOnAndEmulatedWhenAllowed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> machine("xics", "on", Map.of("xicsOnXive", false)));
        assertEquals("kernel_irqchip requested but unavailable: " + NO_XICS, e.getMessage());
        Machine m = machine("xics", "allowed", Map.of("xicsOnXive", false));
        assertEquals("xics emul", served(m));
        assertEquals(List.of("kernel_irqchip allowed but unavailable: " + NO_XICS + "\nFalling back to kernel-irqchip=off"),
            m.warnings());
    }

    @Test
    void dualOnAHostWithoutXiveIsXicsOnlyAsQemusIrqCheckMakesIt() {
        // the docs matrix for an old KVM: dual gives XICS KVM (allowed, on) or XICS emulated (off)
        assertEquals("xics kvm", served(machine("dual", "on", Map.of("xive", false))));
        assertEquals("xics kvm", served(machine("dual", "allowed", Map.of("xive", false))));
        Machine off = machine("dual", "off", Map.of("xive", false));
        assertEquals("xics emul", served(off));
        assertEquals(0x00, off.platformInterruptModes(), "XICS only is advertised");
    }

    @Test
    void dualOnWithoutXicsOnXiveIsFatalAtCreationAndAllowedFallsBackThenUsesXiveAtCas() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> machine("dual", "on", Map.of("xicsOnXive", false)));
        assertEquals("kernel_irqchip requested but unavailable: " + NO_XICS, e.getMessage());
        Machine m = machine("dual", "allowed", Map.of("xicsOnXive", false));
        assertEquals("xics emul", served(m));
        m.cas(GuestOv5.linuxVector(0x40));
        assertEquals("xive kvm", served(m));
        assertEquals(1, m.warnings().size());
    }

    @Test
    void checklist15_casDisconnectsTheOldDeviceThenConnectsTheNewOneInQemusOrder() {
        Machine m = machine("dual", "on", Map.of());
        List<String> seq = new ArrayList<>();
        m.trace().subscribe(TraceCategory.KVM, ev -> seq.add(describe(ev)));
        int vmasBefore = m.host().vmas().size();
        m.cas(GuestOv5.linuxVector(0x40));
        // 1. the XICS device goes (its fd closed), 2. the XIVE device comes: create, NR_SERVERS,
        // (the two mmaps), every vCPU connected, every claimed source re-claimed
        assertEquals("destroy_device xics", seq.get(0));
        assertEquals("create_device xive", seq.get(1));
        assertEquals("set_attr CTRL 3", seq.get(3), "has_attr then set NR_SERVERS");
        assertEquals(List.of("connect_vcpu 0", "connect_vcpu 1"), seq.subList(4, 6));
        assertTrue(seq.subList(6, seq.size()).stream().allMatch(s -> s.startsWith("set_attr SOURCE ")), seq.toString());
        assertEquals(vmasBefore + 2, m.host().vmas().size(), "the ESB window and the TIMA");
        assertEquals(List.of("guest RAM", "xive.esb-kvm", "xive.tima"), m.host().vmas().stream().map(Vma::name).toList());
        assertEquals(3, m.host().memslots().count());
        assertEquals(1, m.host().devices().size());
        assertEquals(KvmDeviceType.XIVE, m.host().devices().get(0).type());
    }

    @Test
    void checklist15_aResetGoesBackToTheXicsDeviceAndUnmapsTheXiveWindows() {
        Machine m = machine("dual", "on", Map.of());
        m.cas(GuestOv5.linuxVector(0x40));
        List<String> seq = new ArrayList<>();
        m.trace().subscribe(TraceCategory.KVM, ev -> seq.add(describe(ev)));
        m.reset();
        assertEquals("destroy_device xive", seq.get(0));
        assertEquals("create_device xics", seq.get(1));
        assertEquals(List.of("guest RAM"), m.host().vmas().stream().map(Vma::name).toList());
        assertEquals(1, m.host().memslots().count());
        assertEquals("xics kvm", served(m));
        assertEquals(3, m.host().stats().deviceCreations());
        assertEquals(2, m.host().stats().deviceDestructions());
    }

    @Test
    void checklist14_withKernelIrqchipOffDeviceInterruptsGoThroughTheEmulatedController() {
        Machine m = machine("xive", "off", Map.of());
        m.irq(0x1000).pulse();
        assertEquals(0, m.host().stats().faults());
        assertEquals(0, m.host().stats().ipisAllocated());
        assertTrue(m.host().vm().deviceOfType(KvmDeviceType.XIVE) == null);
    }

    private static String describe(TraceEvent e) {
        Map<String, Object> f = e.fields();
        return switch (e.name()) {
            case "create_device", "destroy_device" -> e.name() + " " + f.get("typeName");
            case "connect_vcpu" -> e.name() + " " + f.get("server");
            default -> e.name() + " " + f.get("groupName") + " " + f.get("attr");
        };
    }
}
